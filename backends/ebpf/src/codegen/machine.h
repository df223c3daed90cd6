// The register conventions of the generated code, per packet access.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::ebpf::codegen {

// r6 holds the context (legacy loads need it there) or the packet's start;
// r7 the packet's end (direct access) or its length (the packet window's
// guards). r1 and r2 are scratch: operands read from the stack, constants,
// pointer arithmetic. The rest hold values.
inline constexpr uint8_t kContext = R6;
inline constexpr uint8_t kData = R6;
inline constexpr uint8_t kDataEnd = R7;
inline constexpr uint8_t kLength = R7;
inline constexpr uint8_t kScratch1 = R1;
inline constexpr uint8_t kScratch2 = R2;

// `r7_reserved`: r7 holds the packet's end or length.
inline std::vector<uint8_t> value_registers(bool r7_reserved) {
  if (!r7_reserved) return {R0, R3, R4, R5, R7, R8, R9};
  return {R0, R3, R4, R5, R8, R9};
}

// Registers a legacy packet load (LD_ABS / LD_IND) overwrites.
inline std::vector<uint8_t> legacy_load_clobbers() { return {R0, R1, R2, R3, R4, R5}; }

// The largest packet offset direct access reaches: the verifier proves
// packet ranges only up to MAX_PACKET_OFF, and XDP and tc's linear data are
// shorter than that.
inline constexpr uint32_t kMaxPacketOffset = 0xffff;

}  // namespace bpfc::ebpf::codegen

#include "cooked_program.h"

#include <linux/filter.h>

#include "bpfc/capture/live.h"

namespace bpfc::capture::live {
namespace {

using namespace cbpf;

// Offsets of the SLL2 header fields that the kernel keeps as metadata.
constexpr uint32_t kSll2Protocol = 0;
constexpr uint32_t kSll2Ifindex = 4;
constexpr uint32_t kSll2PacketType = 10;

bool loads_packet(uint16_t code) {
  const uint16_t cls = insn_class(code);
  if (cls != LD && cls != LDX) return false;
  const uint16_t mode = insn_mode(code);
  return mode == ABS || mode == IND || mode == MSH;
}

// Where a socket filter reads a field of the packet's metadata
// (<linux/filter.h>): the kernel answers absolute loads from SKF_AD_OFF on.
constexpr uint32_t kSkfAdOff = static_cast<uint32_t>(SKF_AD_OFF);
constexpr uint32_t ancillary(int field) { return kSkfAdOff + static_cast<uint32_t>(field); }

}  // namespace

std::optional<cbpf::Program> kernel_program_for_sll2(const cbpf::Program& program, std::string& why) {
  cbpf::Program fixed = program;
  for (size_t i = 0; i < fixed.size(); ++i) {
    Insn& insn = fixed[i];
    if (!loads_packet(insn.code) || insn.k >= kSkfAdOff) continue;
    if (insn.k >= kSll2HeaderBytes) {
      insn.k -= kSll2HeaderBytes;
      continue;
    }
    // Only an absolute load names a header field by its offset alone.
    const bool absolute = insn_class(insn.code) == LD && insn_mode(insn.code) == ABS;
    if (absolute && insn.k == kSll2Protocol) {
      insn.k = ancillary(SKF_AD_PROTOCOL);
    } else if (absolute && insn.k == kSll2Ifindex) {
      insn.k = ancillary(SKF_AD_IFINDEX);
    } else if (absolute && insn.k == kSll2PacketType) {
      insn.k = ancillary(SKF_AD_PKTTYPE);
    } else {
      why = "instruction " + std::to_string(i) + " reads byte " + std::to_string(insn.k) +
            " of the LINUX_SLL2 header, which a cooked packet socket's kernel filter cannot see";
      return std::nullopt;
    }
  }
  return fixed;
}

bool reads_kernel_metadata(const cbpf::Program& program) {
  for (const Insn& insn : program) {
    if (insn_class(insn.code) == LD && insn_mode(insn.code) == ABS && insn.k >= kSkfAdOff) return true;
  }
  return false;
}

}  // namespace bpfc::capture::live

namespace bpfc::capture {

bool reads_kernel_metadata(const cbpf::Program& program) { return live::reads_kernel_metadata(program); }

}  // namespace bpfc::capture

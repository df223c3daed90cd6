// Classic BPF interpreter with exactly libpcap's bpf_filter() semantics, and
// validators: libpcap's bpf_validate() rules and the Linux kernel's classic
// BPF checks (sk_chk_filter).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bpfc/cbpf/insn.h"

namespace bpfc::runtime {

// Runs `p` on a packet of which `packet.size()` bytes were captured and
// `wirelen` were on the wire. Returns the filter's value (0 = reject).
// The program need not be valid: invalid instructions return 0, as libpcap's
// interpreter does.
uint32_t run_cbpf(const cbpf::Program& p, std::span<const uint8_t> packet, uint32_t wirelen);

struct ValidationError {
  uint32_t index;       // instruction index of the first problem
  std::string message;
};

enum class ValidationRules { Libpcap, LinuxKernel };

std::optional<ValidationError> validate_cbpf(const cbpf::Program& p,
                                             ValidationRules rules = ValidationRules::Libpcap);

}  // namespace bpfc::runtime

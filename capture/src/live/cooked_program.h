// A filter compiled for LINUX_SLL2 (the "any" device) as the kernel runs it.
// A cooked packet socket hands its filter the packet from the network
// header on: the SLL2 header that user space sees does not exist yet. Loads
// past the header move back by its length; loads of the protocol, interface
// index and packet type fields become the kernel's ancillary loads of the
// same metadata (as libpcap's fix_program does). A load of any other header
// field has no kernel equivalent: then the filter runs in user space.
#pragma once

#include <optional>
#include <string>

#include "bpfc/cbpf/insn.h"

namespace bpfc::capture::live {

inline constexpr uint32_t kSll2HeaderBytes = 20;

// The program for the kernel, or nullopt with `why` set when one of its
// loads reads a header field the kernel does not provide.
std::optional<cbpf::Program> kernel_program_for_sll2(const cbpf::Program& program, std::string& why);

// Whether `program` reads kernel metadata (an SKF_AD_* ancillary load).
bool reads_kernel_metadata(const cbpf::Program& program);

}  // namespace bpfc::capture::live

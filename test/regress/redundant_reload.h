// Finds a packet load that repeats one already done on the same path (libpcap
// issue #110): the packet never changes while a filter runs, so loading the
// same bytes twice on one path is wasted work.
#pragma once

#include <optional>
#include <string>

#include "bpfc/cbpf/insn.h"

namespace bpfc::regress {

// The first path (as a list of instruction numbers) on which an absolute load
// (`ld/ldh/ldb [k]`) repeats an earlier one of the same size and offset, or
// nullopt when there is none. Programs are small and acyclic: every path is
// walked.
std::optional<std::string> find_redundant_reload(const cbpf::Program& program);

}  // namespace bpfc::regress

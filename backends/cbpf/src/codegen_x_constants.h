// Moving `ldx #k` up the CFG so that several paths share one.
//
// After tail merging, a header offset that is a constant on one path (IPv6:
// the transport header is at 40) reaches the merged code through X, set by
// an `ldx #k` in a block of its own on the edge into it. Where X is dead
// higher up, one `ldx #k` there serves every path below that needs it,
// and the edge blocks become empty (so their jumps go too).
#pragma once

#include <vector>

#include "codegen_machine.h"

namespace bpfc::cbpf::detail {

// Inserts `ldx #k` where X is dead and deletes the `ldx #k` that then load
// the value X already holds, when that removes more instructions than it
// adds. Returns whether it changed anything.
bool hoist_x_constants(std::vector<MBlock>& blocks);

}  // namespace bpfc::cbpf::detail

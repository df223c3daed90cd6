// Clean-ups on machine blocks, after instruction selection: dead code,
// jumps to jumps, duplicate blocks. They let the selector be simple (e.g.
// store every slot value, and let the stores nobody reads disappear here).
#pragma once

#include <vector>

#include "codegen_machine.h"

namespace bpfc::cbpf::detail {

// Removes instructions whose results are never read. Instructions that may
// end the filter (packet loads, division by X) always stay. Returns whether
// anything changed.
bool remove_dead_code(std::vector<MBlock>& blocks);

// Makes jumps skip empty blocks, turns two-way jumps with one target into
// jumps, replaces a jump to a lone `ret` by the `ret`, reduces blocks that
// return 0 on every path to `ret #0`, makes every jump to a
// block identical to a later one go to the later one, and drops blocks no
// longer reached. Returns whether anything changed.
bool simplify_control_flow(std::vector<MBlock>& blocks);

}  // namespace bpfc::cbpf::detail

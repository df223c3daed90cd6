// Representative compilation of long address/port lists.
//
// Replaying libpcap's optimizer (optimizer/*.cpp) is cubic in the number
// of blocks, so `host A1 or host A2 or ... or host A100000` would take hours.
// But for a run of like terms (same primitive, same qualifiers, a numeric
// literal each), the optimized program's shape does not depend on how many
// terms the run has: only the chains of `jeq` against the run's constants get
// longer, and those chains load nothing, so which packets (truncated ones
// included) the program accepts depends only on the set of constants. So:
//
//  1. find maximal runs of like terms among the operands of a flattened `or`
//     (or of negated terms in a flattened `and`)            lists/runs.cpp
//  2. lower the filter with each run cut down to R terms whose constants are
//     fresh sentinels, used nowhere else in the program     lists/ast.cpp
//  3. refuse when another test could interact with the run's constants in
//     libpcap's optimizer (same field compared with one of the run's
//     constants, or two runs sharing constants on one field)
//                                                          lists/checks.cpp
//  4. optimize that small program as libpcap would, then rewrite every chain
//     over the R sentinels into a chain over all the run's distinct constants,
//     in list order                                         lists/expand.cpp
//
// Anything unexpected (a sentinel outside a well-formed chain, a constant the
// two sentinel choices do not explain) makes lower_lists_by_representatives
// return nullopt, and the caller takes the exact, slow path.
#pragma once

#include <cstddef>
#include <optional>

#include "bpfc/compat/lower.h"
#include "bpfc/frontend/ast.h"
#include "gencode/machine.h"

namespace bpfc::lower {

// Runs shorter than this are lowered term by term (the optimizer is fast on
// them); LowerOptions::list_run_threshold overrides it (tests).
inline constexpr size_t kDefaultListRunThreshold = 16;

// How many terms stand for a run. Three is the smallest chain that has a
// head, a middle and a tail link, which is every position a link can take.
inline constexpr size_t kRepresentatives = 3;

// The optimized block program of `filter` (as optimize_like_libpcap would
// leave the full program, up to the order of equal-verdict tests), or nullopt
// when the filter has no run worth representing or the representation cannot
// be trusted for it. Throws LowerError for filters libpcap refuses.
std::optional<MachineProgram> lower_lists_by_representatives(const ast::Filter& filter,
                                                             const LowerOptions& options);

// libpcap's unoptimized block program for a filter (lower.cpp).
MachineProgram build_block_program(const ast::Filter& filter, const LowerOptions& options);

}  // namespace bpfc::lower

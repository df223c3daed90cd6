// Representative compilation of long lists: the driver (see
// lists/representatives.h).
#include "lists/representatives.h"

#include <algorithm>

#include "lists/detail.h"
#include "optimizer/optimize.h"

namespace bpfc::lower {

std::optional<MachineProgram> lower_lists_by_representatives(const ast::Filter& filter,
                                                             const LowerOptions& options) {
  if (!filter.expr) return std::nullopt;
  const size_t threshold = options.list_run_threshold != 0 ? options.list_run_threshold : kDefaultListRunThreshold;
  sets::ListRuns runs = sets::find_list_runs(*filter.expr, std::max(threshold, kRepresentatives));
  if (runs.runs.empty()) return std::nullopt;
  // A sentinel may by chance equal a constant written elsewhere in the filter;
  // the two builds then disagree, and other sentinels are tried.
  constexpr unsigned kAttempts = 4;
  for (unsigned attempt = 0; attempt < kAttempts; ++attempt) {
    if (!sets::choose_sentinels(runs, attempt)) return std::nullopt;
    MachineProgram first = build_block_program(sets::representative_filter(filter, runs, 0), options);
    // protochain and geneve turn libpcap's optimizer off: the full program is then cheap.
    if (first.no_optimize) return std::nullopt;
    const MachineProgram second = build_block_program(sets::representative_filter(filter, runs, 1), options);
    if (!sets::sentinels_explain_constants(first, second, runs)) continue;
    if (sets::runs_may_interact(first, runs)) return std::nullopt;
    optimize_like_libpcap(first);
    if (!sets::expand_representative_chains(first, runs)) return std::nullopt;
    return first;
  }
  return std::nullopt;
}

}  // namespace bpfc::lower

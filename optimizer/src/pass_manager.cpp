// The pass manager: runs a pipeline of passes over one function, timing each
// pass, checking the IR after it when asked, and telling an observer (the
// CLI's --print-after and --stats) what it did.
#include <chrono>
#include <string>

#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/pass_manager.h"

namespace bpfc::opt {
namespace {

// Level 2 runs its pipeline again while some pass still changes the function:
// one pass often exposes work for another (a folded branch leaves dead code,
// merged blocks put two tests side by side). Real filters settle in two or
// three rounds; the bound keeps a pathological case linear.
constexpr int kMaxRoundsAtLevel2 = 4;

// Detached values tolerated before the function's values are compacted.
constexpr size_t kCompactionSlack = 4096;

size_t placed_values(const ir::Function& f) {
  size_t n = 0;
  for (const ir::Block& b : f.blocks) n += b.insts.size();
  return n;
}

// "internal error: ..." built by appending: GCC 12 warns wrongly
// (-Wrestrict, GCC bug 105329) about "literal" + std::string.
std::string malformed_after(const std::string& pass, const std::string& problem) {
  std::string message = "internal error: the optimizer pass '";
  message += pass;
  message += "' produced malformed IR: ";
  message += problem;
  return message;
}

}  // namespace

void PassCounters::add(std::string_view what, uint64_t n) {
  if (n == 0) return;
  for (auto& [name, count] : entries_) {
    if (name == what) {
      count += n;
      return;
    }
  }
  entries_.emplace_back(std::string(what), n);
}

Result<OptimizeReport> optimize(ir::Function& f, const OptimizeOptions& options) {
  std::vector<const Pass*> pipeline;
  int max_rounds = 1;
  if (options.passes) {
    for (const Pass& pass : *options.passes) pipeline.push_back(&pass);
  } else {
    pipeline = pipeline_for_level(options.level);
    if (options.level >= 2) max_rounds = kMaxRoundsAtLevel2;
  }

  OptimizeReport report;
  report.runs.reserve(pipeline.size() * static_cast<size_t>(max_rounds));
  // A pass is a deterministic function of the IR it is given, and one that
  // reports no change leaves the IR as it was. So once every pass of the
  // pipeline has run in a row without changing anything, each of them has
  // seen the function as it now is: running on would change nothing, and the
  // fixpoint stops there rather than at the end of a round. (Typically only
  // value numbering changes in the first round, and the second one ends
  // right after it.)
  size_t unchanged_in_a_row = 0;
  bool settled = false;
  for (int round = 0; round < max_rounds && !settled; ++round) {
    bool changed_in_round = false;
    for (const Pass* pass : pipeline) {
      if (max_rounds > 1 && unchanged_in_a_row == pipeline.size()) {
        settled = true;
        break;
      }
      PassRun run;
      run.name = pass->name;
      // Timing is for the observer (--stats): without one, the clock is not read.
      const bool timed = static_cast<bool>(options.observer);
      std::chrono::steady_clock::time_point start;
      if (timed) start = std::chrono::steady_clock::now();
      run.changed = pass->run(f, run.counters);
      if (timed) {
        run.elapsed =
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
      }
      run.blocks_after = f.blocks.size();
      run.values_after = placed_values(f);
      // The observer sees the function even when it is malformed: printing
      // it is how one finds out what the pass did wrong.
      if (options.observer) options.observer(run, f);
      if (options.verify_each) {
        if (auto problem = ir::verify(f)) return error(malformed_after(pass->name, *problem));
      }
      // Passes size their tables by the number of values: once most of
      // them are detached (value numbering on long lists leaves 15 of 16),
      // renumbering the placed ones makes every later pass cheaper.
      if (f.values.size() > 2 * run.values_after + kCompactionSlack) ir::compact_values(f);
      changed_in_round = changed_in_round || run.changed;
      unchanged_in_a_row = run.changed ? 0 : unchanged_in_a_row + 1;
      report.runs.push_back(std::move(run));
    }
    if (!changed_in_round) break;
  }
  return report;
}

}  // namespace bpfc::opt

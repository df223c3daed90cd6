// bpfc's own optimizer: passes over the SSA IR and the pass manager that runs
// them at -O1 and -O2.
//
// Lowering already gives libpcap's optimize=1 verdicts (it replays libpcap's
// optimizer on libpcap's block program), so every pass here must keep the
// function's verdict on every packet, truncated ones included: see the IR
// contract (ir/README.md). A load may end the filter, so a load is reused only where
// an identical load dominates it, and a load is never removed from, or
// hoisted onto, a path (unless an identical load dominates it on that path).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::opt {

// What a pass reports having done: named counters ("folded branches",
// "loads reused", ...) for --stats. A pass that changed nothing records
// nothing.
class PassCounters {
 public:
  void add(std::string_view what, uint64_t n = 1);
  const std::vector<std::pair<std::string, uint64_t>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, uint64_t>> entries_;  // in first-recorded order
};

// A pass rewrites the function in place and returns whether it changed it.
// It receives a well-formed function (ir::verify passes) and must leave one.
using PassFn = std::function<bool(ir::Function&, PassCounters&)>;

struct Pass {
  std::string name;     // as in --print-after=NAME: lowercase, dash-separated
  std::string summary;  // one line for `bpfc help compile` / --stats
  PassFn run;
};

// Every pass bpfc has, by name (a pipeline may run one several times).
const std::vector<Pass>& registered_passes();
const Pass* find_pass(std::string_view name);

// The passes a level runs, in order: 0 none, 1 the cheap linear-time ones,
// 2 (the default) everything.
std::vector<const Pass*> pipeline_for_level(int level);

// One executed pass, as --stats reports it.
struct PassRun {
  std::string name;
  bool changed = false;
  PassCounters counters;
  std::chrono::nanoseconds elapsed{0};  // measured only when an observer is set
  size_t blocks_after = 0;
  size_t values_after = 0;
};

// Called after each pass (for --print-after / --print-after-all); the library
// never prints.
using PassObserver = std::function<void(const PassRun&, const ir::Function&)>;

struct OptimizeOptions {
  int level = 2;
  // Runs exactly these passes, in this order, instead of the level's pipeline
  // (tests use it to run one pass, or a deliberately wrong one).
  std::optional<std::vector<Pass>> passes;
  // Check the IR with ir::verify after every pass; a failure is an internal
  // error naming the pass. On by default in debug builds.
#ifdef NDEBUG
  bool verify_each = false;
#else
  bool verify_each = true;
#endif
  PassObserver observer;  // may be empty
};

struct OptimizeReport {
  std::vector<PassRun> runs;  // in execution order
};

// Runs the pipeline on f in place. Fails only on an internal error (a pass
// left malformed IR while verify_each is on); f is then in an unspecified
// but destructible state.
Result<OptimizeReport> optimize(ir::Function& f, const OptimizeOptions& options);

}  // namespace bpfc::opt

// The passes bpfc has, by name, and the order each optimization level runs
// them in.
#include <algorithm>

#include "bpfc/optimizer/legalize.h"
#include "bpfc/optimizer/pass_manager.h"
#include "passes.h"

namespace bpfc::opt {
namespace {

// Every pass, with its --print-after name. To add a pass: one line here, and
// its name in the level pipelines below.
std::vector<Pass> make_registry() {
  return {
      {"constant-folding", "fold operations and branches on constants; indexed loads at constant offsets",
       fold_constants},
      {"algebraic-simplify", "identities (x+0, x&0xffffffff, ...), reassociation of constants, known bits",
       simplify_algebra},
      {"dead-code", "remove unused pure values and unreachable blocks (loads stay: they can end the filter)",
       remove_dead_code},
      {"cfg-simplify", "merge blocks, thread jumps through empty blocks, share identical returns",
       simplify_cfg},
      {"set-lowering", "compare one value with many constants or prefixes by a binary search tree",
       lower_sets},
      {"value-numbering", "reuse repeated computations and dominating identical loads", number_values},
      {"edge-facts", "fold tests decided by facts known on dominating edges; thread jumps", propagate_edge_facts},
      {"tail-merging", "share tails that differ only in how load addresses are formed (phis for the rest)",
       merge_tails},
      {"load-fusion", "test neighbouring packet bytes that must both match with one wider load", fuse_loads},
  };
}

// Level 1: linear-time passes, one round. Simplification first (it exposes
// dead code), then dead code (it empties blocks), then the CFG clean-up.
constexpr const char* kLevel1[] = {
    "constant-folding",
    "algebraic-simplify",
    "set-lowering",  // O(n log n)
    "dead-code",
    "cfg-simplify",
};

// Level 2: everything, repeated by optimize() while something changes. Value
// numbering comes before set lowering so that the repeated loads of one field
// are one value by the time the sets are collected.
constexpr const char* kLevel2[] = {
    "constant-folding",
    "algebraic-simplify",
    "value-numbering",
    "set-lowering",
    "edge-facts",
    "load-fusion",
    "constant-folding",
    "dead-code",
    "cfg-simplify",
    "tail-merging",  // last: it works on the simplified CFG and leaves it simple
};

template <size_t N>
std::vector<const Pass*> resolve(const char* const (&names)[N]) {
  std::vector<const Pass*> pipeline;
  for (const char* name : names) {
    // A planned pass that is not registered yet is simply not run.
    if (const Pass* pass = find_pass(name)) pipeline.push_back(pass);
  }
  return pipeline;
}

}  // namespace

const std::vector<Pass>& registered_passes() {
  // Immutable after its thread-safe initialization: not mutable global state.
  static const std::vector<Pass> registry = make_registry();
  return registry;
}

const Pass* find_pass(std::string_view name) {
  const auto& passes = registered_passes();
  auto it = std::find_if(passes.begin(), passes.end(), [&](const Pass& p) { return p.name == name; });
  return it == passes.end() ? nullptr : &*it;
}

std::vector<const Pass*> pipeline_for_level(int level) {
  if (level <= 0) return {};
  // Resolved once (by name) and immutable after their thread-safe
  // initialization, like the registry they point into.
  static const std::vector<const Pass*> level1 = resolve(kLevel1);
  static const std::vector<const Pass*> level2 = resolve(kLevel2);
  return level == 1 ? level1 : level2;
}

}  // namespace bpfc::opt

namespace bpfc::opt {

// Target legalizations (legalize.h), run as passes after the pipeline.
const std::vector<Pass>& target_legalizations() {
  static const std::vector<Pass> legalizations = {
      {"bounds-checks", "explicit guards for loads, one per run of loads (targets whose loads do not trap)",
       [](ir::Function& f, PassCounters& counters) {
         const BoundsChecks checks = legalize_bounds_checks(f);
         if (checks.guards == 0) return false;
         counters.add("loads checked", checks.loads);
         counters.add("guards", checks.guards);
         counters.add("guard branches", checks.branches);
         counters.add("guards one per load would take", checks.unmerged_guards);
         return true;
       }},
  };
  return legalizations;
}

const Pass* find_target_legalization(std::string_view name) {
  const auto& all = target_legalizations();
  auto it = std::find_if(all.begin(), all.end(), [&](const Pass& p) { return p.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace bpfc::opt

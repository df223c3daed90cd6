// The pass manager: pipelines per level, the observer, verification after
// each pass (an internal error naming the pass), iteration at level 2.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/pass_manager.h"
#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kSmallFunction = R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  v2 = add v0, v1
  br eq v2, v1, b1, b2
b1:
  jump b3
b2:
  jump b3
b3:
  v3 = const 1
  ret v3
)";

std::vector<std::string> names(const std::vector<const opt::Pass*>& pipeline) {
  std::vector<std::string> out;
  for (const opt::Pass* p : pipeline) out.push_back(p->name);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(PassManager, LevelsChooseTheirPipelines) {
  EXPECT_TRUE(opt::pipeline_for_level(0).empty());
  const auto level1 = names(opt::pipeline_for_level(1));
  const auto level2 = names(opt::pipeline_for_level(2));
  for (const char* cheap : {"constant-folding", "algebraic-simplify", "dead-code", "cfg-simplify"}) {
    EXPECT_TRUE(contains(level1, cheap)) << cheap;
    EXPECT_TRUE(contains(level2, cheap)) << cheap;
  }
  EXPECT_FALSE(contains(level1, "value-numbering"));
  EXPECT_FALSE(contains(level1, "edge-facts"));
  // Every registered pass runs at level 2, and every pipeline entry is registered.
  for (const opt::Pass& pass : opt::registered_passes()) EXPECT_TRUE(contains(level2, pass.name)) << pass.name;
}

TEST(PassManager, FindsPassesByName) {
  ASSERT_NE(opt::find_pass("dead-code"), nullptr);
  EXPECT_EQ(opt::find_pass("dead-code")->name, "dead-code");
  EXPECT_FALSE(opt::find_pass("dead-code")->summary.empty());
  EXPECT_EQ(opt::find_pass("no-such-pass"), nullptr);
}

TEST(PassManager, CountersAccumulateByNameAndIgnoreZero) {
  opt::PassCounters counters;
  EXPECT_TRUE(counters.empty());
  counters.add("folded", 0);
  EXPECT_TRUE(counters.empty());
  counters.add("folded");
  counters.add("removed", 3);
  counters.add("folded", 2);
  ASSERT_EQ(counters.entries().size(), 2u);
  EXPECT_EQ(counters.entries()[0], (std::pair<std::string, uint64_t>{"folded", 3}));
  EXPECT_EQ(counters.entries()[1], (std::pair<std::string, uint64_t>{"removed", 3}));
}

TEST(PassManager, ObserverSeesEveryRunInOrder) {
  ir::Function f = parse_ir(kSmallFunction);
  std::vector<std::string> seen;
  opt::OptimizeOptions options;
  options.level = 1;
  options.observer = [&](const opt::PassRun& run, const ir::Function& g) {
    seen.push_back(run.name);
    EXPECT_EQ(run.blocks_after, g.blocks.size());
  };
  auto report = opt::optimize(f, options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(seen, names(opt::pipeline_for_level(1)));
  ASSERT_EQ(report->runs.size(), seen.size());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(report->runs[i].name, seen[i]);
  // The add of zero goes, the branch between two empty blocks becomes one
  // block; the load stays (it may end the filter). The constant 0 that the
  // branch used is only dead after dead-code ran: one round at level 1.
  EXPECT_EQ(ir::print(f), normalized("b0:\n  v0 = load.1 [0]\n  v1 = const 0\n  v3 = const 1\n  ret v3\n"));
}

TEST(PassManager, LevelTwoRepeatsWhileSomethingChangesWithinABound) {
  ir::Function f = parse_ir(kSmallFunction);
  auto report = opt::optimize(f, {});
  ASSERT_TRUE(report.ok());
  const size_t per_round = opt::pipeline_for_level(2).size();
  EXPECT_GT(report->runs.size(), per_round) << "the first round changed the function: more runs check it is done";
  EXPECT_LE(report->runs.size(), 4 * per_round);
  // It stops once a whole pipeline's worth of passes in a row changed
  // nothing (each has then seen the final function), unless the bound
  // stopped it first.
  ASSERT_GE(report->runs.size(), per_round);
  bool last_changed = false;
  for (size_t i = report->runs.size() - per_round; i < report->runs.size(); ++i) {
    last_changed = last_changed || report->runs[i].changed;
  }
  EXPECT_TRUE(!last_changed || report->runs.size() == 4 * per_round);
  if (!last_changed && report->runs.size() > per_round) {
    EXPECT_TRUE(report->runs[report->runs.size() - per_round - 1].changed) << "no pass runs twice on one function";
  }
}

TEST(PassManager, AMalformingPassIsAnInternalErrorNamingIt) {
  opt::Pass breaker{"breaker", "drops the entry block's terminator",
                    [](ir::Function& f, opt::PassCounters&) {
                      f.blocks[0].term = ir::Terminator{};
                      return true;
                    }};
  ir::Function f = parse_ir(kSmallFunction);
  opt::OptimizeOptions options;
  options.passes = std::vector<opt::Pass>{*opt::find_pass("constant-folding"), breaker};
  options.verify_each = true;
  bool observed_breaker = false;
  options.observer = [&](const opt::PassRun& run, const ir::Function&) { observed_breaker |= run.name == "breaker"; };
  auto report = opt::optimize(f, options);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("internal error"), std::string::npos) << report.error().message;
  EXPECT_NE(report.error().message.find("'breaker'"), std::string::npos) << report.error().message;
  EXPECT_TRUE(observed_breaker) << "the observer sees the broken IR (for --print-after)";
}

TEST(PassManager, AnExplicitEmptyListRunsNothing) {
  ir::Function f = parse_ir(kSmallFunction);
  const std::string before = ir::print(f);
  opt::OptimizeOptions options;
  options.passes = std::vector<opt::Pass>{};
  auto report = opt::optimize(f, options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->runs.empty());
  EXPECT_EQ(ir::print(f), before);
}

}  // namespace
}  // namespace bpfc::opttest

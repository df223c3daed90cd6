#include "pass_debug_output.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace bpfc::cli {

IrSize ir_size(const ir::Function& f) {
  IrSize size;
  size.blocks = f.blocks.size();
  for (const ir::Block& b : f.blocks) size.values += b.insts.size();
  return size;
}

opt::PassObserver PassDebugOutput::observer() {
  if (!settings_.any()) return {};
  return [this](const opt::PassRun& run, const ir::Function& f) { observe(run, f); };
}

bool PassDebugOutput::wants_ir_after(const std::string& pass) const {
  return settings_.print_after_all ||
         std::find(settings_.print_after.begin(), settings_.print_after.end(), pass) != settings_.print_after.end();
}

void PassDebugOutput::observe(const opt::PassRun& run, const ir::Function& f) {
  runs_.push_back(run);
  if (!wants_ir_after(run.name)) return;
  // The header is an IR comment, so the dump can be fed back to the IR parser.
  fmt::print(stderr, "# IR after {} (pass run {}, {})\n", run.name, runs_.size(),
             run.changed ? "changed" : "unchanged");
  std::fputs(ir::print(f).c_str(), stderr);
}

namespace {

std::string describe_counters(const opt::PassCounters& counters) {
  std::string text;
  for (const auto& [what, count] : counters.entries()) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", what, count);
  }
  return text.empty() ? "-" : text;
}

}  // namespace

void PassDebugOutput::print_stats(const IrSize& lowered, std::optional<size_t> cbpf_instructions) const {
  fmt::print(stderr, "{:>3}  {:<20} {:<7} {:>10} {:>6} {:>6}  {}\n", "#", "pass", "changed", "time", "blocks",
             "values", "what changed");
  std::chrono::nanoseconds total{0};
  for (size_t i = 0; i < runs_.size(); ++i) {
    const opt::PassRun& run = runs_[i];
    total += run.elapsed;
    fmt::print(stderr, "{:>3}  {:<20} {:<7} {:>8.1f}us {:>6} {:>6}  {}\n", i + 1, run.name, run.changed ? "yes" : "no",
               run.elapsed.count() / 1000.0, run.blocks_after, run.values_after, describe_counters(run.counters));
  }
  IrSize final_size = lowered;
  if (!runs_.empty()) final_size = {runs_.back().blocks_after, runs_.back().values_after};
  fmt::print(stderr, "passes: {} run in {:.1f}us\n", runs_.size(), total.count() / 1000.0);
  fmt::print(stderr, "IR: {} blocks, {} values lowered; {} blocks, {} values after the passes\n", lowered.blocks,
             lowered.values, final_size.blocks, final_size.values);
  if (cbpf_instructions) fmt::print(stderr, "cBPF: {} instructions\n", *cbpf_instructions);
}

}  // namespace bpfc::cli

// What `bpfc compile --print-after=PASS`, `--print-after-all` and `--stats`
// print on stderr: the IR after chosen passes, and a table of what every
// pass changed and how long it took, with the final program's size.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/pass_manager.h"
#include "compile_settings.h"

namespace bpfc::cli {

// The size of an IR function, as --stats reports it.
struct IrSize {
  size_t blocks = 0;
  size_t values = 0;  // values placed in blocks
};
IrSize ir_size(const ir::Function& f);

class PassDebugOutput {
 public:
  explicit PassDebugOutput(const PassDebugSettings& settings) : settings_(settings) {}
  PassDebugOutput(const PassDebugOutput&) = delete;
  PassDebugOutput& operator=(const PassDebugOutput&) = delete;

  // For CompileOptions::pass_observer; refers to this object, which must
  // outlive the compilation. Empty when nothing was asked for.
  opt::PassObserver observer();

  // The --stats table: every pass run, then the sizes before the passes
  // (the lowered IR), after them, and of the cBPF program when one was
  // generated.
  void print_stats(const IrSize& lowered, std::optional<size_t> cbpf_instructions) const;

 private:
  void observe(const opt::PassRun& run, const ir::Function& f);
  bool wants_ir_after(const std::string& pass) const;

  const PassDebugSettings& settings_;
  std::vector<opt::PassRun> runs_;
};

}  // namespace bpfc::cli

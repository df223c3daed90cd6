// cbpf::generate: the backend's pipeline. Each stage lives in its own file:
//   codegen_expr    value numbering (what each IR value computes)
//   codegen_plan    which blocks run, roles of values, roots, liveness
//   codegen_slots   scratch slot assignment
//   codegen_select  instruction selection with register tracking
//   codegen_cleanup dead code, jump threading, duplicate blocks
//   codegen_x_constants  one `ldx #k` shared by the paths that need it
//   codegen_walk    the protochain loop, expanded from its pseudo-instruction
//   codegen_layout  block placement and long-jump relaxation
#include "bpfc/cbpf/codegen.h"

#include <optional>
#include <string>

#include "bpfc/ir/verifier.h"
#include "codegen_cleanup.h"
#include "codegen_layout.h"
#include "codegen_plan.h"
#include "codegen_select.h"
#include "codegen_slots.h"
#include "codegen_x_constants.h"

namespace bpfc::cbpf {
namespace {

// Classic BPF has no instruction that reads the captured length, and cannot
// compute it either (probing with loads would end the filter), so the IR's
// `caplen` is legal only for targets that have it (ir/README.md).
std::optional<Diagnostic> refuse_captured_length(const ir::Function& f) {
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) {
      if (f.values[v].op != ir::Op::Caplen) continue;
      std::string message = "classic BPF cannot read the captured length (v";
      message += std::to_string(v);
      message += " = caplen); only targets that have it accept `caplen`";
      return error(std::move(message));
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Program> generate(const ir::Function& f) {
  // Everything below relies on the verifier's guarantees (topological
  // order, dominance); a malformed function is a bug upstream.
  if (auto problem = ir::verify(f)) return error("internal error: cbpf code generator given malformed IR: " + *problem);
  if (auto problem = refuse_captured_length(f)) return *problem;
  detail::Plan plan = detail::make_plan(f);
  auto slots = detail::assign_slots(f, plan);
  if (!slots) return slots.errors();
  auto selected = detail::select_instructions(f, plan, *slots);
  if (!selected) return selected.errors();
  std::vector<detail::MBlock>* blocks = &selected->blocks;
  // Each clean-up can enable the other (a dropped compare leaves its
  // operand dead; removed code leaves an empty block to skip). A few
  // rounds reach the fixed point on anything real; the bound is a guard.
  detail::remove_dead_code(*blocks);
  detail::hoist_x_constants(*blocks);
  for (int round = 0; round < 8; ++round) {
    bool changed = detail::simplify_control_flow(*blocks);
    changed = detail::remove_dead_code(*blocks) || changed;
    if (!changed) break;
  }
  detail::expand_walks(*blocks, selected->walks);
  return detail::lay_out(*blocks);
}

}  // namespace bpfc::cbpf

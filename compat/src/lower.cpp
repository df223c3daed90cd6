// lower_filter(): AST -> block program -> libpcap's optimizer decisions ->
// SSA IR.
//
//  1. gencode/expr.cpp walks the AST in filter-text order and builds libpcap's
//     block program (gencode/machine.h) the way its gencode.c does: one file
//     per concept (link layers, hosts, ports, protocols, arithmetic,
//     encapsulations, broadcast/multicast, LLC), over shared load/compare
//     helpers (gencode/access.h) and fragment composition (gencode/codegen.h).
//  2. optimizer/*.cpp makes the decisions libpcap's optimizer makes
//     (skipped for pcap_compile(optimize=0) and where libpcap skips it).
//     Long lists of like terms (host/net/port lists) are lowered through a
//     few representatives instead, in linear time (lists/representatives.h).
//  3. lift/machine_to_ir.cpp turns the acyclic block program into SSA IR.
#include "bpfc/compat/lower.h"

#include "gencode/codegen.h"
#include "gencode/expr.h"
#include "gencode/linklayer.h"
#include "gencode/vloffsets.h"
#include "lift/machine_to_ir.h"
#include "lists/representatives.h"
#include "optimizer/optimize.h"

namespace bpfc {

namespace {

using namespace lower;

// The finished block program: accepting exits return the snapshot length,
// rejecting ones return 0.
MachineProgram build_program(const ast::Filter& filter, const LowerOptions& options) {
  Codegen cg(options);
  cg.set_source(filter.text);
  init_layout(cg, canonical_dlt(options.linktype));
  if (!filter.expr) {
    cg.program().root = cg.new_block(bpf::kRet | bpf::kK, options.snaplen);
    return std::move(cg.program());
  }
  Fragment f = lower_expr(cg, *filter.expr);
  f = insert_compute_vloffsets(cg, std::move(f));
  if (std::optional<Fragment> prelude = gen_capture_prelude(cg)) f = gen_and(cg, std::move(*prelude), std::move(f));
  const int accept = cg.new_block(bpf::kRet | bpf::kK, options.snaplen);
  const int reject = cg.new_block(bpf::kRet | bpf::kK, 0);
  cg.patch(f.on_true, accept);
  cg.patch(f.on_false, reject);
  cg.program().root = f.head;
  return std::move(cg.program());
}

}  // namespace

MachineProgram lower::build_block_program(const ast::Filter& filter, const LowerOptions& options) {
  return build_program(filter, options);
}

Result<ir::Function> lower_filter(const ast::Filter& filter, const LowerOptions& options) {
  if (options.resolver == nullptr) return error("lower_filter: no name resolver given");
  if (options.snaplen == 0) return error("snaplen of 0 rejects all packets");
  try {
    if (options.libpcap_optimize) {
      if (std::optional<MachineProgram> program = lower_lists_by_representatives(filter, options)) {
        return machine_to_ir(*program);
      }
    }
    MachineProgram program = build_program(filter, options);
    if (options.libpcap_optimize && !program.no_optimize && filter.expr) {
      optimize_like_libpcap(program);
    }
    return machine_to_ir(program);
  } catch (const LowerError& e) {
    return e.diagnostic();
  }
}

}  // namespace bpfc

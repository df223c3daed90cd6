// The public compile pipeline: text -> AST -> checked AST -> IR -> classic BPF.
//
// Every stage reports failures as Diagnostics; the stages after sema should
// not fail on well-formed input, so a failure there (an IR the verifier
// rejects, a program bpf_validate would refuse) is reported as an internal
// error rather than blamed on the user's filter.
#include "bpfc/runtime/compile.h"

#include <memory>
#include <string>
#include <vector>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/frontend/lower.h"
#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/sema.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc {
namespace {

// Holds the system resolver only when the caller did not supply one, so the
// common embedded case (a caller-owned resolver) allocates nothing.
class ResolverChoice {
 public:
  explicit ResolverChoice(const NameResolver* given) : resolver_(given) {
    if (resolver_ == nullptr) {
      owned_ = make_system_resolver();
      resolver_ = owned_.get();
    }
  }
  const NameResolver* get() const { return resolver_; }

 private:
  std::unique_ptr<NameResolver> owned_;
  const NameResolver* resolver_;
};

LowerOptions lower_options(const CompileOptions& options, const NameResolver* resolver) {
  LowerOptions lowered;
  lowered.linktype = options.linktype;
  lowered.snaplen = options.snaplen;
  lowered.netmask = options.netmask;
  lowered.resolver = resolver;
  return lowered;
}

// True when every return reachable from the entry returns the constant 0.
// This is the part of libpcap's "the optimized program is `ret #0`" test that
// needs no optimizer: lowering already folds filters such as `arp` on a
// raw-IP link to a constant rejection.
bool rejects_every_packet(const ir::Function& f) {
  if (f.blocks.empty()) return false;
  std::vector<bool> reached(f.blocks.size(), false);
  std::vector<ir::BlockId> pending = {0};
  reached[0] = true;
  while (!pending.empty()) {
    const ir::Block& block = f.blocks[pending.back()];
    pending.pop_back();
    if (block.term.kind == ir::TermKind::Ret) {
      const ir::Inst& value = f.value(block.term.lhs);
      if (value.op != ir::Op::Const || value.imm != 0) return false;
    }
    for (ir::BlockId next : ir::successors(block)) {
      if (next < f.blocks.size() && !reached[next]) {
        reached[next] = true;
        pending.push_back(next);
      }
    }
  }
  return true;
}

Result<ir::Function> parse_check_lower(std::string_view filter, const LowerOptions& options) {
  auto ast = parse_filter(filter);
  if (!ast) return ast.errors();
  if (auto problem = check_filter(*ast, options)) return *problem;
  auto function = lower_filter(*ast, options);
  if (!function) return function.errors();
#ifndef NDEBUG
  // The verifier is the lowering's self-check; release builds trust it.
  if (auto problem = ir::verify(*function)) {
    return error("internal error: the lowering produced malformed IR: " + *problem);
  }
#endif
  return function;
}

}  // namespace

Result<ir::Function> compile_to_ir(std::string_view filter, const CompileOptions& options) {
  ResolverChoice resolver(options.resolver);
  auto function = parse_check_lower(filter, lower_options(options, resolver.get()));
  if (!function) return function;
  // There are no optimizer passes yet: every opt_level yields the same
  // function. What opt_level > 0 already does is pcap_compile(optimize=1)'s
  // refusal of a filter that can never accept.
  if (options.opt_level > 0 && rejects_every_packet(*function)) {
    return error("expression rejects all packets");
  }
  return function;
}

Result<cbpf::Program> compile_cbpf(std::string_view filter, const CompileOptions& options) {
  auto function = compile_to_ir(filter, options);
  if (!function) return function.errors();
  auto program = cbpf::generate(*function);
  if (!program) return program.errors();
  if (auto invalid = runtime::validate_cbpf(*program, runtime::ValidationRules::Libpcap)) {
    return error("internal error: the generated program fails validation at instruction " +
                 std::to_string(invalid->index) + ": " + invalid->message);
  }
  return program;
}

}  // namespace bpfc

// The public compile pipeline: text -> AST -> checked AST -> IR -> a target
// (classic BPF here; every registered target through target.h).
//
// Every stage reports failures as Diagnostics; the stages after sema should
// not fail on well-formed input, so a failure there (an IR the verifier
// rejects, a program bpf_validate would refuse) is reported as an internal
// error rather than blamed on the user's filter.
#include "bpfc/driver/compile.h"

#include <memory>
#include <string>
#include <utility>

#include "bpfc/compat/libpcap.h"
#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/sema.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/pass_manager.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "cbpf_target.h"
#include "syntax_error_order.h"

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
  lowered.context = options.context;
  // -O0 reproduces pcap_compile(optimize=0), any higher level optimize=1:
  // the two differ on truncated packets and in refusing filters that can
  // never match ("expression rejects all packets").
  lowered.libpcap_optimize = options.opt_level > 0;
  return lowered;
}

Result<ir::Function> parse_check_lower(std::string_view filter, const LowerOptions& options) {
  auto ast = parse_filter(filter);
  if (!ast) return errors_in_libpcap_order(filter, ast.errors(), options);
  auto resolved = resolve_filter(std::move(*ast), options);
  if (!resolved) return resolved.errors();
  auto function = compat::lower_to_ir(*resolved, options);
  if (!function) return function.errors();
  // The verifier is the lowering's self-check, in every build: the passes and
  // targets after it assume well-formed IR, and a lowering bug must be an
  // error, not a crash. Kernel metadata is legal only where the context
  // provides it.
  if (auto problem = ir::verify(*function, {.kernel_metadata = options.linux_extensions()})) {
    return error("internal error: the lowering produced malformed IR: " + *problem);
  }
  return function;
}

// The unrolled protochain form, before the passes so that they work on the
// unrolled code; its bound becomes a note.
Result<ir::Function> legalize(ir::Function function, const CompileOptions& options, std::vector<std::string>& notes) {
  if (options.protochain != ProtochainForm::Unrolled) return function;
  if (options.protochain_depth < 1 || options.protochain_depth > opt::kMaxProtochainDepth) {
    return error("protochain depth " + std::to_string(options.protochain_depth) + " is out of range (1 to " +
                 std::to_string(opt::kMaxProtochainDepth) + ")");
  }
  const opt::ProtochainUnrolling unrolled = opt::unroll_protochain(function, options.protochain_depth);
  if (unrolled.any()) notes.push_back(opt::describe(unrolled));
  return function;
}

// bpfc's own SSA passes (after lowering has made libpcap's decisions): the
// level's pipeline, or exactly the caller's passes when given (even at -O0).
Result<ir::Function> run_passes(ir::Function function, const CompileOptions& options) {
  if (options.opt_level < 1 && !options.passes) return function;
  opt::OptimizeOptions optimize_options;
  optimize_options.level = options.opt_level;
  optimize_options.passes = options.passes;
  optimize_options.observer = options.pass_observer;
  // verify_each keeps its default: on in debug builds, off in release ones.
  auto report = opt::optimize(function, optimize_options);
  if (!report) return report.errors();
  return function;
}

}  // namespace

Result<Compiled<ir::Function>> compile_to_ir_with_notes(std::string_view filter, const CompileOptions& options) {
  ResolverChoice resolver(options.resolver);
  auto function = parse_check_lower(filter, lower_options(options, resolver.get()));
  if (!function) return function.errors();
  std::vector<std::string> notes;
  auto legal = legalize(std::move(*function), options, notes);
  if (!legal) return legal.errors();
  auto optimized = run_passes(std::move(*legal), options);
  if (!optimized) return optimized.errors();
  return Compiled<ir::Function>{std::move(*optimized), std::move(notes)};
}

Result<Compiled<cbpf::Program>> compile_cbpf_with_notes(std::string_view filter, const CompileOptions& options) {
  auto function = compile_to_ir_with_notes(filter, options);
  if (!function) return function.errors();
  auto program = cbpf::generate_validated(function->output);
  if (!program) return program.errors();
  return Compiled<cbpf::Program>{std::move(*program), std::move(function->notes)};
}

Result<ir::Function> compile_to_ir(std::string_view filter, const CompileOptions& options) {
  auto compiled = compile_to_ir_with_notes(filter, options);
  if (!compiled) return compiled.errors();
  return std::move(compiled->output);
}

Result<cbpf::Program> compile_cbpf(std::string_view filter, const CompileOptions& options) {
  auto compiled = compile_cbpf_with_notes(filter, options);
  if (!compiled) return compiled.errors();
  return std::move(compiled->output);
}

std::optional<runtime::ValidationError> kernel_refusal(const cbpf::Program& program) {
  return runtime::validate_cbpf(program, runtime::ValidationRules::LinuxKernel);
}

}  // namespace bpfc

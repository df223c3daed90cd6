#include "compiler_property.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <sstream>
#include <utility>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/cbpf/format.h"
#include "bpfc/driver/compile.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/optimizer/pass_manager.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "report_text.h"

namespace bpfc::fuzz {
namespace {

constexpr std::string_view kTooManyRegisters = "too many registers needed to evaluate expression";
// What only optimize=1 refuses: a filter that can never match, and the
// constant operations its constant folding meets (at -O0 the program just
// runs them: a division by zero ends the filter, a big shift gives 0).
constexpr std::string_view kOptimizerRefusals[] = {"expression rejects all packets", "division by zero",
                                                   "modulus by zero", "shift by more than 31 bits"};

bool optimizer_refusal(const std::string& message) {
  return std::find(std::begin(kOptimizerRefusals), std::end(kOptimizerRefusals), message) !=
         std::end(kOptimizerRefusals);
}

// One optimization level's result: the IR as lowered (libpcap's decisions,
// no bpfc passes), the IR after bpfc's passes, and the classic-BPF program
// generated from it; or the refusal.
struct Compiled {
  int level = 0;
  std::optional<ir::Function> lowered;
  std::optional<ir::Function> optimized;
  std::optional<cbpf::Program> program;
  std::vector<Diagnostic> errors;
  bool ok() const { return program.has_value(); }
  const std::string& first_message() const { return errors.front().message; }
};

class Reporter {
 public:
  explicit Reporter(const FilterCase& filter) : filter_(filter) {}

  [[noreturn]] void violated(const std::string& what, const Compiled* a = nullptr, const Compiled* b = nullptr,
                             const TestPacket* packet = nullptr) const {
    std::ostringstream out;
    out << "compiler property violated: " << what << "\n"
        << "  link type: " << linktype_display(filter_.linktype) << " (" << filter_.linktype << ")"
        << ", snaplen " << filter_.snaplen << ", netmask "
        << (filter_.netmask ? std::to_string(*filter_.netmask) : std::string("unknown")) << "\n"
        << "  filter (" << filter_.text.size() << " bytes" << (filter_.raw_text ? ", from raw input" : "")
        << "): " << escaped(filter_.text) << "\n";
    if (packet) {
      out << "  packet (" << packet->bytes.size() << " bytes, wirelen " << packet->wirelen
          << "): " << hex(packet->bytes) << "\n";
    }
    for (const Compiled* c : {a, b}) {
      if (c == nullptr || !c->program) continue;
      out << "  -O" << c->level << " program:\n" << cbpf::format_listing(*c->program);
      if (c->optimized) out << "  -O" << c->level << " IR:\n" << ir::print(*c->optimized);
    }
    std::fputs(out.str().c_str(), stderr);
    std::fflush(stderr);
    std::abort();
  }

 private:
  const FilterCase& filter_;
};

void check_diagnostics(const std::vector<Diagnostic>& errors, const FilterCase& filter, const Reporter& report,
                       int level) {
  std::string where = " at -O" + std::to_string(level);
  if (errors.empty()) report.violated("a refusal without a diagnostic" + where);
  for (const Diagnostic& d : errors) {
    if (d.message.empty()) report.violated("a diagnostic without a message" + where);
    if (d.message.starts_with("internal error")) report.violated("'" + d.message + "'" + where);
    if (d.span && (d.span->begin > d.span->end || d.span->end > filter.text.size())) {
      report.violated("diagnostic span [" + std::to_string(d.span->begin) + ", " + std::to_string(d.span->end) +
                      ") outside the " + std::to_string(filter.text.size()) + "-byte text: " + d.message + where);
    }
  }
}

// The pipeline of compile_cbpf(), one stage at a time, so that the IR before
// and after bpfc's passes is at hand for the interpreters.
Compiled compile_at(const FilterCase& filter, int level, const NameResolver& resolver, const Reporter& report) {
  Compiled c;
  c.level = level;
  CompileOptions options;
  options.linktype = filter.linktype;
  options.snaplen = filter.snaplen;
  options.netmask = filter.netmask;
  options.opt_level = level;
  options.passes = std::vector<opt::Pass>{};  // lowering only; the passes run below
  options.resolver = &resolver;
  try {
    auto lowered = compile_to_ir(filter.text, options);
    if (!lowered) {
      c.errors = lowered.errors();
      check_diagnostics(c.errors, filter, report, level);
      return c;
    }
    c.lowered = std::move(*lowered);
    c.optimized = *c.lowered;
    if (level > 0) {
      opt::OptimizeOptions optimize_options;
      optimize_options.level = level;
      // One check of the result instead of one after every pass (which
      // costs a quarter of the run time): a failure is replayed with
      // BPFC_FUZZ_VERIFY_EACH_PASS set to learn which pass broke the IR.
      optimize_options.verify_each = std::getenv("BPFC_FUZZ_VERIFY_EACH_PASS") != nullptr;
      auto passes = opt::optimize(*c.optimized, optimize_options);
      if (!passes) report.violated("the SSA passes failed at -O" + std::to_string(level) + ": " +
                                   passes.error().message);
      if (auto malformed = ir::verify(*c.optimized))
        report.violated("the SSA passes left malformed IR at -O" + std::to_string(level) + ": " + *malformed);
    }
    auto program = cbpf::generate(*c.optimized);
    if (!program) {
      c.errors = program.errors();
      check_diagnostics(c.errors, filter, report, level);
      return c;
    }
    c.program = std::move(*program);
  } catch (const std::exception& e) {
    report.violated(std::string("exception escaped the compiler at -O") + std::to_string(level) + ": " + e.what());
  } catch (...) {
    report.violated("a non-standard exception escaped the compiler at -O" + std::to_string(level));
  }
  if (auto invalid = runtime::validate_cbpf(*c.program, runtime::ValidationRules::Libpcap)) {
    report.violated("the -O" + std::to_string(level) + " program fails bpf_validate: " + invalid->message, &c);
  }
  return c;
}

// The program with every `ret #k` made nonzero, so that it returns 0 exactly
// when the filter ends early (failed load, division by zero, endless loop).
// nullopt when the program returns A somewhere, whose value can be 0.
std::optional<cbpf::Program> early_end_detector(const cbpf::Program& program) {
  cbpf::Program detector = program;
  for (cbpf::Insn& insn : detector) {
    if (cbpf::insn_class(insn.code) != cbpf::RET) continue;
    if (cbpf::insn_rval(insn.code) != cbpf::K) return std::nullopt;
    insn.k = 1;
  }
  return detector;
}

// The same for the IR as lowered: every `ret` returns 1, so the function
// returns 0 exactly when it ends early. The program alone cannot always
// tell: code generation turns a load certain to fail (`icmp6[-16]`, whose
// offset from a negative index is past any packet) into `ret #0`, which
// the program's detector takes for a verdict. libpcap's optimizer, which
// -O2 follows, folds the index into the offset with 32-bit wrap (byte 24:
// no failure), so -O0 and -O2 differ there by libpcap's design.
ir::Function ir_early_end_detector(ir::Function f) {
  ir::Builder build(f);
  build.set_block(0);
  const ir::ValueId one = build.constant(1);
  for (ir::Block& block : f.blocks) {
    if (block.term.kind == ir::TermKind::Ret) block.term.lhs = one;
  }
  return f;
}

void check_refusals(const Compiled& o0, const Compiled& o2, const Reporter& report) {
  if (!o0.ok() && o0.first_message() == kTooManyRegisters) return;
  if (!o2.ok() && o2.first_message() == kTooManyRegisters) return;
  if (!o0.ok() && o2.ok()) report.violated("-O2 compiles what -O0 refuses (" + o0.first_message() + ")", &o2);
  if (o0.ok() && !o2.ok() && !optimizer_refusal(o2.first_message()))
    report.violated("-O2 refuses what -O0 compiles: " + o2.first_message(), &o0);
  if (!o0.ok() && !o2.ok() && o0.first_message() != o2.first_message())
    report.violated("-O0 and -O2 refuse differently: '" + o0.first_message() + "' and '" + o2.first_message() + "'");
}

uint32_t check_interpreters(const Compiled& c, const TestPacket& packet, const Reporter& report) {
  uint32_t cbpf_value = runtime::run_cbpf(*c.program, packet.bytes, packet.wirelen);
  uint32_t ir_value = ir::interpret(*c.optimized, packet.bytes, packet.wirelen);
  if (cbpf_value != ir_value) {
    report.violated("at -O" + std::to_string(c.level) + " the IR interpreter returns " + std::to_string(ir_value) +
                        " and the cBPF interpreter " + std::to_string(cbpf_value),
                    &c, nullptr, &packet);
  }
  if (c.level > 0) {
    uint32_t lowered_value = ir::interpret(*c.lowered, packet.bytes, packet.wirelen);
    if (lowered_value != ir_value) {
      std::string message = "at -O" + std::to_string(c.level) + " bpfc's passes change the verdict from " +
                            std::to_string(lowered_value) + " to " + std::to_string(ir_value) +
                            "\n  IR as lowered:\n" + ir::print(*c.lowered);
      report.violated(message, &c, nullptr, &packet);
    }
  }
  return cbpf_value;
}

}  // namespace

PropertyOutcome check_compiler_property(const FilterCase& filter, const std::vector<TestPacket>& packets,
                                        const NameResolver& resolver) {
  Reporter report(filter);
  Compiled o0 = compile_at(filter, 0, resolver, report);
  Compiled o2 = compile_at(filter, 2, resolver, report);
  check_refusals(o0, o2, report);

  PropertyOutcome outcome;
  outcome.compiled_o0 = o0.ok();
  outcome.compiled_o2 = o2.ok();
  if (!o2.ok()) outcome.refusal = o2.first_message();

  std::optional<cbpf::Program> detector0, detector2;
  std::optional<ir::Function> ir_detector0, ir_detector2;
  if (o0.ok() && o2.ok()) {
    detector0 = early_end_detector(*o0.program);
    detector2 = early_end_detector(*o2.program);
    ir_detector0 = ir_early_end_detector(*o0.lowered);
    ir_detector2 = ir_early_end_detector(*o2.lowered);
  }
  for (const TestPacket& packet : packets) {
    std::optional<uint32_t> value0, value2;
    if (o0.ok()) value0 = check_interpreters(o0, packet, report), ++outcome.verdict_checks;
    if (o2.ok()) value2 = check_interpreters(o2, packet, report), ++outcome.verdict_checks;
    if (value2 && *value2 != 0) ++outcome.accepted_packets;
    if (!detector0 || !detector2) continue;
    bool ended_early0 = runtime::run_cbpf(*detector0, packet.bytes, packet.wirelen) == 0 ||
                        ir::interpret(*ir_detector0, packet.bytes, packet.wirelen) == 0;
    bool ended_early2 = runtime::run_cbpf(*detector2, packet.bytes, packet.wirelen) == 0 ||
                        ir::interpret(*ir_detector2, packet.bytes, packet.wirelen) == 0;
    if (ended_early0 || ended_early2) continue;
    ++outcome.level_comparisons;
    if (*value0 != *value2) {
      report.violated("-O0 returns " + std::to_string(*value0) + " and -O2 " + std::to_string(*value2) +
                          " on a packet neither ends early on",
                      &o0, &o2, &packet);
    }
  }
  return outcome;
}

}  // namespace bpfc::fuzz

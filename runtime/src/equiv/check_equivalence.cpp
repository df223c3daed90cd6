// The equivalence query: both programs encoded over one symbolic packet, and
// one satisfiability check of "their results differ". A model is a packet
// they disagree on; it is replayed through run_cbpf before it is reported.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <z3++.h>

#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/equivalence.h"
#include "program_encoding.h"
#include "shrink_counterexample.h"
#include "symbolic_packet.h"

namespace bpfc::runtime {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string length_range(const EquivalenceOptions& options) {
  if (options.min_length == 0) return "up to " + std::to_string(options.max_length) + " bytes";
  if (options.min_length == options.max_length) return std::to_string(options.max_length) + " bytes";
  return std::to_string(options.min_length) + " to " + std::to_string(options.max_length) + " bytes";
}

std::optional<Diagnostic> check_options(const EquivalenceOptions& options) {
  if (options.max_length > kMaxEquivalencePacketLength) {
    return error("packet length " + std::to_string(options.max_length) + " is too large (at most " +
                 std::to_string(kMaxEquivalencePacketLength) + ")");
  }
  if (options.min_length > options.max_length) {
    return error("minimum packet length " + std::to_string(options.min_length) +
                 " is larger than the maximum " + std::to_string(options.max_length));
  }
  return std::nullopt;
}

std::optional<Diagnostic> check_program(const cbpf::Program& program, const char* which) {
  if (auto invalid = validate_cbpf(program, ValidationRules::Libpcap)) {
    return error(std::string("program ") + which + " is invalid: " + invalid->describe());
  }
  return std::nullopt;
}

bool results_differ(uint32_t a, uint32_t b, EquivalenceComparison compare) {
  return compare == EquivalenceComparison::Verdict ? (a == 0) != (b == 0) : a != b;
}

z3::expr difference(const z3::expr& a, const z3::expr& b, EquivalenceComparison compare) {
  if (compare == EquivalenceComparison::Verdict) {
    z3::expr zero = a.ctx().bv_val(0, 32);
    return (a == zero) != (b == zero);
  }
  return a != b;
}

uint32_t model_value(const z3::model& model, const z3::expr& e) {
  return static_cast<uint32_t>(model.eval(e, true).get_numeral_uint64());
}

EquivalenceResult unknown(UnknownReason reason, std::string message) {
  EquivalenceResult result;
  result.verdict = EquivalenceVerdict::Unknown;
  result.unknown_reason = reason;
  result.message = std::move(message);
  return result;
}

// The solver's packet, replayed through run_cbpf: Different when the
// interpreter agrees with the model, EncodingMismatch otherwise.
EquivalenceResult confirmed_counterexample(const z3::model& model, const equiv::SymbolicPacket& packet,
                                           const z3::expr& value_a, const z3::expr& value_b,
                                           const cbpf::Program& a, const cbpf::Program& b,
                                           const EquivalenceOptions& options) {
  Counterexample example;
  const uint32_t caplen = model_value(model, packet.caplen());
  example.wirelen = model_value(model, packet.wirelen());
  for (uint32_t i = 0; i < caplen && i < packet.max_length(); ++i) {
    example.packet.push_back(static_cast<uint8_t>(model_value(model, packet.byte(i))));
  }
  example.value_a = run_cbpf(a, example.packet, example.wirelen);
  example.value_b = run_cbpf(b, example.packet, example.wirelen);
  const uint32_t predicted_a = model_value(model, value_a);
  const uint32_t predicted_b = model_value(model, value_b);
  const std::string on_packet = "on a packet of " + std::to_string(example.packet.size()) +
                                " bytes (wirelen " + std::to_string(example.wirelen) + ")";
  if (caplen != example.packet.size() || predicted_a != example.value_a || predicted_b != example.value_b ||
      !results_differ(example.value_a, example.value_b, options.compare)) {
    return unknown(UnknownReason::EncodingMismatch,
                   "the solver predicted " + std::to_string(predicted_a) + " and " + std::to_string(predicted_b) +
                       " " + on_packet + " of caplen " + std::to_string(caplen) + ", but run_cbpf returns " +
                       std::to_string(example.value_a) + " and " + std::to_string(example.value_b));
  }
  EquivalenceResult result;
  result.verdict = EquivalenceVerdict::Different;
  result.message = "the programs differ " + on_packet + ": A returns " + std::to_string(example.value_a) +
                   ", B returns " + std::to_string(example.value_b);
  result.counterexample = std::move(example);
  return result;
}

// Loops are unrolled as far as run_cbpf lets them run (equiv::loop_rounds):
// a protochain loop over packets of up to 128 bytes takes 258 rounds. Past
// this the formula would take long to build, let alone solve.
constexpr uint64_t kMaxLoopRounds = 4096;
// Rounds of the quick search for a difference before the full unrolling.
constexpr uint64_t kQuickRounds = 8;

// One query, pure bit-vectors: simplify, bit-blast, SAT. Z3's general QF_BV
// solver (incremental, heavier preprocessing) is several times slower on
// these formulas, most of it spent allocating.
z3::solver bit_blasting_solver(z3::context& ctx) {
  z3::tactic pipeline = z3::tactic(ctx, "simplify") & z3::tactic(ctx, "propagate-values") &
                        z3::tactic(ctx, "solve-eqs") & z3::tactic(ctx, "bit-blast") & z3::tactic(ctx, "sat");
  return pipeline.mk_solver();
}

z3::solver timed_solver(z3::context& ctx, const EquivalenceOptions& options, Clock::time_point start) {
  z3::solver solver = bit_blasting_solver(ctx);
  if (options.timeout_ms != 0) {
    z3::params params(ctx);
    const double left = std::max(1.0, options.timeout_ms - milliseconds_since(start));
    params.set("timeout", static_cast<unsigned>(left));
    solver.set(params);
  }
  return solver;
}

EquivalenceResult timed_out_or_gave_up(const z3::solver& solver, const EquivalenceOptions& options) {
  const std::string reason = solver.reason_unknown();
  if (reason.find("timeout") != std::string::npos || reason.find("canceled") != std::string::npos) {
    return unknown(UnknownReason::Timeout,
                   "the solver gave up after " + std::to_string(options.timeout_ms) + " ms (" + reason + ")");
  }
  return unknown(UnknownReason::SolverGaveUp, "the solver could not decide: " + reason);
}

EquivalenceResult counterexample(z3::solver& solver, const equiv::SymbolicPacket& packet,
                                 const equiv::EncodedProgram& encoded_a, const equiv::EncodedProgram& encoded_b,
                                 const cbpf::Program& a, const cbpf::Program& b, const EquivalenceOptions& options) {
  z3::model model = solver.get_model();
  if (options.shortest_counterexample) {
    model = equiv::shrink_counterexample(solver, packet, model, options.timeout_ms);
  }
  return confirmed_counterexample(model, packet, encoded_a.value, encoded_b.value, a, b, options);
}

EquivalenceResult solve(z3::context& ctx, const cbpf::Program& a, const cbpf::Program& b,
                        const EquivalenceOptions& options) {
  const Clock::time_point start = Clock::now();
  for (const auto& [program, which] : {std::pair{&a, "A"}, std::pair{&b, "B"}}) {
    const uint64_t rounds = equiv::loop_rounds(*program, options.max_length);
    if (rounds > kMaxLoopRounds) {
      return unknown(UnknownReason::LoopBound,
                     std::string("program ") + which + " loops (backward jumps, as in libpcap's protochain code) "
                         "up to " + std::to_string(rounds) + " times on packets of up to " +
                         std::to_string(options.max_length) + " bytes; the checker unrolls loops at most " +
                         std::to_string(kMaxLoopRounds) + " times (a shorter --length unrolls fewer)");
    }
  }
  equiv::SymbolicPacket packet(ctx, options.min_length, options.max_length);
  const bool loops = equiv::loop_rounds(a, options.max_length) + equiv::loop_rounds(b, options.max_length) > 0;
  if (loops) {
    // Differences on runs that loop a few times are found on small formulas
    // first; a difference there (where neither run goes on) is real.
    const equiv::EncodedProgram short_a = equiv::encode_program(a, packet, kQuickRounds);
    const equiv::EncodedProgram short_b = equiv::encode_program(b, packet, kQuickRounds);
    z3::solver solver = timed_solver(ctx, options, start);
    solver.add(packet.constraints());
    solver.add(short_a.definitions);
    solver.add(short_b.definitions);
    solver.add(!short_a.open && !short_b.open);
    solver.add(difference(short_a.value, short_b.value, options.compare));
    switch (solver.check()) {
      case z3::sat: return counterexample(solver, packet, short_a, short_b, a, b, options);
      case z3::unsat: break;
      case z3::unknown: return timed_out_or_gave_up(solver, options);
    }
  }
  const equiv::EncodedProgram encoded_a = equiv::encode_program(a, packet);
  const equiv::EncodedProgram encoded_b = equiv::encode_program(b, packet);
  z3::solver solver = timed_solver(ctx, options, start);
  solver.add(packet.constraints());
  solver.add(encoded_a.definitions);
  solver.add(encoded_b.definitions);
  solver.add(difference(encoded_a.value, encoded_b.value, options.compare));
  switch (solver.check()) {
    case z3::unsat: {
      EquivalenceResult result;
      result.verdict = EquivalenceVerdict::Equivalent;
      result.message = std::string(options.compare == EquivalenceComparison::Verdict ? "same verdict"
                                                                                     : "same return value") +
                       " for every packet of " + length_range(options);
      return result;
    }
    case z3::sat: return counterexample(solver, packet, encoded_a, encoded_b, a, b, options);
    case z3::unknown: break;
  }
  return timed_out_or_gave_up(solver, options);
}

}  // namespace

// The Z3 context outlives the queries: creating one costs more than a small
// query (and ~70 ms under AddressSanitizer). Every term of a query is
// released when it ends, so the context does not grow.
struct EquivalenceChecker::Context {
  z3::context z3;
};

EquivalenceChecker::EquivalenceChecker() : context_(std::make_unique<Context>()) {}
EquivalenceChecker::~EquivalenceChecker() = default;
EquivalenceChecker::EquivalenceChecker(EquivalenceChecker&&) noexcept = default;
EquivalenceChecker& EquivalenceChecker::operator=(EquivalenceChecker&&) noexcept = default;

Result<EquivalenceResult> EquivalenceChecker::check(const cbpf::Program& a, const cbpf::Program& b,
                                                    const EquivalenceOptions& options) {
  if (auto problem = check_options(options)) return *problem;
  if (auto problem = check_program(a, "A")) return *problem;
  if (auto problem = check_program(b, "B")) return *problem;
  const Clock::time_point start = Clock::now();
  EquivalenceResult result;
  try {
    result = solve(context_->z3, a, b, options);
  } catch (const z3::exception& e) {
    result = unknown(UnknownReason::SolverGaveUp, std::string("the solver failed: ") + e.msg());
  }
  result.solver_ms = milliseconds_since(start);
  return result;
}

Result<EquivalenceResult> check_equivalence(const cbpf::Program& a, const cbpf::Program& b,
                                            const EquivalenceOptions& options) {
  return EquivalenceChecker().check(a, b, options);
}

}  // namespace bpfc::runtime

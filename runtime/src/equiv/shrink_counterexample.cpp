#include "shrink_counterexample.h"

#include <algorithm>
#include <optional>

namespace bpfc::runtime::equiv {
namespace {

using Clock = std::chrono::steady_clock;

uint32_t evaluate(const z3::model& model, const z3::expr& e) {
  return static_cast<uint32_t>(model.eval(e, true).get_numeral_uint64());
}

// One extra check of the query under `restriction`, within the time left.
class BoundedChecks {
 public:
  BoundedChecks(z3::solver& solver, uint32_t budget_ms)
      : solver_(solver), budget_ms_(budget_ms), start_(Clock::now()) {}

  // The model when the restricted query is sat; nullopt when unsat, unknown
  // or out of time (then exhausted() tells which).
  std::optional<z3::model> check_with(const z3::expr& restriction) {
    if (budget_ms_ != 0) {
      const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
      if (spent >= budget_ms_) {
        exhausted_ = true;
        return std::nullopt;
      }
      z3::params params(solver_.ctx());
      params.set("timeout", static_cast<unsigned>(budget_ms_ - spent));
      solver_.set(params);
    }
    solver_.push();
    solver_.add(restriction);
    const z3::check_result answer = solver_.check();
    std::optional<z3::model> model;
    if (answer == z3::sat) model = solver_.get_model();
    if (answer == z3::unknown) exhausted_ = true;
    solver_.pop();
    return model;
  }

  bool exhausted() const { return exhausted_; }

 private:
  z3::solver& solver_;
  uint32_t budget_ms_;
  Clock::time_point start_;
  bool exhausted_ = false;
};

}  // namespace

z3::model shrink_counterexample(z3::solver& solver, const SymbolicPacket& packet, z3::model model,
                                uint32_t budget_ms) {
  z3::context& ctx = packet.ctx();
  BoundedChecks checks(solver, budget_ms);
  // Binary search on caplen: some counterexample is at most `longest` bytes
  // long, none is shorter than `shortest`.
  uint32_t shortest = packet.min_length();
  uint32_t longest = evaluate(model, packet.caplen());
  while (shortest < longest) {
    const uint32_t middle = shortest + (longest - shortest) / 2;
    auto shorter = checks.check_with(z3::ule(packet.caplen(), ctx.bv_val(middle, 32)));
    if (checks.exhausted()) break;
    if (shorter) {
      model = *shorter;
      longest = std::min(middle, evaluate(model, packet.caplen()));
    } else {
      shortest = middle + 1;
    }
  }
  if (evaluate(model, packet.wirelen()) != evaluate(model, packet.caplen()) && !checks.exhausted()) {
    const z3::expr length = ctx.bv_val(evaluate(model, packet.caplen()), 32);
    if (auto whole = checks.check_with(packet.caplen() == length && packet.wirelen() == length)) model = *whole;
  }
  return model;
}

}  // namespace bpfc::runtime::equiv

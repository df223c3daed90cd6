// The words check_equivalence's results are described with.
#include "bpfc/runtime/equivalence.h"

namespace bpfc::runtime {

const char* to_string(EquivalenceVerdict verdict) {
  switch (verdict) {
    case EquivalenceVerdict::Equivalent:
      return "equivalent";
    case EquivalenceVerdict::Different:
      return "different";
    case EquivalenceVerdict::Unknown:
      break;
  }
  return "unknown";
}

const char* describe(UnknownReason reason) {
  switch (reason) {
    case UnknownReason::None:
      return "decided";
    case UnknownReason::Timeout:
      return "the solver ran out of time";
    case UnknownReason::LoopBound:
      return "a loop may run longer than the checker follows it";
    case UnknownReason::SolverGaveUp:
      return "the solver gave up";
    case UnknownReason::EncodingMismatch:
      return "internal error: the solver's counterexample does not replay in run_cbpf";
  }
  return "unknown reason";
}

}  // namespace bpfc::runtime

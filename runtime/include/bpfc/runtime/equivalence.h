// Translation validation for classic BPF: decides with the Z3 SMT solver
// whether two programs return the same value for every packet up to a given
// length, and when they do not, produces a packet on which they differ.
//
// The question asked is exactly about run_cbpf() (libpcap's bpf_filter()
// semantics, see cbpf_vm.h): every captured byte is unknown, the captured
// length (caplen) ranges over min_length..max_length, and the wire length
// (what `len` reads) is any 32-bit value at least caplen, as on a real
// capture. A load past caplen (with x + k of an indirect load computed
// without 32-bit wrap-around), a division by X == 0 and the opcodes run_cbpf
// refuses end the program with 0; shifts by 32 or more yield 0; scratch
// memory starts zeroed. Loops (backward `ja`, libpcap's protochain code)
// are unrolled as far as run_cbpf lets them run: it ends a run with 0 after
// (number of backward `ja`) * (2 * caplen + 2) backward jumps; the answer
// is Unknown when that is more rounds than the checker unrolls (long
// packets).
//
// "Equivalent" is a proof for the packets in the range and says nothing about
// longer ones. Every "Different" answer has been replayed through run_cbpf:
// the counterexample's values are what the two programs really return.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::runtime {

enum class EquivalenceComparison {
  ReturnValue,  // the same 32-bit value (the snapshot length kept), the default
  Verdict,      // the same accept/reject decision (zero vs non-zero)
};

// The largest max_length accepted: the formula grows with the length times
// the number of indirect loads, and solving time with it.
inline constexpr uint32_t kMaxEquivalencePacketLength = 16384;

struct EquivalenceOptions {
  uint32_t min_length = 0;    // smallest caplen considered
  uint32_t max_length = 128;  // largest caplen considered (every byte symbolic)
  EquivalenceComparison compare = EquivalenceComparison::ReturnValue;
  uint32_t timeout_ms = 10000;  // for deciding; 0 means no limit
  // Search for the shortest counterexample (and wirelen == caplen where that
  // still differs), with up to timeout_ms more of solver time: a few more
  // queries, worth it for people, not for bulk testing.
  bool shortest_counterexample = true;
};

enum class EquivalenceVerdict {
  Equivalent,  // proved: no packet in the range tells the programs apart
  Different,   // a counterexample exists and was confirmed with run_cbpf
  Unknown,     // undecided; unknown_reason says why
};

enum class UnknownReason {
  None,             // the verdict is not Unknown
  Timeout,          // the solver ran out of time (timeout_ms)
  LoopBound,        // a loop (backward `ja`) may run more rounds than the checker unrolls
  SolverGaveUp,     // the solver answered "unknown" for another reason (memory, interruption)
  EncodingMismatch, // the solver's model disagrees with run_cbpf: a bug in the encoding
};

struct Counterexample {
  std::vector<uint8_t> packet;  // the captured bytes; caplen is packet.size()
  uint32_t wirelen = 0;         // >= packet.size()
  uint32_t value_a = 0;         // run_cbpf(a, packet, wirelen)
  uint32_t value_b = 0;         // run_cbpf(b, packet, wirelen)
};

struct EquivalenceResult {
  EquivalenceVerdict verdict = EquivalenceVerdict::Unknown;
  UnknownReason unknown_reason = UnknownReason::None;
  std::optional<Counterexample> counterexample;  // set when Different
  std::string message;  // one line for people: the verdict and the range, or why unknown
  double solver_ms = 0;  // wall time of encoding and solving
};

// Decides whether `a` and `b` agree (per options.compare) on every packet
// whose caplen lies in options.min_length..options.max_length. Fails with a
// diagnostic when a program does not pass validate_cbpf (libpcap's rules) or
// the options are out of range. Thread-safe: each call has its own solver.
Result<EquivalenceResult> check_equivalence(const cbpf::Program& a, const cbpf::Program& b,
                                            const EquivalenceOptions& options = {});

// The same check, for many pairs in a row: the solver's context is created
// once and reused, which makes small queries several times cheaper. One
// checker must not be used by two threads at once.
class EquivalenceChecker {
 public:
  EquivalenceChecker();
  ~EquivalenceChecker();
  EquivalenceChecker(EquivalenceChecker&&) noexcept;
  EquivalenceChecker& operator=(EquivalenceChecker&&) noexcept;

  Result<EquivalenceResult> check(const cbpf::Program& a, const cbpf::Program& b,
                                  const EquivalenceOptions& options = {});

 private:
  struct Context;  // Z3's, kept out of this header
  std::unique_ptr<Context> context_;
};

// "equivalent", "different", "unknown".
const char* to_string(EquivalenceVerdict verdict);
// A phrase: "the solver timed out", "a backward jump ...", ...
const char* describe(UnknownReason reason);

}  // namespace bpfc::runtime

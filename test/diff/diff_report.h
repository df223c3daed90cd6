// Running bpfc's program and a reference program over the same packets with
// one interpreter (libpcap's bpf_filter), and the bookkeeping of a whole
// differential run: counts, the first mismatches in detail, unsupported
// constructs and hard failures.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/frontend/compile_context.h"
#include "bpfc/frontend/resolver.h"
#include "libpcap_oracle.h"
#include "packets.h"

namespace bpfc::difftest {

// One expression with the options it is compiled with.
struct Subject {
  std::string label;  // corpus entry name, or "generated #N"
  std::string expr;
  uint32_t linktype = 1;
  uint32_t snaplen = 262144;
  std::optional<uint32_t> netmask;
  int opt_level = 2;  // 0 for corpus entries libpcap compiles unoptimized only
  CompileContext context = CompileContext::Dead;
};

struct BpfcCompilation {
  std::optional<cbpf::Program> program;
  std::string error;         // the first diagnostic's message when it failed
  bool unsupported = false;  // bpfc said the construct is "not supported"
  // What bpfc offers the Linux kernel: `program` itself, or, when that holds
  // a protochain loop (a backward jump, for user space only), the unrolled
  // protochain form at its default depth. Set with `program`.
  std::optional<cbpf::Program> kernel_program;
  // For a program with a protochain loop, the unrolled form at the largest
  // depth: it follows every chain the test packets hold (the savefiles'
  // longest has about 100 headers), so it must give libpcap's verdicts.
  std::optional<cbpf::Program> deep_unrolled_program;
};

BpfcCompilation compile_with_bpfc(const Subject& subject, const NameResolver& resolver);

// Whether `program` jumps backward (a protochain loop).
bool has_backward_jump(const cbpf::Program& program);

// Views on which `program` returns a value none of the references returns.
uint64_t count_disagreements(const cbpf::Program& program, const std::vector<NamedProgram>& references,
                             const std::vector<PacketView>& views);

// True when every reference returns 0 on every view: what bpfc's "expression
// rejects all packets" claims. libpcap's optimizer does not always notice
// (it may leave `jeq` chains that all end in `ret #0`), so bpfc refusing a
// filter that way is accepted when the claim holds on every test packet.
bool rejects_every_view(const std::vector<NamedProgram>& references, const std::vector<PacketView>& views);

inline constexpr const char* kRejectsAllPackets = "expression rejects all packets";

class DiffReport {
 public:
  explicit DiffReport(std::string title) : title_(std::move(title)) {}

  // Runs bpfc's program and the references over every view; on each, bpfc
  // must return what at least one reference returns. Records every view where
  // it does not; returns true when there is none.
  bool compare(const Subject& subject, const cbpf::Program& bpfc, const std::vector<NamedProgram>& references,
               const std::vector<PacketView>& views);

  void record_unsupported(const Subject& subject, const std::string& message);
  // Anything that fails the suite other than a verdict mismatch.
  void record_failure(const Subject& subject, const std::string& what);
  void record_validate_failure(const Subject& subject, const cbpf::Program& bpfc);
  // A counter printed with the summary (skipped entries, both-rejected...).
  void count(const std::string& what, uint64_t n = 1);

  // Every link type libpcap compiles for is modelled: an expression bpfc
  // refuses as unsupported fails the suite like any other refusal.
  bool passed() const {
    return mismatches_ == 0 && failures_.empty() && validate_failures_ == 0 && unsupported_.empty();
  }
  uint64_t mismatches() const { return mismatches_; }
  void print(std::ostream& out) const;
  void print_comparison_summary(std::ostream& out) const;
  std::string failure_digest() const;  // for the gtest failure message

 private:
  struct ReferenceVerdict {
    std::string name, listing;
    uint32_t verdict = 0;
  };
  struct Mismatch {
    Subject subject;
    std::string packet_hex, origin, bpfc_listing;
    uint32_t caplen = 0, wirelen = 0, bpfc_verdict = 0;
    std::vector<ReferenceVerdict> references;
  };
  static constexpr size_t kMismatchesShown = 5;
  static constexpr size_t kMessagesShown = 40;

  std::string title_;
  uint64_t expressions_ = 0, comparisons_ = 0, mismatches_ = 0, mismatching_expressions_ = 0;
  uint64_t validate_failures_ = 0;
  uint64_t split_references_ = 0;  // views where the references disagree among themselves
  size_t min_views_ = SIZE_MAX, max_views_ = 0;
  std::vector<Mismatch> shown_;
  std::vector<std::string> unsupported_, failures_;
  std::vector<std::pair<std::string, uint64_t>> counters_;
};

}  // namespace bpfc::difftest

// The pieces of representative list compilation (lists/representatives.h),
// shared by its files and by nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "bpfc/frontend/ast.h"
#include "gencode/machine.h"

namespace bpfc::lower::sets {

// What makes terms "like": the same primitive with the same qualifiers and
// the same mask, so that they differ only in the constant they compare with.
enum class TermKind : uint8_t { Address, NetPrefix, NetMask, Port };

struct TermKey {
  TermKind kind = TermKind::Address;
  ast::Proto proto = ast::Proto::Default;
  ast::LinkWord link_word = ast::LinkWord::None;
  ast::Dir dir = ast::Dir::Default;
  ast::AddrType type = ast::AddrType::Default;
  uint32_t mask = 0;         // the network mask (all ones for hosts, 0 for ports)
  uint32_t prefix_len = 0;   // NetPrefix only
  bool negated = false;      // `not TERM`, in an `and` run
  bool operator==(const TermKey&) const = default;
};

// A term of a list: its key and the constant it compares the field with.
struct ListTerm {
  TermKey key;
  uint32_t constant = 0;
};

// The list term `e` is, if it is one (a `not TERM` when `negated`).
std::optional<ListTerm> list_term(const ast::Expr& e, bool negated);

// The operands of a chain of one boolean operator (`a or (b or c)` gives
// a, b, c), in source order; `e` itself when it is not that operator.
std::vector<const ast::Expr*> flatten(const ast::Expr& e, bool is_or);

struct ListRun {
  const ast::Expr* first = nullptr;  // its first operand in the flattened list
  size_t length = 0;                 // operands it spans
  TermKey key;
  std::vector<uint32_t> constants;   // distinct, in list order
  // Two disjoint choices of kRepresentatives fresh constants: the program is
  // built with each, and what the two builds share is everything else.
  std::vector<uint32_t> sentinels[2];
};

struct ListRuns {
  std::vector<ListRun> runs;
  std::unordered_map<const ast::Expr*, size_t> run_at;  // first operand -> index in runs
};

// Maximal runs of at least `threshold` like terms with at least
// kRepresentatives distinct constants.
ListRuns find_list_runs(const ast::Expr& root, size_t threshold);

// Picks the sentinels of every run (`attempt` varies them): valid constants
// for the run's primitive, distinct from every run's constants and from each
// other. False when some run has no room for them.
bool choose_sentinels(ListRuns& runs, unsigned attempt);

// A copy of `filter` in which every run is replaced by kRepresentatives
// terms like its first, comparing with sentinels[choice].
ast::Filter representative_filter(const ast::Filter& filter, const ListRuns& runs, int choice);

// The constants of the two builds (sentinels[0] and sentinels[1]) other than
// the sentinels are the same set, every sentinel appears, and only as the
// constant of a `jeq`: then a sentinel in the program is exactly a run's
// comparison, and the other constants are known.
bool sentinels_explain_constants(const MachineProgram& with_first, const MachineProgram& with_second,
                                 const ListRuns& runs);

// Whether libpcap's optimizer could relate a run's comparisons to another
// test (one comparing the same field with one of the run's constants, or
// another run's comparisons of that field sharing constants with it): then
// the sentinels would not behave as the real constants do.
bool runs_may_interact(const MachineProgram& unoptimized, const ListRuns& runs);

// Rewrites, in the optimized program built with sentinels[0], every chain of
// `jeq` over a run's sentinels into the chain over all its constants. False
// (program unspecified) when a sentinel is not where a chain link must be.
bool expand_representative_chains(MachineProgram& program, const ListRuns& runs);

}  // namespace bpfc::lower::sets

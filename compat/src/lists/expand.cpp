// Turning chains over a run's sentinels into chains over its constants.
//
// In the optimized program a run's test of one field is a chain of blocks
//   [loads] jeq #s1 -> hit | jeq #s2 -> hit | ... | jeq #sR -> hit | miss
// where the later blocks compute nothing, or (masked fields: `net`) repeat
// exactly the statements of the link before them, as libpcap leaves
// `ld [26]; and #0xffffff00` in every link. Chains that libpcap merged share
// their later links, so every link of position i > 1 is entered only from
// links of position i - 1. Renaming s_i to the run's i-th constant and
// continuing each last link with the run's remaining constants gives the
// chain libpcap builds for the whole run. The new links compute nothing
// (libpcap's repeat the last link's statements): each is entered only from
// the link before it, so A is still the value that link tested.
#include <unordered_map>

#include "lists/detail.h"
#include "lists/representatives.h"

namespace bpfc::lower::sets {

namespace {

using namespace bpf;

struct Link {
  size_t run;
  size_t position;  // 0-based index into the run's sentinels
};

bool same_statements(const std::vector<Stmt>& a, const std::vector<Stmt>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].code != b[i].code || a[i].k != b[i].k) return false;
  }
  return true;
}

std::vector<uint8_t> reachable_blocks(const MachineProgram& p) {
  std::vector<uint8_t> seen(p.blocks.size(), 0);
  std::vector<int> pending{p.root};
  while (!pending.empty()) {
    const int b = pending.back();
    pending.pop_back();
    if (b == kNoBlock || seen[static_cast<size_t>(b)]) continue;
    seen[static_cast<size_t>(b)] = 1;
    const MachineBlock& mb = p.blocks[static_cast<size_t>(b)];
    if (op_class(mb.jump.code) == kRet) continue;
    pending.push_back(mb.jt);
    if (mb.jump.code != (kJmp | kJa)) pending.push_back(mb.jf);
  }
  return seen;
}

}  // namespace

bool expand_representative_chains(MachineProgram& p, const ListRuns& runs) {
  std::unordered_map<uint32_t, Link> link_of_sentinel;
  for (size_t r = 0; r < runs.runs.size(); ++r) {
    const auto& sentinels = runs.runs[r].sentinels[0];
    for (size_t i = 0; i < sentinels.size(); ++i) link_of_sentinel.emplace(sentinels[i], Link{r, i});
  }
  const std::vector<uint8_t> reachable = reachable_blocks(p);
  const size_t n = p.blocks.size();
  auto link_at = [&](int b) -> std::optional<Link> {
    if (b == kNoBlock) return std::nullopt;
    const MachineBlock& mb = p.blocks[static_cast<size_t>(b)];
    if (mb.jump.code != (kJmp | kJeq | kK)) return std::nullopt;
    auto it = link_of_sentinel.find(mb.jump.k);
    if (it == link_of_sentinel.end()) return std::nullopt;
    return it->second;
  };

  // Check every link and count, per block, the links that enter it.
  std::vector<uint32_t> entries(n, 0), link_entries(n, 0);
  std::vector<std::pair<int, size_t>> tails;  // block, run
  for (size_t b = 0; b < n; ++b) {
    if (!reachable[b]) continue;
    const MachineBlock& mb = p.blocks[b];
    for (const Stmt& s : mb.stmts) {
      // Sentinels were checked to appear only as `jeq` constants before the
      // optimizer; it must not have moved one into a statement.
      if ((op_class(s.code) == kLd || op_class(s.code) == kLdx) && op_mode(s.code) == kImm &&
          link_of_sentinel.count(s.k)) {
        return false;
      }
      if (op_class(s.code) == kAlu && op_src(s.code) == kK && link_of_sentinel.count(s.k)) return false;
    }
    if (op_class(mb.jump.code) == kJmp && mb.jump.code != (kJmp | kJeq | kK) && op_src(mb.jump.code) == kK &&
        mb.jump.code != (kJmp | kJa) && link_of_sentinel.count(mb.jump.k)) {
      return false;
    }
    if (op_class(mb.jump.code) != kRet) {
      ++entries[static_cast<size_t>(mb.jt)];
      if (mb.jump.code != (kJmp | kJa)) ++entries[static_cast<size_t>(mb.jf)];
    }
    const std::optional<Link> link = link_at(static_cast<int>(b));
    if (!link) continue;
    const auto& sentinels = runs.runs[link->run].sentinels[0];
    if (link->position + 1 == sentinels.size()) {
      tails.emplace_back(static_cast<int>(b), link->run);
      continue;
    }
    const std::optional<Link> next = link_at(mb.jf);
    if (!next || next->run != link->run || next->position != link->position + 1) return false;
    const MachineBlock& next_block = p.blocks[static_cast<size_t>(mb.jf)];
    if (next_block.jt != mb.jt) return false;
    // A later link either computes nothing or repeats this link's statements
    // (every link entering it is checked here); so all later links of a chain
    // agree, and the links added below repeat them too.
    if (!next_block.stmts.empty() && !same_statements(next_block.stmts, mb.stmts)) return false;
    ++link_entries[static_cast<size_t>(mb.jf)];
  }
  for (size_t b = 0; b < n; ++b) {
    if (!reachable[b]) continue;
    const std::optional<Link> link = link_at(static_cast<int>(b));
    if (link && link->position > 0 && (entries[b] != link_entries[b] || static_cast<int>(b) == p.root)) {
      return false;
    }
    if (!link && link_entries[b] != 0) return false;
  }

  // Rename every link, then continue every tail with the remaining constants.
  for (size_t b = 0; b < n; ++b) {
    if (!reachable[b]) continue;
    if (const std::optional<Link> link = link_at(static_cast<int>(b))) {
      p.blocks[b].jump.k = runs.runs[link->run].constants[link->position];
    }
  }
  for (const auto& [tail, run_index] : tails) {
    const ListRun* run = &runs.runs[run_index];
    const int hit = p.blocks[static_cast<size_t>(tail)].jt;
    const int miss = p.blocks[static_cast<size_t>(tail)].jf;
    int previous = tail;
    for (size_t i = kRepresentatives; i < run->constants.size(); ++i) {
      // A link entered only from the one before it still has that link's
      // A: it need not recompute it (libpcap repeats `ld; and` there).
      MachineBlock link;
      link.jump = Stmt{kJmp | kJeq | kK, run->constants[i]};
      link.jt = hit;
      link.jf = miss;
      p.blocks.push_back(std::move(link));
      const int id = static_cast<int>(p.blocks.size() - 1);
      p.blocks[static_cast<size_t>(previous)].jf = id;
      previous = id;
    }
  }
  return true;
}

}  // namespace bpfc::lower::sets

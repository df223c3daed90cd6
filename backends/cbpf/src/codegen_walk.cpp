// libpcap's protochain loop, tightened: the same tests in the same order and
// the same two byte reads per step, but each step reads the length byte at
// [x + base + 1] directly instead of moving X there and back, and the
// next-header byte is read last, by both kinds of step, from shared code.
// Reading the two bytes in the other order changes nothing: either read
// failing ends the filter with 0.
//
//   again:  jeq #stop      -> end           the walk found it
//           jeq #59        -> end           no next header
//           jeq #0/60/43/44 -> ext          (IPv6 only)
//           jeq #51        -> ah, else end  anything else ends the walk
//   ah:     ldb [x + base + 1] ; add #2 ; lsh #2       off = (len + 2) * 4
//           ja step                          (only when ext follows)
//   ext:    ldb [x + base + 1] ; add #1 ; lsh #3 ; add x   off += (len + 1) * 8
//   step:   st M[s] ; ldb [x + base] ; ldx M[s]      A = next header, X = off
//           ja again                         (backward)
//   end:
//
// Tests that the stop value already made (e.g. `protochain 59`) are left out.
#include "codegen_walk.h"

#include "bpfc/ir/ir.h"

namespace bpfc::cbpf::detail {
namespace {

// A run of instructions whose jumps name labels (instruction indices within
// the run; the run's length is the label just past it).
class LoopAssembler {
 public:
  uint32_t here() const { return static_cast<uint32_t>(code_.size()); }

  void stmt(uint16_t code, uint32_t k = 0) { code_.push_back({cbpf::stmt(code, k), kNone, kNone}); }
  void jeq(uint32_t k, uint32_t on_true, uint32_t on_false) {
    code_.push_back({jump(JMP | JEQ | K, k, 0, 0), on_true, on_false});
  }
  void ja(uint32_t target) { code_.push_back({cbpf::stmt(JMP | JA, 0), target, kNone}); }

  // Labels may be set after the jumps that name them.
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t& target_of(uint32_t at, bool on_true) { return on_true ? code_[at].on_true : code_[at].on_false; }

  std::vector<Insn> finish() const {
    std::vector<Insn> out;
    out.reserve(code_.size());
    for (uint32_t i = 0; i < code_.size(); ++i) {
      Insn insn = code_[i].insn;
      const uint32_t from = i + 1;
      if (insn.code == (JMP | JA)) {
        insn.k = code_[i].on_true - from;  // wraps for backward jumps: libpcap's encoding
      } else if (insn_class(insn.code) == JMP) {
        insn.jt = static_cast<uint8_t>(code_[i].on_true - from);
        insn.jf = static_cast<uint8_t>(code_[i].on_false - from);
      }
      out.push_back(insn);
    }
    return out;
  }

 private:
  struct Item {
    Insn insn;
    uint32_t on_true;  // jeq: when equal; ja: the target
    uint32_t on_false;
  };
  std::vector<Item> code_;
};

}  // namespace

std::vector<Insn> walk_loop(const Walk& walk) {
  namespace pc = ir::protochain;
  std::vector<uint32_t> ending;  // values that end the walk
  ending.push_back(walk.stop);
  if (walk.stop != pc::kNoNextHeader) ending.push_back(pc::kNoNextHeader);
  std::vector<uint32_t> extensions;
  if (walk.ip_version == 6) {
    for (uint32_t e : {pc::kHopByHop, pc::kDestinationOptions, pc::kRouting, pc::kFragment}) {
      if (e != walk.stop) extensions.push_back(e);
    }
  }
  const bool follows_ah = walk.stop != pc::kAh;
  if (extensions.empty() && !follows_ah) return {};  // it never takes a step: A is the result

  // Forward labels are patched once known; `end` is the run's length.
  LoopAssembler a;
  std::vector<uint32_t> to_end, to_ext;
  const uint32_t again = a.here();
  for (uint32_t k : ending) {
    to_end.push_back(a.here());
    a.jeq(k, 0, a.here() + 1);
  }
  for (uint32_t k : extensions) {
    to_ext.push_back(a.here());
    a.jeq(k, 0, a.here() + 1);
  }
  uint32_t to_step = LoopAssembler::kNone;
  if (follows_ah) {
    const uint32_t ah_test = a.here();
    a.jeq(pc::kAh, ah_test + 1, 0);
    a.stmt(LD | B | IND, walk.base + 1);
    a.stmt(ALU | ADD | K, 2);
    a.stmt(ALU | LSH | K, 2);
    if (!extensions.empty()) {
      to_step = a.here();
      a.ja(0);
    }
    to_end.push_back(ah_test);  // its "no" ends the walk
  } else {
    // The last extension test's "no" ends the walk.
    to_end.push_back(to_ext.back());
  }
  const uint32_t ext = a.here();
  if (!extensions.empty()) {
    a.stmt(LD | B | IND, walk.base + 1);
    a.stmt(ALU | ADD | K, 1);
    a.stmt(ALU | LSH | K, 3);
    a.stmt(ALU | ADD | X);
  }
  const uint32_t step = a.here();
  a.stmt(ST, walk.slot);
  a.stmt(LD | B | IND, walk.base);
  a.stmt(LDX | W | MEM, walk.slot);
  a.ja(again);
  const uint32_t end = a.here();

  for (uint32_t at : to_ext) a.target_of(at, true) = ext;
  for (size_t i = 0; i < ending.size(); ++i) a.target_of(to_end[i], true) = end;
  for (size_t i = ending.size(); i < to_end.size(); ++i) a.target_of(to_end[i], false) = end;
  if (to_step != LoopAssembler::kNone) a.target_of(to_step, true) = step;
  return a.finish();
}

void expand_walks(std::vector<MBlock>& blocks, const std::vector<Walk>& walks) {
  for (MBlock& block : blocks) {
    if (!block.present) continue;
    std::vector<Insn> body;
    body.reserve(block.body.size());
    bool expanded = false;
    for (const Insn& insn : block.body) {
      if (insn.code != kWalkPseudo) {
        body.push_back(insn);
        continue;
      }
      std::vector<Insn> loop = walk_loop(walks[insn.k]);
      body.insert(body.end(), loop.begin(), loop.end());
      expanded = true;
    }
    if (expanded) block.body = std::move(body);
  }
}

}  // namespace bpfc::cbpf::detail

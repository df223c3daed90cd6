// The bounded protochain walk: each ir::Op::Protochain becomes `depth`
// rounds of loop-free code, for targets that cannot loop (the Linux
// kernel's classic BPF).
//
// For a walk `w = protochain.ipV nh, off [base] stop S` in block B, B is cut
// after the walk; the rest of B (and its terminator) moves to a new block T
// where w becomes a phi of the values the walk can end with. In between, for
// r = 0 .. depth - 1 (nh_0 = nh, off_0 = off):
//
//   round r:  br eq nh_r, S   -> T (nh_r)
//             br eq nh_r, 59  -> T (nh_r)
//             br eq nh_r, 0 / 60 / 43 / 44 -> ext_r        (IPv6)
//             br eq nh_r, 51  -> ah_r, else T (nh_r)
//   ext_r:    off' = off_r + (P[base + off_r + 1] + 1) << 3
//   ah_r:     off' = (P[base + off_r + 1] + 2) << 2
//   step_r:   off_{r+1} = phi(ext_r: off', ah_r: off');  nh_{r+1} = P[base + off_r]
//
// and a last round `depth` whose extension and AH outcomes lead to a block
// that returns 0. Each step reads the same two bytes as the walk (in the
// other order, which changes nothing: either read failing ends the filter).
// The new blocks sit between B and T, so edges keep going forward.
#include <optional>
#include <string>
#include <vector>

#include "bpfc/optimizer/legalize.h"
#include "cfg_edit.h"
#include "entry_constants.h"

namespace bpfc::opt {
namespace {

namespace pc = ir::protochain;
using ir::BlockId;
using ir::ValueId;

// Makes room for `count` blocks right after `after`: blocks after it move up
// by `count`, with every reference to them.
void insert_blocks_after(ir::Function& f, BlockId after, uint32_t count) {
  auto shifted = [&](BlockId b) { return b != ir::kNoBlock && b > after ? b + count : b; };
  for (ir::Block& block : f.blocks) {
    block.term.on_true = shifted(block.term.on_true);
    block.term.on_false = shifted(block.term.on_false);
  }
  for (ir::Inst& inst : f.values) {
    inst.block = shifted(inst.block);
    for (ir::PhiIncoming& in : inst.incoming) in.block = shifted(in.block);
  }
  f.blocks.insert(f.blocks.begin() + after + 1, count, ir::Block{});
}

class WalkUnroller {
 public:
  WalkUnroller(ir::Function& f, uint32_t depth) : f_(f), depth_(depth) {}

  ProtochainUnrolling run() {
    ProtochainUnrolling report;
    report.depth = depth_;
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      for (size_t i = 0; i < f_.blocks[b].insts.size(); ++i) {
        const ValueId v = f_.blocks[b].insts[i];
        if (f_.values[v].op != ir::Op::Protochain) continue;
        (f_.values[v].size == 6 ? report.ipv6_walks : report.ipv4_walks) += 1;
        unroll(b, i);
        break;  // the rest of b moved to a later block, which the scan reaches
      }
    }
    return report;
  }

 private:
  // The blocks of one round, in order.
  struct Round {
    std::vector<BlockId> tests;  // stop, 59, the extensions, AH
    BlockId ext = ir::kNoBlock;
    BlockId ah = ir::kNoBlock;
    BlockId step = ir::kNoBlock;
  };

  std::vector<uint32_t> extensions(const ir::Inst& walk) const {
    if (walk.size != 6) return {};
    return {pc::kHopByHop, pc::kDestinationOptions, pc::kRouting, pc::kFragment};
  }

  void unroll(BlockId b, size_t at) {
    const ValueId w = f_.blocks[b].insts[at];
    const ir::Inst walk = f_.values[w];
    const size_t ext_count = extensions(walk).size();
    const uint32_t tests = 3 + static_cast<uint32_t>(ext_count);
    // Rounds 0 .. depth-1 step; round `depth` only tests; then the reject
    // block and the tail.
    const uint32_t per_round = tests + (ext_count > 0 ? 3 : 1);
    const uint32_t count = depth_ * per_round + tests + 2;
    insert_blocks_after(f_, b, count);

    std::vector<Round> rounds(depth_ + 1);
    BlockId next = b + 1;
    for (uint32_t r = 0; r <= depth_; ++r) {
      for (uint32_t t = 0; t < tests; ++t) rounds[r].tests.push_back(next++);
      if (r == depth_) break;
      if (ext_count > 0) rounds[r].ext = next++;
      rounds[r].ah = next++;
      rounds[r].step = ext_count > 0 ? next++ : rounds[r].ah;
    }
    const BlockId reject = next++;
    const BlockId tail = next++;

    // The rest of b goes to the tail, where the walk's value becomes a phi.
    ir::Block& head = f_.blocks[b];
    std::vector<ValueId> rest(head.insts.begin() + static_cast<std::ptrdiff_t>(at) + 1, head.insts.end());
    head.insts.resize(at);
    f_.blocks[tail].insts.push_back(w);
    for (ValueId v : rest) {
      f_.blocks[tail].insts.push_back(v);
      f_.values[v].block = tail;
    }
    f_.blocks[tail].term = head.term;
    for (BlockId s : ir::successors(f_.blocks[tail])) rename_phi_inputs_from(f_, s, b, tail);
    // Indexed now: constants that were after the walk in the entry moved.
    constants_.emplace(f_);
    ir::Builder bld(f_);
    bld.set_block(b);
    bld.jump(rounds[0].tests.front());

    std::vector<ir::PhiIncoming> results;
    ValueId nh = walk.a, off = walk.b;
    for (uint32_t r = 0; r <= depth_; ++r) {
      const Round& round = rounds[r];
      const bool last = r == depth_;
      const BlockId ext = last ? reject : round.ext;
      const BlockId ah = last ? reject : round.ah;
      size_t t = 0;
      auto test = [&](uint32_t k, BlockId on_true, BlockId on_false) {
        const BlockId block = round.tests[t++];
        bld.set_block(block);
        bld.branch(ir::Cond::Eq, nh, constants_->get(k), on_true, on_false);
        if (on_true == tail || on_false == tail) results.push_back({block, nh});
      };
      test(walk.stop, tail, round.tests[t + 1]);
      test(pc::kNoNextHeader, tail, round.tests[t + 1]);
      for (uint32_t e : extensions(walk)) test(e, ext, round.tests[t + 1]);
      test(pc::kAh, ah, tail);
      if (last) break;

      const uint32_t length_at = walk.imm + 1;
      ValueId off_ext = ir::kNoValue;
      if (round.ext != ir::kNoBlock) {
        bld.set_block(round.ext);
        ValueId length = bld.load(1, off, length_at);
        ValueId words = bld.binary(ir::Op::Add, length, constants_->get(1));
        off_ext = bld.binary(ir::Op::Add, off, bld_shift(bld, words, 3));
        bld.jump(round.step);
      }
      bld.set_block(round.ah);
      ValueId length = bld.load(1, off, length_at);
      ValueId off_ah = bld_shift(bld, bld.binary(ir::Op::Add, length, constants_->get(2)), 2);
      ValueId next_off = off_ah;
      if (round.ext != ir::kNoBlock) {
        bld.jump(round.step);
        bld.set_block(round.step);
        next_off = bld.phi({{round.ext, off_ext}, {round.ah, off_ah}});
      }
      const ValueId next_nh = bld.load(1, off, walk.imm);
      bld.jump(rounds[r + 1].tests.front());
      nh = next_nh;
      off = next_off;
    }
    bld.set_block(reject);
    bld.ret(constants_->get(0));

    constants_->place();

    ir::Inst& result = f_.values[w];
    result = ir::Inst{};
    result.op = ir::Op::Phi;
    result.block = tail;
    result.incoming = std::move(results);
  }

  ValueId bld_shift(ir::Builder& bld, ValueId v, uint32_t by) {
    return bld.binary(ir::Op::Shl, v, constants_->get(by));
  }

  ir::Function& f_;
  uint32_t depth_;
  std::optional<EntryConstants> constants_;
};

}  // namespace

ProtochainUnrolling unroll_protochain(ir::Function& f, uint32_t depth) {
  if (depth == 0) depth = 1;
  return WalkUnroller(f, depth).run();
}

std::string describe(const ProtochainUnrolling& unrolled) {
  if (!unrolled.any()) return {};
  const std::string n = std::to_string(unrolled.depth);
  std::string headers;
  if (unrolled.ipv6_walks > 0 && unrolled.ipv4_walks > 0) {
    headers = n + " headers (IPv6 extension headers, or AH headers after IPv4)";
  } else if (unrolled.ipv6_walks > 0) {
    headers = n + " IPv6 extension headers";
  } else {
    headers = n + " AH headers";
  }
  return "protochain follows at most " + headers +
         "; a packet with more before the protocol looked for is rejected, where libpcap "
         "follows any number";
}

}  // namespace bpfc::opt

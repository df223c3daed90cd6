#include "random_ir.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace bpfc::testing {
namespace {

using ir::BlockId;
using ir::Op;
using ir::ValueId;

// Also the next-header values a protochain walk steps over or stops at.
constexpr uint8_t kPacketAlphabet[] = {0x00, 0x01, 0x02, 0x04, 0x0f, 0x45, 0x80, 0xff, 0x2b, 0x2c, 0x33, 0x3b, 0x3c};

uint32_t pick(std::mt19937& rng, uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); }
bool chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

class Generator {
 public:
  Generator(std::mt19937& rng, const RandomIrShape& shape) : rng_(rng), shape_(shape), b_(f_) {}

  ir::Function run() {
    const uint32_t n = shape_.min_blocks + pick(rng_, shape_.max_blocks - shape_.min_blocks + 1);
    for (uint32_t i = 0; i < n; ++i) b_.new_block();
    plan_edges(n);
    compute_dominators(n);
    defined_.resize(n);
    for (BlockId blk = 0; blk < n; ++blk) fill_block(blk);
    return std::move(f_);
  }

 private:
  struct Edges {
    ir::TermKind kind = ir::TermKind::Ret;
    BlockId on_true = ir::kNoBlock;
    BlockId on_false = ir::kNoBlock;
  };

  BlockId target_after(BlockId blk, uint32_t n) {
    const uint32_t ahead = n - blk - 1;
    if (chance(rng_, shape_.far_jump_chance)) return blk + 1 + pick(rng_, ahead);
    return blk + 1 + pick(rng_, std::min<uint32_t>(ahead, 3));
  }

  // Every block but the first gets a predecessor before it, so all are
  // reachable; the last block returns.
  void plan_edges(uint32_t n) {
    edges_.resize(n);
    preds_.assign(n, {});
    for (BlockId blk = 0; blk + 1 < n; ++blk) {
      Edges& e = edges_[blk];
      const bool next_needs_pred = preds_[blk + 1].empty();
      const uint32_t roll = pick(rng_, 10);
      if (!next_needs_pred && roll == 0) {
        e.kind = ir::TermKind::Ret;
      } else if (roll <= 2) {
        e.kind = ir::TermKind::Jump;
        e.on_true = next_needs_pred ? blk + 1 : target_after(blk, n);
      } else {
        e.kind = ir::TermKind::Branch;
        e.on_true = target_after(blk, n);
        e.on_false = target_after(blk, n);
        if (next_needs_pred) (chance(rng_, 0.5) ? e.on_true : e.on_false) = blk + 1;
      }
      for (BlockId s : {e.on_true, e.on_false}) {
        if (s != ir::kNoBlock && std::find(preds_[s].begin(), preds_[s].end(), blk) == preds_[s].end()) {
          preds_[s].push_back(blk);
        }
      }
    }
  }

  void compute_dominators(uint32_t n) {
    idom_.assign(n, ir::kNoBlock);
    for (BlockId blk = 1; blk < n; ++blk) {
      BlockId common = ir::kNoBlock;
      for (BlockId p : preds_[blk]) {
        if (common == ir::kNoBlock) {
          common = p;
          continue;
        }
        BlockId x = p;
        while (x != common) {
          if (x > common) x = idom_[x]; else common = idom_[common];
        }
      }
      idom_[blk] = common;
    }
  }

  // Values available at the end of `blk`: its own and its dominators'.
  std::vector<ValueId> available_at_end(BlockId blk) const {
    std::vector<ValueId> out;
    for (BlockId d = blk; d != ir::kNoBlock; d = idom_[d]) out.insert(out.end(), defined_[d].begin(), defined_[d].end());
    std::sort(out.begin(), out.end());
    return out;
  }

  // A constant; never one that makes a certain trap when those are off.
  ValueId fresh_constant() {
    uint32_t k = interesting_constant(rng_);
    if (!shape_.certain_traps) k %= 0x10000;
    return define(b_.constant(k));
  }

  ValueId choose(const std::vector<ValueId>& avail) {
    if (avail.empty() || chance(rng_, 0.15)) return fresh_constant();
    if (chance(rng_, 0.8)) {
      uint32_t window = std::min<uint32_t>(shape_.operand_window, static_cast<uint32_t>(avail.size()));
      return avail[avail.size() - 1 - pick(rng_, window)];
    }
    return avail[pick(rng_, static_cast<uint32_t>(avail.size()))];
  }

  // Like choose(), but avoids constants when it can (a branch on two
  // constants is decided at compile time; a load at a constant index is
  // absolute).
  ValueId choose_variable(const std::vector<ValueId>& avail) {
    for (int attempt = 0; attempt < 8 && !avail.empty(); ++attempt) {
      ValueId v = avail[avail.size() - 1 - pick(rng_, std::min<uint32_t>(shape_.operand_window, static_cast<uint32_t>(avail.size())))];
      if (f_.values[v].op != Op::Const) return v;
    }
    return choose(avail);
  }

  ValueId define(ValueId v) {
    defined_[b_.current_block()].push_back(v);
    available_.push_back(v);
    return v;
  }

  uint32_t offset() {
    switch (pick(rng_, shape_.certain_traps ? 60 : 1000)) {
      case 0: return 0xffffffff - pick(rng_, 4);
      case 1: return 0x80000000u;
      default: return pick(rng_, shape_.max_offset);
    }
  }

  uint8_t load_size() { return std::array<uint8_t, 3>{1, 2, 4}[pick(rng_, 3)]; }

  void random_inst() {
    static constexpr Op kBinary[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Mod, Op::And,
                                     Op::Or,  Op::Xor, Op::Shl, Op::Shr};
    switch (pick(rng_, 13)) {
      case 0: fresh_constant(); break;
      case 1: define(b_.len()); break;
      case 2:
      case 3: define(b_.load_abs(load_size(), offset())); break;
      case 4: {
        // Small indexes keep most loads inside the packet.
        ValueId index = choose_variable(available_);
        if (chance(rng_, 0.4)) {
          index = define(b_.constant(pick(rng_, shape_.max_offset)));
        } else if (chance(rng_, 0.6)) {
          index = define(b_.binary(Op::And, index, define(b_.constant(0x1f))));
          if (chance(rng_, 0.3)) {
            // index - k, written as a wrapping add: the sum wraps back to a
            // small address, which a backend must not confuse with index +
            // (offset - k) computed without wrapping.
            index = define(b_.binary(Op::Add, index, define(b_.constant(0u - (1 + pick(rng_, 8))))));
            define(b_.load(load_size(), index, pick(rng_, 16)));
            break;
          }
        }
        define(b_.load(load_size(), index, pick(rng_, shape_.max_offset)));
        break;
      }
      case 5: {  // the IPv4 header length idiom, in one of its spellings
        ValueId byte = define(b_.load_abs(1, pick(rng_, shape_.max_offset)));
        ValueId low = define(b_.binary(Op::And, byte, define(b_.constant(0xf))));
        ValueId len = chance(rng_, 0.5) ? define(b_.binary(Op::Shl, low, define(b_.constant(2))))
                                        : define(b_.binary(Op::Mul, low, define(b_.constant(4))));
        if (chance(rng_, 0.5)) define(b_.load(load_size(), len, pick(rng_, 8)));
        break;
      }
      case 6: define(b_.neg(choose(available_))); break;
      case 7: {  // sometimes a protochain walk, from a header byte and a small offset
        if (!shape_.protochain_walks || chance(rng_, 0.7)) {
          define(b_.binary(Op::Xor, choose_variable(available_), fresh_constant()));
          break;
        }
        static constexpr uint32_t kStops[] = {6, 17, 0, 43, 44, 51, 59, 60, 0x100};
        ValueId next_header = chance(rng_, 0.7) ? define(b_.load_abs(1, pick(rng_, shape_.max_offset)))
                                                : choose_variable(available_);
        ValueId off = chance(rng_, 0.6) ? define(b_.constant(pick(rng_, 12)))
                                        : define(b_.binary(Op::And, choose_variable(available_), define(b_.constant(0x1f))));
        define(b_.protochain(chance(rng_, 0.5) ? 6 : 4, next_header, off, pick(rng_, shape_.max_offset / 2),
                             kStops[pick(rng_, std::size(kStops))]));
        break;
      }
      default: {
        Op op = kBinary[pick(rng_, std::size(kBinary))];
        ValueId a = choose_variable(available_);
        // Divisors are mostly non-zero constants: a zero ends the run, and
        // too many of those would leave later blocks untested.
        bool divides = op == Op::Div || op == Op::Mod;
        ValueId b = divides && (chance(rng_, 0.75) || !shape_.certain_traps) ? define(b_.constant(1 + pick(rng_, 40)))
                    : chance(rng_, 0.5)          ? fresh_constant()
                                                 : choose(available_);
        if (!divides && chance(rng_, 0.2)) std::swap(a, b);
        define(b_.binary(op, a, b));
        break;
      }
    }
  }

  void fill_block(BlockId blk) {
    b_.set_block(blk);
    available_.clear();
    for (BlockId d = idom_[blk]; d != ir::kNoBlock; d = idom_[d]) {
      available_.insert(available_.end(), defined_[d].begin(), defined_[d].end());
    }
    std::sort(available_.begin(), available_.end());
    if (preds_[blk].size() >= 2 && chance(rng_, shape_.phi_chance)) {
      const uint32_t phis = 1 + pick(rng_, 3);
      for (uint32_t i = 0; i < phis; ++i) {
        std::vector<ir::PhiIncoming> incoming;
        for (BlockId p : preds_[blk]) {
          std::vector<ValueId> at_end = available_at_end(p);
          ValueId v = at_end.empty() || chance(rng_, 0.3) ? ir::kNoValue : at_end[at_end.size() - 1 - pick(rng_, std::min<uint32_t>(4, at_end.size()))];
          incoming.push_back({p, v});
        }
        // Constants for missing incoming values must live in the predecessor.
        for (ir::PhiIncoming& in : incoming) {
          if (in.value != ir::kNoValue) continue;
          b_.set_block(in.block);
          in.value = b_.constant(shape_.certain_traps ? interesting_constant(rng_) : pick(rng_, 0x10000));
          defined_[in.block].push_back(in.value);
        }
        b_.set_block(blk);
        define(b_.phi(std::move(incoming)));
      }
    }
    if (blk == 0) {
      for (uint32_t i = 0; i < shape_.long_lived_values; ++i) {
        ValueId word = define(b_.load_abs(load_size(), pick(rng_, shape_.max_offset)));
        long_lived_.push_back(define(b_.binary(Op::Xor, word, define(b_.constant(interesting_constant(rng_))))));
      }
    }
    const uint32_t count = pick(rng_, shape_.max_insts_per_block + 1);
    for (uint32_t i = 0; i < count; ++i) random_inst();
    if (blk + 1 == f_.blocks.size() && !long_lived_.empty()) {
      ValueId sum = long_lived_.front();
      for (size_t i = 1; i < long_lived_.size(); ++i) sum = define(b_.binary(Op::Add, sum, long_lived_[i]));
      b_.ret(sum);
      return;
    }
    const Edges& e = edges_[blk];
    switch (e.kind) {
      case ir::TermKind::Jump: b_.jump(e.on_true); break;
      case ir::TermKind::Branch: {
        static constexpr ir::Cond kConds[] = {ir::Cond::Eq, ir::Cond::Gt, ir::Cond::Ge, ir::Cond::Set};
        ValueId lhs = choose_variable(available_);
        ValueId rhs = chance(rng_, 0.6) ? fresh_constant() : choose(available_);
        if (chance(rng_, 0.15)) std::swap(lhs, rhs);
        b_.branch(kConds[pick(rng_, 4)], lhs, rhs, e.on_true, e.on_false);
        break;
      }
      default:
        if (shape_.constant_returns || chance(rng_, 0.5)) {
          b_.ret(define(b_.constant(chance(rng_, 0.5) ? 0 : 0x40000)));
        } else {
          b_.ret(choose(available_));
        }
        break;
    }
  }

  std::mt19937& rng_;
  const RandomIrShape& shape_;
  ir::Function f_;
  ir::Builder b_;
  std::vector<Edges> edges_;
  std::vector<std::vector<BlockId>> preds_;
  std::vector<BlockId> idom_;
  std::vector<std::vector<ValueId>> defined_;
  std::vector<ValueId> available_;  // in the block being filled
  std::vector<ValueId> long_lived_;
};

}  // namespace

uint32_t interesting_constant(std::mt19937& rng) {
  static constexpr uint32_t kValues[] = {0, 1, 2, 3, 4, 0xf, 0x45, 0xff, 31, 32, 33, 0x100, 0xffff, 0x80000000u, 0xffffffff};
  if (chance(rng, 0.8)) return kValues[pick(rng, std::size(kValues))];
  return static_cast<uint32_t>(rng());
}

ir::Function random_function(std::mt19937& rng, const RandomIrShape& shape) { return Generator(rng, shape).run(); }

std::vector<uint8_t> random_packet(std::mt19937& rng, uint32_t max_len) {
  // Mostly long packets, so that most loads succeed and later blocks run;
  // sometimes short or empty ones for the out-of-bounds paths.
  uint32_t len = chance(rng, 0.8) ? max_len - pick(rng, std::min<uint32_t>(max_len + 1, 9)) : pick(rng, max_len + 1);
  std::vector<uint8_t> packet(len);
  for (uint8_t& byte : packet) {
    byte = chance(rng, 0.85) ? kPacketAlphabet[pick(rng, std::size(kPacketAlphabet))] : static_cast<uint8_t>(rng());
  }
  return packet;
}

}  // namespace bpfc::testing

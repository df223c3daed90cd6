#include "generator.h"

#include <algorithm>
#include <bit>

#include "machine.h"
#include "value_ranges.h"
#include "vlan_tests.h"

namespace bpfc::ebpf::codegen {
namespace {

uint8_t size_code(uint8_t bytes) { return bytes == 1 ? B : bytes == 2 ? H : W; }

int32_t as_imm(uint32_t value) { return static_cast<int32_t>(value); }

}  // namespace

Generator::Generator(const ir::Function& f, const CodegenOptions& options)
    : f_(f),
      options_(options),
      direct_(options.access == PacketAccess::Direct),
      windowed_(reads_behind_length_guards(options)) {
  reject_ = out_.new_label();
}

void Generator::classify() {
  used_.assign(f_.values.size(), false);
  guard_only_.assign(f_.values.size(), false);
  const auto use = [&](ir::ValueId v) {
    if (v != ir::kNoValue) used_[v] = true;
  };
  for (const ir::Block& block : f_.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f_.value(v);
      use(inst.a);
      use(inst.b);
      for (const ir::PhiIncoming& in : inst.incoming) use(in.value);
      if (inst.op == ir::Op::Caplen && (direct_ || windowed_)) guard_only_[v] = true;
    }
    if (block.term.kind == ir::TermKind::Ret) use(block.term.lhs);
    if (block.term.kind == ir::TermKind::Branch) {
      use(block.term.lhs);
      use(block.term.rhs);
    }
  }
  for (const ir::Block& block : f_.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f_.value(v);
      if (inst.op == ir::Op::Sub && guard_only_[inst.a] && f_.value(inst.b).op == ir::Op::Const) guard_only_[v] = true;
    }
  }
}

// The loads the window serves: checked ones (a guard has proven them inside
// the packet) that end within the window's limit, wherever their index can
// go; indexed ones only where the read is aligned on every path. The
// window's start is placed so that most constant reads are aligned too (on
// Ethernet, the IPv4 addresses at 26 and 30).
//
// Filling the window is a call that costs about as much as two or three
// legacy loads, so it is done where every accepted packet still needs at
// least three reads: a filter that accepts after two loads (a host list)
// keeps legacy loads, and one that accepts only tagged frames (`vlan and
// ...`) fills after the tag test, if at all. It is filled before the first constant read of the
// block that decides so, and every read on a path after it uses it; a
// block is filled only where all paths into it are (a block where paths
// with and without it meet has the others fill it too).
void Generator::plan_window() {
  window_load_.assign(f_.values.size(), false);
  window_fill_.assign(f_.values.size(), false);
  if (!windowed_) return;
  low_zeros_ = known_low_zero_bits(f_);
  std::vector<bool> candidate(f_.values.size(), false);
  std::vector<ir::ValueId> candidates;
  for (const ir::Block& block : f_.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f_.value(v);
      if (inst.op != ir::Op::Load || !inst.checked || !used_[v]) continue;
      const bool indexed = inst.a != ir::kNoValue;
      const uint64_t end = (indexed ? uint64_t{bounds_[inst.a]} : 0) + inst.imm + inst.size;
      if (end > options_.window_limit) continue;
      if (indexed && (options_.unprivileged || low_zeros_[inst.a] < std::countr_zero(unsigned{inst.size}))) continue;
      candidates.push_back(v);
    }
  }
  const auto aligned = [this](ir::ValueId v, uint32_t residue) {
    const ir::Inst& inst = f_.value(v);
    return (residue + inst.imm) % inst.size == 0;
  };
  // The packet's byte 0 at r10 + window_base_, window_base_ = residue (mod 4).
  uint32_t residue = 0;
  size_t best_cost = SIZE_MAX;
  for (uint32_t r = 0; r < 4; ++r) {
    size_t cost = 0;
    for (ir::ValueId v : candidates) {
      // A misaligned constant read takes a few more instructions; a
      // misaligned indexed one stays a legacy load, a call.
      if (!aligned(v, r)) cost += f_.value(v).a == ir::kNoValue ? 1 : 8;
    }
    if (cost < best_cost) best_cost = cost, residue = r;
  }
  for (ir::ValueId v : candidates) candidate[v] = f_.value(v).a == ir::kNoValue || aligned(v, residue);

  // The fewest window reads from each block's start to an accepting return
  // (kNever where none is reachable).
  constexpr uint32_t kNever = UINT32_MAX / 2;
  const size_t blocks = f_.blocks.size();
  std::vector<uint32_t> to_accept(blocks, kNever);
  const std::vector<std::vector<ir::BlockId>> preds = ir::predecessors(f_);
  for (ir::BlockId b = blocks; b-- > 0;) {
    const ir::Block& block = f_.blocks[b];
    uint32_t after = kNever;
    switch (block.term.kind) {
      case ir::TermKind::Ret: {
        const ir::Inst& value = f_.value(block.term.lhs);
        after = value.op == ir::Op::Const && value.imm == 0 ? kNever : 0;
        break;
      }
      case ir::TermKind::Jump: after = to_accept[block.term.on_true]; break;
      case ir::TermKind::Branch:
        // Tagged frames are rare in most traffic: a VLAN test's match does
        // not decide where to fill (the tagged path fills by itself).
        after = tests_vlan_tpid(f_, block.term)
                    ? to_accept[block.term.on_false]
                    : std::min(to_accept[block.term.on_true], to_accept[block.term.on_false]);
        break;
      case ir::TermKind::None: break;
    }
    uint32_t reads = 0;
    for (ir::ValueId v : block.insts) reads += candidate[v];
    to_accept[b] = std::min(kNever, after + reads);
  }
  // Filling costs about as much as two or three legacy loads, or one
  // copied load.
  const uint32_t kFillWorthIt = options_.access == PacketAccess::Legacy ? 3 : 2;
  // A block where paths with and without the window meet has every path
  // fill it when it still reads the packet: `forced` blocks fill at their
  // first constant read.
  std::vector<bool> forced(blocks, false), filled_out(blocks, false);
  for (size_t round = 0; round <= blocks; ++round) {
    std::fill(window_fill_.begin(), window_fill_.end(), false);
    std::fill(filled_out.begin(), filled_out.end(), false);
    for (ir::BlockId b = 0; b < blocks; ++b) {
      bool filled = !preds[b].empty();
      for (ir::BlockId p : preds[b]) filled = filled && filled_out[p];
      uint32_t left = to_accept[b];
      for (ir::ValueId v : f_.blocks[b].insts) {
        if (!candidate[v]) continue;
        if (!filled && f_.value(v).a == ir::kNoValue && (forced[b] || (left >= kFillWorthIt && left < kNever))) {
          window_fill_[v] = true;
          filled = true;
        }
        if (left < kNever) --left;
      }
      filled_out[b] = filled;
    }
    bool changed = false;
    for (ir::BlockId b = 0; b < blocks; ++b) {
      bool some = false, all = !preds[b].empty();
      for (ir::BlockId p : preds[b]) some = some || filled_out[p], all = all && filled_out[p];
      if (!some || all || to_accept[b] == 0 || to_accept[b] >= kNever) continue;
      for (ir::BlockId p : preds[b]) {
        bool can = false;
        for (ir::ValueId v : f_.blocks[p].insts) can = can || (candidate[v] && f_.value(v).a == ir::kNoValue);
        if (!filled_out[p] && can && !forced[p]) forced[p] = changed = true;
      }
    }
    if (!changed) break;
  }
  for (ir::BlockId b = 0; b < blocks; ++b) {
    bool filled = !preds[b].empty();
    for (ir::BlockId p : preds[b]) filled = filled && filled_out[p];
    for (ir::ValueId v : f_.blocks[b].insts) {
      if (!candidate[v]) continue;
      filled = filled || window_fill_[v];
      if (!filled) continue;
      window_load_[v] = true;
      const ir::Inst& inst = f_.value(v);
      const uint64_t end = (inst.a == ir::kNoValue ? 0 : uint64_t{bounds_[inst.a]}) + inst.imm + inst.size;
      window_bytes_ = std::max(window_bytes_, static_cast<uint32_t>(end));
    }
  }
  if (window_bytes_ == 0) return;
  window_region_ = (window_bytes_ + residue + 7) / 8 * 8;
  window_base_ = -static_cast<int32_t>(window_region_) + static_cast<int32_t>(residue);
}

Result<Generated> Generator::run() {
  classify();
  bounds_ = value_upper_bounds(f_);
  plan_window();
  AllocationRequest request;
  request.needs_home.assign(f_.values.size(), false);
  request.clobbers.assign(f_.values.size(), false);
  for (const ir::Block& block : f_.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f_.value(v);
      request.needs_home[v] = used_[v] && inst.op != ir::Op::Const && !guard_only_[v];
      // Legacy loads and the window's filling call clobber r0-r5.
      const bool legacy_load = inst.op == ir::Op::Load && (!window_load_[v] || window_fill_[v]);
      if (!direct_ && (legacy_load || inst.op == ir::Op::Protochain)) request.clobbers[v] = true;
    }
  }
  // A binary operation or negation may take its first operand's register
  // when it is that operand's last use.
  request.reuse_operand.assign(f_.values.size(), ir::kNoValue);
  for (const ir::Block& block : f_.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f_.value(v);
      if ((ir::is_binary(inst.op) || inst.op == ir::Op::Neg) && !guard_only_[v]) request.reuse_operand[v] = inst.a;
    }
  }
  request.registers = value_registers(direct_ || windowed_);
  request.max_slots = (kStackSize - window_region_) / 8;
  if (!direct_) request.clobbered = legacy_load_clobbers();
  auto allocation = allocate(f_, request);
  if (!allocation) return allocation.errors();
  alloc_ = std::move(*allocation);
  temp_slot_base_ = alloc_.slots;

  block_label_.resize(f_.blocks.size());
  for (Label& label : block_label_) label = out_.new_label();
  prologue();
  for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) {
    next_block_ = b + 1;
    out_.place(block_label_[b]);
    if (auto problem = emit_block(b)) return error(*problem);
  }
  emit_stubs();
  if (reject_used_) {
    out_.place(reject_);
    out_.emit(mov32_imm(R0, options_.reject_action));
    out_.emit(exit_insn());
  }
  if (window_region_ + 8 * (temp_slot_base_ + temp_slots_used_) > kStackSize) {
    return error("the filter keeps more values at once than the eBPF stack holds (512 bytes)");
  }
  auto program = out_.finish();
  if (!program) return program.errors();
  const size_t estimate = 5 * program->size() + 2 * loop_work_;
  return Generated{std::move(*program), temp_slot_base_ + temp_slots_used_, guards_, window_bytes_, estimate};
}

void Generator::prologue() {
  switch (options_.hook) {
    case Hook::Socket:
    case Hook::Tc:
      out_.emit(mov64_reg(kContext, R1));
      if (windowed_) out_.emit(ldx_mem(W, kLength, kContext, skb::kLen));
      break;
    case Hook::Xdp:
      out_.emit(ldx_mem(W, kDataEnd, R1, xdp_md::kDataEnd));
      out_.emit(ldx_mem(W, kData, R1, xdp_md::kData));
      break;
    case Hook::Func:
      if (options_.access == PacketAccess::Skb) {
        out_.emit(mov64_reg(kContext, R1));
        out_.emit(ldx_mem(W, kLength, kContext, skb::kLen));
      } else if (options_.access == PacketAccess::Probe) {
        // The packet's kernel addresses: r6 = data, r7 = the length, 0 for
        // an end before the start and at most 2^31 - 1.
        const Label not_negative = out_.new_label(), not_huge = out_.new_label();
        out_.emit(mov64_reg(kData, R1));
        out_.emit(mov64_reg(kLength, R2));
        out_.emit(alu64_reg(SUB, kLength, R1));
        out_.jump_to(jmp_imm(JSGE, kLength, 0, 0), not_negative);
        out_.emit(mov64_imm(kLength, 0));
        out_.place(not_negative);
        out_.jump_to(jmp_imm(JLE, kLength, 0x7fffffff, 0), not_huge);
        out_.emit(mov64_imm(kLength, 0x7fffffff));
        out_.place(not_huge);
      } else {
        out_.emit(mov64_reg(kData, R1));
        out_.emit(mov64_reg(kDataEnd, R2));
      }
      break;
  }
}

// bpf_skb_load_bytes(ctx, 0, window, min(len, window size)): the bytes the
// packet has. A packet of 0 bytes asks for 1, which fails and leaves the
// window zeroed; no window read runs then, as every one is behind a guard.
// Probe access: bpf_probe_read_kernel(window, min(len, window size), data),
// where a failure (an address that cannot be read) rejects the packet.
void Generator::fill_window() {
  const bool probe = options_.access == PacketAccess::Probe;
  const uint8_t size = probe ? R2 : R4;
  const Label capped = out_.new_label(), nonzero = out_.new_label();
  out_.emit(mov64_reg(size, kLength));
  out_.jump_to(jmp_imm(JLE, size, as_imm(window_bytes_), 0), capped);
  out_.emit(mov64_imm(size, as_imm(window_bytes_)));
  out_.place(capped);
  if (probe) {
    out_.emit(mov64_reg(R1, R10));
    out_.emit(alu64_imm(ADD, R1, window_base_));
    out_.emit(mov64_reg(R3, kData));
    out_.emit(call(kHelperProbeReadKernel));
    reject_if(jmp_imm(JNE, R0, 0, 0));
    return;
  }
  out_.jump_to(jmp_imm(JNE, size, 0, 0), nonzero);
  out_.emit(mov64_imm(size, 1));
  out_.place(nonzero);
  out_.emit(mov64_reg(R1, kContext));
  out_.emit(mov64_imm(R2, 0));
  out_.emit(mov64_reg(R3, R10));
  out_.emit(alu64_imm(ADD, R3, window_base_));
  out_.emit(call(kHelperSkbLoadBytes));
}

void Generator::copy_bytes(int16_t to, uint8_t size) {
  if (options_.access == PacketAccess::Probe) {
    out_.emit(mov64_reg(R1, R10));
    out_.emit(alu64_imm(ADD, R1, to));
    out_.emit(mov64_imm(R2, size));
    out_.emit(call(kHelperProbeReadKernel));
  } else {
    out_.emit(mov64_reg(R1, kContext));
    out_.emit(mov64_reg(R3, R10));
    out_.emit(alu64_imm(ADD, R3, to));
    out_.emit(mov64_imm(R4, size));
    out_.emit(call(kHelperSkbLoadBytes));
  }
  // A guard has proven the bytes inside the packet: only an address probe
  // access cannot read fails.
  reject_if(jmp_imm(JNE, R0, 0, 0));
}

void Generator::emit_copied_load(ir::ValueId v, const ir::Inst& inst) {
  const uint16_t slot = static_cast<uint16_t>(temp_slot_base_ + kCopySlot);
  temp_slots_used_ = std::max<uint32_t>(temp_slots_used_, kCopySlot + 1);
  const bool probe = options_.access == PacketAccess::Probe;
  const uint8_t offset = probe ? R3 : R2;  // the helper's argument
  // The offset, below 2^32 as the guard has proven (the index is read
  // first: it may live in an argument register).
  if (inst.a == ir::kNoValue) {
    out_.emit(mov32_imm(offset, as_imm(inst.imm)));
  } else {
    out_.emit(mov32_reg(offset, read(inst.a, kScratch2)));
    if (inst.imm <= 0x7fffffff) {
      out_.emit(alu64_imm(ADD, offset, as_imm(inst.imm)));
    } else {
      out_.emit(mov32_imm(kScratch1, as_imm(inst.imm)));
      out_.emit(alu64_reg(ADD, offset, kScratch1));
    }
  }
  if (probe) out_.emit(alu64_reg(ADD, offset, kData));
  copy_bytes(slot_offset(slot), inst.size);
  const uint8_t dst = target(v, kScratch1);
  out_.emit(ldx_mem(size_code(inst.size), dst, R10, slot_offset(slot)));
  if (inst.size > 1) out_.emit(to_be(dst, inst.size * 8));
  store(v, dst);
}

Operand Generator::operand(ir::ValueId v) const {
  const ir::Inst& inst = f_.value(v);
  if (inst.op == ir::Op::Const) return Operand{true, inst.imm, {}};
  return Operand{false, 0, alloc_.where[v]};
}

uint8_t Generator::read(ir::ValueId v, uint8_t scratch) {
  const Operand op = operand(v);
  if (op.is_const) {
    out_.emit(mov32_imm(scratch, as_imm(op.imm)));
    return scratch;
  }
  if (op.at.where == Where::Register) return op.at.reg;
  out_.emit(ldx_mem(DW, scratch, R10, slot_offset(op.at.slot)));
  return scratch;
}

uint8_t Generator::target(ir::ValueId v, uint8_t scratch) const {
  const Location& at = alloc_.where[v];
  return at.where == Where::Register ? at.reg : scratch;
}

void Generator::store(ir::ValueId v, uint8_t from) {
  const Location& at = alloc_.where[v];
  if (at.where == Where::Register) {
    if (at.reg != from) out_.emit(mov64_reg(at.reg, from));
  } else if (at.where == Where::Slot) {
    out_.emit(stx_mem(DW, R10, from, slot_offset(at.slot)));
  }
}

void Generator::reject_if(Insn jump) {
  reject_used_ = true;
  out_.jump_to(jump, reject_);
}

void Generator::always_reject() {
  // A plain `ja` would leave the code after it unreachable, which the
  // kernel's CFG check refuses; a test of a known value it does not.
  out_.emit(mov32_imm(kScratch1, 0));
  reject_if(jmp32_imm(JEQ, kScratch1, 0, 0));
}

std::optional<std::string> Generator::emit_block(ir::BlockId b) {
  const ir::Block& block = f_.blocks[b];
  for (ir::ValueId v : block.insts) {
    if (auto problem = emit_value(v)) return problem;
  }
  const ir::Terminator& term = block.term;
  switch (term.kind) {
    case ir::TermKind::Ret:
      emit_ret(term.lhs);
      return std::nullopt;
    case ir::TermKind::Jump:
      emit_edge(b, term.on_true);
      return std::nullopt;
    case ir::TermKind::Branch:
      return emit_branch(b, term);
    case ir::TermKind::None:
      break;
  }
  return "internal error: an IR block without a terminator reached the eBPF code generator";
}

std::optional<std::string> Generator::emit_value(ir::ValueId v) {
  const ir::Inst& inst = f_.value(v);
  switch (inst.op) {
    case ir::Op::Const:
    case ir::Op::Phi:  // written by the predecessors' edges
      return std::nullopt;
    case ir::Op::Caplen: {
      if (guard_only_[v] || !used_[v]) return std::nullopt;
      if (direct_) break;
      const uint8_t dst = target(v, kScratch1);
      out_.emit(ldx_mem(W, dst, kContext, skb::kLen));
      store(v, dst);
      return std::nullopt;
    }
    case ir::Op::Len: {
      if (!used_[v]) return std::nullopt;
      const uint8_t dst = target(v, kScratch1);
      if (windowed_) {
        out_.emit(mov32_reg(dst, kLength));
      } else if (direct_) {
        // XDP and func see no other length than the packet's bytes.
        out_.emit(mov64_reg(dst, kDataEnd));
        out_.emit(alu64_reg(SUB, dst, kData));
        out_.emit(mov32_reg(dst, dst));  // so that the verifier knows the upper half is 0
      } else {
        out_.emit(ldx_mem(W, dst, kContext, skb::kLen));
      }
      store(v, dst);
      return std::nullopt;
    }
    case ir::Op::Load:
      return emit_load(v, inst);
    case ir::Op::Meta:
      return emit_meta(v, inst);
    case ir::Op::Neg: {
      if (!used_[v]) return std::nullopt;
      const uint8_t dst = target(v, kScratch1);
      const uint8_t src = read(inst.a, kScratch2);
      if (src != dst) out_.emit(mov32_reg(dst, src));
      out_.emit(alu32_imm(NEG, dst, 0));
      store(v, dst);
      return std::nullopt;
    }
    case ir::Op::Protochain:
      return emit_protochain(v, inst);
    default:
      if (ir::is_binary(inst.op)) {
        if (guard_only_[v]) return std::nullopt;
        return emit_binary(v, inst);
      }
      break;
  }
  return std::string("internal error: the eBPF code generator cannot emit '") + ir::op_name(inst.op) + "' here";
}

std::optional<std::string> Generator::emit_load(ir::ValueId v, const ir::Inst& inst) {
  const uint8_t size = size_code(inst.size);
  const uint64_t end = static_cast<uint64_t>(inst.imm) + inst.size;
  if (window_load_[v]) {
    emit_window_load(v, inst);
    return std::nullopt;
  }
  // A guard has proven a checked load inside the packet: one never used
  // has nothing left to do.
  if (windowed_ && inst.checked && !used_[v]) return std::nullopt;
  if (options_.access == PacketAccess::Skb || options_.access == PacketAccess::Probe) {
    if (!inst.checked) return "internal error: an unchecked load reached the eBPF code generator (copied loads)";
    emit_copied_load(v, inst);
    return std::nullopt;
  }
  if (!direct_) {
    // LD_ABS / LD_IND: the kernel returns 0 from the program when the load
    // is past the end. Their offset is a signed int, where negative values
    // reach the SKF_NET_OFF and SKF_LL_OFF areas instead: the IR's offsets
    // and indexes are unsigned, so what would wrap is rejected first.
    if (end > 0x7fffffff) {
      always_reject();
      if (used_[v]) {
        out_.emit(mov32_imm(R0, 0));
        store(v, R0);
      }
      return std::nullopt;
    }
    if (inst.a == ir::kNoValue) {
      out_.emit(ld_abs(size, as_imm(inst.imm)));
    } else {
      const uint8_t index = read(inst.a, kScratch1);
      if (bounds_[inst.a] + end > 0x7fffffff) {
        reject_if(jmp32_imm(JGT, index, as_imm(static_cast<uint32_t>(0x7fffffff - end)), 0));
      }
      out_.emit(ld_ind(size, index, as_imm(inst.imm)));
    }
    if (used_[v]) store(v, R0);
    return std::nullopt;
  }
  if (!inst.checked) return "internal error: an unchecked load reached the eBPF code generator (direct access)";
  if (!used_[v]) return std::nullopt;  // it is in bounds: nothing to do
  const uint8_t dst = target(v, kScratch1);
  if (end > kMaxPacketOffset) {
    always_reject();
    out_.emit(mov32_imm(dst, 0));
    store(v, dst);
    return std::nullopt;
  }
  if (inst.a == ir::kNoValue) {
    if (inst.imm <= 0x7fff) {
      out_.emit(ldx_mem(size, dst, kData, static_cast<int16_t>(inst.imm)));
    } else {
      out_.emit(mov64_reg(kScratch2, kData));
      out_.emit(alu64_imm(ADD, kScratch2, as_imm(inst.imm)));
      out_.emit(ldx_mem(size, dst, kScratch2, 0));
    }
  } else {
    // The verifier proves a range per pointer it has seen compared with the
    // packet's end, so each indexed load checks its own pointer (the guard
    // before it has already decided the verdict; this never fails).
    bounded_index(inst.a, static_cast<uint32_t>(kMaxPacketOffset - end), reject_);
    out_.emit(mov64_reg(kScratch1, kData));
    out_.emit(alu64_reg(ADD, kScratch1, kScratch2));
    if (inst.imm != 0) out_.emit(alu64_imm(ADD, kScratch1, as_imm(inst.imm)));
    out_.emit(mov64_reg(kScratch2, kScratch1));
    out_.emit(alu64_imm(ADD, kScratch2, inst.size));
    reject_if(jmp_reg(JGT, kScratch2, kDataEnd, 0));
    out_.emit(ldx_mem(size, dst, kScratch1, 0));
  }
  if (inst.size > 1) out_.emit(to_be(dst, inst.size * 8));
  store(v, dst);
  return std::nullopt;
}

void Generator::emit_window_load(ir::ValueId v, const ir::Inst& inst) {
  if (window_fill_[v]) fill_window();
  const uint8_t dst = target(v, kScratch1);
  const int32_t offset = window_base_ + static_cast<int32_t>(inst.imm);
  if (inst.a == ir::kNoValue) {
    read_pieces(dst, R10, offset, inst.size, dst == kScratch2 ? kScratch1 : kScratch2);
  } else {
    // Never fails (the index's bound keeps the read inside the window), but
    // the verifier needs to see the bound; the read is aligned (planned so).
    bounded_index(inst.a, window_bytes_ - (inst.imm + inst.size), reject_);
    out_.emit(mov64_reg(kScratch1, R10));
    out_.emit(alu64_reg(ADD, kScratch1, kScratch2));
    read_pieces(dst, kScratch1, offset, inst.size, kScratch2);
  }
  store(v, dst);
}

void Generator::read_pieces(uint8_t dst, uint8_t base, int32_t off, uint8_t size, uint8_t scratch) {
  bool first = true;
  for (uint8_t done = 0; done < size;) {
    const int32_t at = off + done;
    const uint8_t left = size - done;
    uint8_t piece = 1;
    for (uint8_t p : {uint8_t{4}, uint8_t{2}}) {
      if (p <= left && ((at % p) + p) % p == 0) {
        piece = p;
        break;
      }
    }
    const uint8_t into = first ? dst : scratch;
    out_.emit(ldx_mem(size_code(piece), into, base, static_cast<int16_t>(at)));
    if (piece > 1) out_.emit(to_be(into, piece * 8));
    if (!first) {
      out_.emit(alu32_imm(LSH, dst, piece * 8));
      out_.emit(alu32_reg(OR, dst, scratch));
    }
    first = false;
    done += piece;
  }
}

// The index `v` in r2, zero-extended where the verifier sees it (its
// bounds after some 32-bit operations cover all 64 bits), and a jump to
// `fail` where it exceeds `limit`: afterwards the verifier knows r2 <= limit.
void Generator::bounded_index(ir::ValueId v, uint32_t limit, Label fail) {
  const uint8_t index = read(v, kScratch2);
  out_.emit(mov32_reg(kScratch2, index));
  if (fail == reject_) reject_used_ = true;
  out_.jump_to(jmp32_imm(JGT, kScratch2, as_imm(limit), 0), fail);
}

std::optional<std::string> Generator::emit_meta(ir::ValueId v, const ir::Inst& inst) {
  const bool has_skb = options_.access == PacketAccess::Legacy || options_.access == PacketAccess::Skb;
  if (!has_skb) {
    return std::string("the ") + std::string(name(options_.hook)) + " hook with " +
           std::string(name(options_.access)) +
           " packet access has no kernel packet metadata (the linux context's inbound, outbound, ifindex and vlan "
           "read it); compile for the socket or tc hook (or func with --packet-access=skb), or in another context";
  }
  if (!used_[v]) return std::nullopt;  // the kernel always has it
  const uint8_t ctx = kContext;
  const uint8_t dst = target(v, kScratch1);
  switch (static_cast<ir::MetaKind>(inst.imm)) {
    case ir::MetaKind::Protocol:
      out_.emit(ldx_mem(W, dst, ctx, skb::kProtocol));
      out_.emit(to_be(dst, 16));  // the kernel keeps it in network byte order
      break;
    case ir::MetaKind::PacketType: out_.emit(ldx_mem(W, dst, ctx, skb::kPktType)); break;
    case ir::MetaKind::Ifindex: out_.emit(ldx_mem(W, dst, ctx, skb::kIfindex)); break;
    case ir::MetaKind::VlanTci: out_.emit(ldx_mem(W, dst, ctx, skb::kVlanTci)); break;
    case ir::MetaKind::VlanTagPresent: out_.emit(ldx_mem(W, dst, ctx, skb::kVlanPresent)); break;
  }
  store(v, dst);
  return std::nullopt;
}

std::optional<std::string> Generator::emit_binary(ir::ValueId v, const ir::Inst& inst) {
  const bool divides = inst.op == ir::Op::Div || inst.op == ir::Op::Mod;
  const Operand rhs = operand(inst.b);
  if (!used_[v]) {
    // Nothing to keep, but a division by zero still rejects the packet.
    if (divides && (!rhs.is_const || rhs.imm == 0)) {
      const uint8_t divisor = read(inst.b, kScratch2);
      reject_if(jmp32_imm(JEQ, divisor, 0, 0));
    }
    return std::nullopt;
  }
  const uint8_t dst = target(v, kScratch1);
  const Operand lhs = operand(inst.a);
  if (lhs.is_const) {
    out_.emit(mov32_imm(dst, as_imm(lhs.imm)));
  } else if (lhs.at.where == Where::Register) {
    if (lhs.at.reg != dst) out_.emit(mov32_reg(dst, lhs.at.reg));
  } else {
    out_.emit(ldx_mem(DW, dst, R10, slot_offset(lhs.at.slot)));
  }
  uint8_t alu = ADD;
  switch (inst.op) {
    case ir::Op::Add: alu = ADD; break;
    case ir::Op::Sub: alu = SUB; break;
    case ir::Op::Mul: alu = MUL; break;
    case ir::Op::Div: alu = DIV; break;
    case ir::Op::Mod: alu = MOD; break;
    case ir::Op::And: alu = AND; break;
    case ir::Op::Or: alu = OR; break;
    case ir::Op::Xor: alu = XOR; break;
    case ir::Op::Shl: alu = LSH; break;
    case ir::Op::Shr: alu = RSH; break;
    default: return "internal error: not a binary operation";
  }
  const bool shifts = inst.op == ir::Op::Shl || inst.op == ir::Op::Shr;
  if (rhs.is_const && !(divides && rhs.imm == 0)) {
    if (shifts && rhs.imm >= 32) {
      out_.emit(mov32_imm(dst, 0));  // the IR's shifts by 32 or more give 0; eBPF's would mask
    } else {
      out_.emit(alu32_imm(alu, dst, as_imm(rhs.imm)));
    }
    store(v, dst);
    return std::nullopt;
  }
  const uint8_t src = read(inst.b, kScratch2);
  if (divides) {
    // eBPF's x / 0 is 0 and x % 0 is x; the IR's division by zero rejects.
    reject_if(jmp32_imm(JEQ, src, 0, 0));
    out_.emit(alu32_reg(alu, dst, src));
  } else if (shifts) {
    const Label zero = out_.new_label();
    const Label done = out_.new_label();
    out_.jump_to(jmp32_imm(JGE, src, 32, 0), zero);
    out_.emit(alu32_reg(alu, dst, src));
    out_.jump_to(ja(0), done);
    out_.place(zero);
    out_.emit(mov32_imm(dst, 0));
    out_.place(done);
  } else {
    out_.emit(alu32_reg(alu, dst, src));
  }
  store(v, dst);
  return std::nullopt;
}

}  // namespace bpfc::ebpf::codegen

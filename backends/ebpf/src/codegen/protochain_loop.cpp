// The protochain walk (ir/README.md, "The protochain walk") as an eBPF loop.
//
// The kernel's verifier follows a loop iteration by iteration, so the loop
// needs a bound it can see: at most CodegenOptions::protochain_depth steps,
// after which the packet is rejected, the same verdicts as the unrolled
// form (opt::unroll_protochain) in a fraction of its code. The walk's state
// (next header, offset, steps left, the header just read) lives in stack
// slots above the register allocation's, so the loop needs no registers
// beyond the scratch ones, whatever is live around it.
#include <algorithm>

#include "generator.h"
#include "machine.h"

namespace bpfc::ebpf::codegen {
namespace {

int32_t as_imm(uint32_t value) { return static_cast<int32_t>(value); }

}  // namespace

void Generator::read_walk_bytes(uint32_t base, int16_t off_slot, int16_t header_slot) {
  // P[base + off] (the next header) into header_slot, P[base + off + 1]
  // (the length) into r0 (legacy) or r2 (direct); both in bounds or reject.
  const uint64_t reach = static_cast<uint64_t>(base) + 2;
  if (direct_) {
    if (reach > kMaxPacketOffset) {
      always_reject();
      out_.emit(mov32_imm(kScratch2, 0));
      return;
    }
    out_.emit(ldx_mem(DW, kScratch2, R10, off_slot));
    out_.emit(mov32_reg(kScratch2, kScratch2));
    reject_if(jmp32_imm(JGT, kScratch2, as_imm(static_cast<uint32_t>(kMaxPacketOffset - reach)), 0));
    out_.emit(mov64_reg(kScratch1, kData));
    out_.emit(alu64_reg(ADD, kScratch1, kScratch2));
    if (base != 0) out_.emit(alu64_imm(ADD, kScratch1, as_imm(base)));
    out_.emit(mov64_reg(kScratch2, kScratch1));
    out_.emit(alu64_imm(ADD, kScratch2, 2));
    reject_if(jmp_reg(JGT, kScratch2, kDataEnd, 0));
    out_.emit(ldx_mem(B, kScratch2, kScratch1, 0));
    out_.emit(stx_mem(DW, R10, kScratch2, header_slot));
    out_.emit(ldx_mem(B, kScratch2, kScratch1, 1));
    return;
  }
  if (options_.access == PacketAccess::Skb || options_.access == PacketAccess::Probe) {
    // Both bytes copied to a stack slot by one helper call, once the
    // length (r7) has been checked.
    if (reach > 0x7fffffff) {
      always_reject();
      out_.emit(mov32_imm(R0, 0));
      return;
    }
    const uint16_t slot = static_cast<uint16_t>(temp_slot_base_ + kCopySlot);
    temp_slots_used_ = std::max<uint32_t>(temp_slots_used_, kCopySlot + 1);
    const bool probe = options_.access == PacketAccess::Probe;
    const uint8_t offset = probe ? R3 : R2;
    out_.emit(ldx_mem(DW, kScratch2, R10, off_slot));
    out_.emit(alu64_imm(ADD, kScratch2, as_imm(static_cast<uint32_t>(reach))));
    reject_if(jmp_reg(JGT, kScratch2, kLength, 0));
    out_.emit(ldx_mem(DW, offset, R10, off_slot));
    if (base != 0) out_.emit(alu64_imm(ADD, offset, as_imm(base)));
    if (probe) out_.emit(alu64_reg(ADD, offset, kData));
    copy_bytes(slot_offset(slot), 2);
    out_.emit(ldx_mem(B, kScratch2, R10, slot_offset(slot)));
    out_.emit(stx_mem(DW, R10, kScratch2, header_slot));
    out_.emit(ldx_mem(B, R0, R10, static_cast<int16_t>(slot_offset(slot) + 1)));
    return;
  }
  // Legacy loads: checked against the packet's length first, so that they
  // cannot fail (a failing one returns 0, which tc reads as TC_ACT_OK) and
  // their int offset cannot wrap.
  if (reach > 0x7fffffff) {
    always_reject();
    out_.emit(mov32_imm(R0, 0));
    return;
  }
  out_.emit(ldx_mem(W, kScratch1, kContext, skb::kLen));
  out_.emit(ldx_mem(DW, kScratch2, R10, off_slot));
  out_.emit(alu64_imm(ADD, kScratch2, as_imm(static_cast<uint32_t>(reach))));
  reject_if(jmp_reg(JGT, kScratch2, kScratch1, 0));
  out_.emit(ldx_mem(DW, kScratch1, R10, off_slot));
  out_.emit(ld_ind(B, kScratch1, as_imm(base)));
  out_.emit(stx_mem(DW, R10, R0, header_slot));
  out_.emit(ldx_mem(DW, kScratch1, R10, off_slot));
  out_.emit(ld_ind(B, kScratch1, as_imm(base + 1)));
}

std::optional<std::string> Generator::emit_protochain(ir::ValueId v, const ir::Inst& inst) {
  const uint16_t first = static_cast<uint16_t>(temp_slot_base_);
  const int16_t nh_slot = slot_offset(first), off_slot = slot_offset(first + 1);
  const int16_t steps_slot = slot_offset(first + 2), header_slot = slot_offset(first + 3);
  temp_slots_used_ = std::max<uint32_t>(temp_slots_used_, 4);
  const uint8_t length = direct_ ? uint8_t{kScratch2} : uint8_t{R0};  // where read_walk_bytes leaves the length byte

  out_.emit(stx_mem(DW, R10, read(inst.a, kScratch1), nh_slot));
  out_.emit(stx_mem(DW, R10, read(inst.b, kScratch1), off_slot));
  out_.emit(mov32_imm(kScratch1, as_imm(options_.protochain_depth)));
  out_.emit(stx_mem(DW, R10, kScratch1, steps_slot));

  const Label loop = out_.new_label(), done = out_.new_label();
  const Label extension = out_.new_label(), ah = out_.new_label();
  out_.place(loop);
  const size_t body_start = out_.size();
  out_.emit(ldx_mem(DW, kScratch1, R10, nh_slot));
  out_.jump_to(jmp32_imm(JEQ, kScratch1, as_imm(inst.stop), 0), done);
  out_.jump_to(jmp32_imm(JEQ, kScratch1, as_imm(ir::protochain::kNoNextHeader), 0), done);
  if (inst.size == 6) {
    for (uint32_t nh : {ir::protochain::kHopByHop, ir::protochain::kDestinationOptions, ir::protochain::kRouting,
                        ir::protochain::kFragment}) {
      out_.jump_to(jmp32_imm(JEQ, kScratch1, as_imm(nh), 0), extension);
    }
  }
  out_.jump_to(jmp32_imm(JEQ, kScratch1, as_imm(ir::protochain::kAh), 0), ah);
  out_.jump_to(ja(0), done);

  // One more step, if the bound allows it.
  const auto take_step = [&] {
    out_.emit(ldx_mem(DW, kScratch1, R10, steps_slot));
    reject_if(jmp32_imm(JEQ, kScratch1, 0, 0));
    out_.emit(alu32_imm(SUB, kScratch1, 1));
    out_.emit(stx_mem(DW, R10, kScratch1, steps_slot));
    read_walk_bytes(inst.imm, off_slot, header_slot);
  };
  const auto next = [&] {
    out_.emit(ldx_mem(DW, kScratch1, R10, header_slot));
    out_.emit(stx_mem(DW, R10, kScratch1, nh_slot));
    out_.jump_to(ja(0), loop);
  };
  if (inst.size == 6) {
    out_.place(extension);
    take_step();  // off += (length + 1) * 8
    out_.emit(alu32_imm(ADD, length, 1));
    out_.emit(alu32_imm(LSH, length, 3));
    out_.emit(ldx_mem(DW, kScratch1, R10, off_slot));
    out_.emit(alu32_reg(ADD, kScratch1, length));
    out_.emit(stx_mem(DW, R10, kScratch1, off_slot));
    next();
  }
  out_.place(ah);
  take_step();  // off = (length + 2) * 4
  out_.emit(alu32_imm(ADD, length, 2));
  out_.emit(alu32_imm(LSH, length, 2));
  out_.emit(stx_mem(DW, R10, length, off_slot));
  next();

  out_.place(done);
  // The verifier follows the loop once per step; a loop after another one
  // is entered with several states the first one left (about ten times the
  // work, measured on Linux 6.18 with a chain of walks).
  const size_t steps = (out_.size() - body_start) * (options_.protochain_depth + 1);
  loop_work_ += steps * (loop_work_ == 0 ? 1 : 6);
  if (used_[v]) {
    const uint8_t dst = target(v, kScratch1);
    out_.emit(ldx_mem(DW, dst, R10, nh_slot));
    store(v, dst);
  }
  return std::nullopt;
}

}  // namespace bpfc::ebpf::codegen

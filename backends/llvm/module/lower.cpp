// IR -> LLVM IR. Each IR block becomes an LLVM block (more where an operation
// needs a check: a division by a divisor not known non-zero, an unchecked
// load, the protochain loop), every value an LLVM value, and every way of
// "returning 0 from the whole filter" a branch to one shared block that
// returns 0. The bounds-check legalization runs first, so a straight-line run
// of loads costs one compare; LLVM's own passes then merge loads into wide
// ones and turn chains of compares into switches.
#include "lower.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <vector>

#include "bpfc/optimizer/legalize.h"

namespace bpfc::native {
namespace {

class Lowering {
 public:
  Lowering(const ir::Function& function, llvm::Function& target)
      : f_(function),
        little_endian_(target.getParent()->getDataLayout().isLittleEndian()),
        context_(target.getContext()),
        builder_(context_),
        target_(target),
        i8_(llvm::Type::getInt8Ty(context_)),
        i32_(llvm::Type::getInt32Ty(context_)),
        i64_(llvm::Type::getInt64Ty(context_)) {}

  Result<bool> run() {
    auto args = target_.arg_begin();
    packet_ = &*args++;
    caplen_ = &*args++;
    wirelen_ = &*args;
    packet_->setName("packet");
    caplen_->setName("caplen");
    wirelen_->setName("wirelen");

    blocks_.resize(f_.blocks.size());
    exits_.resize(f_.blocks.size());
    for (size_t b = 0; b < f_.blocks.size(); ++b) {
      blocks_[b] = llvm::BasicBlock::Create(context_, "b" + std::to_string(b), &target_);
    }
    reject_ = llvm::BasicBlock::Create(context_, "reject", &target_);
    builder_.SetInsertPoint(reject_);
    builder_.CreateRet(builder_.getInt32(0));

    values_.assign(f_.values.size(), nullptr);
    find_order_free_loads();
    for (size_t b = 0; b < f_.blocks.size(); ++b) {
      builder_.SetInsertPoint(blocks_[b]);
      for (ir::ValueId v : f_.blocks[b].insts) {
        auto lowered = lower_value(v);
        if (!lowered) return lowered.errors();
        values_[v] = *lowered;
      }
      exits_[b] = builder_.GetInsertBlock();
      lower_terminator(f_.blocks[b].term);
    }
    // Phis last: their incoming values may come from blocks lowered after
    // them only in the IR's order of creation, and their incoming LLVM
    // blocks are where each predecessor ended.
    for (auto& [phi, v] : phis_) {
      for (const ir::PhiIncoming& in : f_.value(v).incoming) phi->addIncoming(values_[in.value], exits_[in.block]);
    }
    return true;
  }

 private:
  llvm::Value* value(ir::ValueId v) const { return values_[v]; }

  // Continues in a new block when `fails` holds the filter returns 0.
  void reject_if(llvm::Value* fails, const char* name) {
    llvm::BasicBlock* next = llvm::BasicBlock::Create(context_, name, &target_);
    builder_.CreateCondBr(fails, reject_, next);
    builder_.SetInsertPoint(next);
  }

  // The address index + offset, computed without wrapping (64 bits).
  llvm::Value* address(ir::ValueId index, uint32_t offset) {
    llvm::Value* at = builder_.getInt64(offset);
    if (index != ir::kNoValue) at = builder_.CreateAdd(builder_.CreateZExt(value(index), i64_), at, "at", true, true);
    return at;
  }

  // Returns 0 from the filter unless bytes [at, at + size) are captured.
  void check_bounds(llvm::Value* at, uint32_t size) {
    llvm::Value* end = builder_.CreateAdd(at, builder_.getInt64(size), "end", true, true);
    reject_if(builder_.CreateICmpUGT(end, builder_.CreateZExt(caplen_, i64_)), "in_bounds");
  }

  // `size` big-endian bytes at packet + at, as a u32; in memory order
  // (no byte swap on a little-endian target) when `memory_order`.
  llvm::Value* read(llvm::Value* at, uint32_t size, bool memory_order = false) {
    llvm::Value* pointer = builder_.CreateInBoundsGEP(i8_, packet_, at);
    llvm::Type* type = builder_.getIntNTy(size * 8);
    pointer = builder_.CreateBitCast(pointer, type->getPointerTo());
    llvm::LoadInst* load = builder_.CreateAlignedLoad(type, pointer, llvm::MaybeAlign(1));
    llvm::Value* loaded = load;
    if (size > 1 && little_endian_ && !memory_order) {
      loaded = builder_.CreateUnaryIntrinsic(llvm::Intrinsic::bswap, loaded);
    }
    return builder_.CreateZExt(loaded, i32_);
  }

  // Loads of 2 or 4 bytes whose only uses are branches testing them against
  // a constant (`br eq load, c` or `br set load, c`): such a test holds of
  // the big-endian value exactly when it holds of the bytes in memory order
  // against the constant swapped the same way, so these loads skip their
  // byte swap. That matters where LLVM turns a chain of such tests into a
  // switch (the EtherType of `ip or ip6`): it does so before it would fold
  // the swap into the compares, and then keeps the swap.
  void find_order_free_loads() {
    memory_order_.assign(f_.values.size(), false);
    if (!little_endian_) return;  // memory order is the big-endian value
    std::vector<bool> other_use(f_.values.size(), false);
    auto used = [&](ir::ValueId v) {
      if (v != ir::kNoValue && v < other_use.size()) other_use[v] = true;
    };
    for (const ir::Block& block : f_.blocks) {
      for (ir::ValueId v : block.insts) {
        const ir::Inst& inst = f_.value(v);
        used(inst.a);
        used(inst.b);
        for (const ir::PhiIncoming& in : inst.incoming) used(in.value);
      }
      const ir::Terminator& t = block.term;
      if (t.kind == ir::TermKind::Ret) used(t.lhs);
      if (t.kind != ir::TermKind::Branch) continue;
      const bool against_constant = (t.cond == ir::Cond::Eq || t.cond == ir::Cond::Set) && t.on_true != t.on_false &&
                                    (is_constant(t.lhs) || is_constant(t.rhs));
      if (!against_constant) {
        used(t.lhs);
        used(t.rhs);
      }
    }
    for (const ir::Block& block : f_.blocks) {
      for (ir::ValueId v : block.insts) {
        const ir::Inst& inst = f_.value(v);
        memory_order_[v] = inst.op == ir::Op::Load && (inst.size == 2 || inst.size == 4) && !other_use[v];
      }
    }
  }

  bool is_constant(ir::ValueId v) const { return v != ir::kNoValue && f_.value(v).op == ir::Op::Const; }

  // The constant a test of a memory-order load of `size` bytes compares
  // with in place of `c`. A 2-byte load is below 2^16: its equality with a
  // larger constant never holds, kept so by leaving that constant as it is,
  // and only the low 16 bits of a mask matter.
  static uint32_t memory_order_constant(uint32_t c, uint32_t size, ir::Cond cond) {
    if (size == 4) return __builtin_bswap32(c);
    if (cond == ir::Cond::Eq && c > 0xffff) return c;
    return __builtin_bswap16(static_cast<uint16_t>(c));
  }

  Result<llvm::Value*> lower_value(ir::ValueId v) {
    const ir::Inst& inst = f_.value(v);
    switch (inst.op) {
      case ir::Op::Const: return static_cast<llvm::Value*>(builder_.getInt32(inst.imm));
      case ir::Op::Len: return static_cast<llvm::Value*>(wirelen_);
      case ir::Op::Caplen: return static_cast<llvm::Value*>(caplen_);
      case ir::Op::Load: {
        llvm::Value* at = address(inst.a, inst.imm);
        if (!inst.checked) check_bounds(at, inst.size);
        return read(at, inst.size, memory_order_[v]);
      }
      case ir::Op::Add: return builder_.CreateAdd(value(inst.a), value(inst.b));
      case ir::Op::Sub: return builder_.CreateSub(value(inst.a), value(inst.b));
      case ir::Op::Mul: return builder_.CreateMul(value(inst.a), value(inst.b));
      case ir::Op::And: return builder_.CreateAnd(value(inst.a), value(inst.b));
      case ir::Op::Or: return builder_.CreateOr(value(inst.a), value(inst.b));
      case ir::Op::Xor: return builder_.CreateXor(value(inst.a), value(inst.b));
      case ir::Op::Neg: return builder_.CreateNeg(value(inst.a));
      case ir::Op::Div:
      case ir::Op::Mod: {
        llvm::Value* divisor = value(inst.b);
        auto* known = llvm::dyn_cast<llvm::ConstantInt>(divisor);
        if (known == nullptr || known->isZero()) reject_if(builder_.CreateICmpEQ(divisor, builder_.getInt32(0)), "divisor");
        return inst.op == ir::Op::Div ? builder_.CreateUDiv(value(inst.a), divisor)
                                      : builder_.CreateURem(value(inst.a), divisor);
      }
      case ir::Op::Shl:
      case ir::Op::Shr: {
        // LLVM's shifts by 32 or more are poison; the IR's give 0.
        llvm::Value* amount = value(inst.b);
        llvm::Value* masked = builder_.CreateAnd(amount, builder_.getInt32(31));
        llvm::Value* shifted = inst.op == ir::Op::Shl ? builder_.CreateShl(value(inst.a), masked)
                                                      : builder_.CreateLShr(value(inst.a), masked);
        return builder_.CreateSelect(builder_.CreateICmpULT(amount, builder_.getInt32(32)), shifted,
                                     builder_.getInt32(0));
      }
      case ir::Op::Phi: {
        llvm::PHINode* phi = builder_.CreatePHI(i32_, static_cast<unsigned>(inst.incoming.size()));
        phis_.emplace_back(phi, v);
        return static_cast<llvm::Value*>(phi);
      }
      case ir::Op::Protochain: return lower_protochain(inst);
      case ir::Op::Meta:
        return error(std::string("the filter reads the kernel's packet metadata (") +
                     ir::meta_kind_name(static_cast<ir::MetaKind>(inst.imm)) +
                     "), which a native filter function is not given: compile it for a savefile "
                     "(--context=offline or dead) or for the kernel (--target=cbpf or ebpf)");
    }
    return error("unknown IR operation");
  }

  // The walk as a loop (ir.h "The protochain walk"): the header block
  // decides whether to stop; the step reads two bytes behind one bounds
  // check; a walk past 2 * caplen steps never ends and returns 0.
  llvm::Value* lower_protochain(const ir::Inst& inst) {
    llvm::BasicBlock* entry = builder_.GetInsertBlock();
    llvm::BasicBlock* head = llvm::BasicBlock::Create(context_, "walk", &target_);
    llvm::BasicBlock* step = llvm::BasicBlock::Create(context_, "walk_step", &target_);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(context_, "walk_done", &target_);
    builder_.CreateBr(head);

    builder_.SetInsertPoint(head);
    llvm::PHINode* nh = builder_.CreatePHI(i32_, 2, "nh");
    llvm::PHINode* off = builder_.CreatePHI(i32_, 2, "off");
    llvm::PHINode* steps = builder_.CreatePHI(i64_, 2, "steps");
    nh->addIncoming(value(inst.a), entry);
    off->addIncoming(value(inst.b), entry);
    steps->addIncoming(builder_.getInt64(0), entry);
    llvm::Value* found = builder_.CreateOr(builder_.CreateICmpEQ(nh, builder_.getInt32(inst.stop)),
                                           builder_.CreateICmpEQ(nh, builder_.getInt32(ir::protochain::kNoNextHeader)));
    llvm::Value* is_ah = builder_.CreateICmpEQ(nh, builder_.getInt32(ir::protochain::kAh));
    llvm::Value* extension = builder_.getFalse();
    if (inst.size == 6) {
      for (uint32_t header : {ir::protochain::kHopByHop, ir::protochain::kDestinationOptions, ir::protochain::kRouting,
                              ir::protochain::kFragment}) {
        extension = builder_.CreateOr(extension, builder_.CreateICmpEQ(nh, builder_.getInt32(header)));
      }
    }
    llvm::Value* goes_on = builder_.CreateAnd(builder_.CreateNot(found), builder_.CreateOr(extension, is_ah));
    builder_.CreateCondBr(goes_on, step, done);

    builder_.SetInsertPoint(step);
    llvm::Value* limit = builder_.CreateMul(builder_.CreateZExt(caplen_, i64_), builder_.getInt64(2));
    reject_if(builder_.CreateICmpEQ(steps, limit), "walk_bounded");
    llvm::Value* at = builder_.CreateAdd(builder_.CreateZExt(off, i64_), builder_.getInt64(inst.imm), "header", true, true);
    check_bounds(at, 2);
    llvm::Value* next = read(at, 1);
    llvm::Value* length = read(builder_.CreateAdd(at, builder_.getInt64(1), "", true, true), 1);
    llvm::Value* extension_off =
        builder_.CreateAdd(off, builder_.CreateShl(builder_.CreateAdd(length, builder_.getInt32(1)), 3));
    llvm::Value* ah_off = builder_.CreateShl(builder_.CreateAdd(length, builder_.getInt32(2)), 2);
    llvm::Value* next_off = builder_.CreateSelect(extension, extension_off, ah_off);
    llvm::BasicBlock* step_end = builder_.GetInsertBlock();
    nh->addIncoming(next, step_end);
    off->addIncoming(next_off, step_end);
    steps->addIncoming(builder_.CreateAdd(steps, builder_.getInt64(1)), step_end);
    builder_.CreateBr(head);

    builder_.SetInsertPoint(done);
    return nh;
  }

  void lower_terminator(const ir::Terminator& term) {
    switch (term.kind) {
      case ir::TermKind::Ret: builder_.CreateRet(value(term.lhs)); return;
      case ir::TermKind::Jump: builder_.CreateBr(blocks_[term.on_true]); return;
      case ir::TermKind::Branch: {
        // Both ways to one block: LLVM counts such a block's predecessor
        // twice (two phi entries); the IR once.
        if (term.on_true == term.on_false) {
          builder_.CreateBr(blocks_[term.on_true]);
          return;
        }
        llvm::Value* lhs = value(term.lhs);
        llvm::Value* rhs = value(term.rhs);
        if (memory_order_[term.lhs]) rhs = swapped(term.rhs, f_.value(term.lhs).size, term.cond);
        if (memory_order_[term.rhs]) lhs = swapped(term.lhs, f_.value(term.rhs).size, term.cond);
        llvm::Value* holds = nullptr;
        switch (term.cond) {
          case ir::Cond::Eq: holds = builder_.CreateICmpEQ(lhs, rhs); break;
          case ir::Cond::Gt: holds = builder_.CreateICmpUGT(lhs, rhs); break;
          case ir::Cond::Ge: holds = builder_.CreateICmpUGE(lhs, rhs); break;
          case ir::Cond::Set: holds = builder_.CreateICmpNE(builder_.CreateAnd(lhs, rhs), builder_.getInt32(0)); break;
        }
        builder_.CreateCondBr(holds, blocks_[term.on_true], blocks_[term.on_false]);
        return;
      }
      case ir::TermKind::None: builder_.CreateUnreachable(); return;
    }
  }

  llvm::Value* swapped(ir::ValueId constant, uint32_t size, ir::Cond cond) {
    return builder_.getInt32(memory_order_constant(f_.value(constant).imm, size, cond));
  }

  const ir::Function& f_;
  const bool little_endian_;  // the target's byte order: loads of 2 or 4 bytes swap
  llvm::LLVMContext& context_;
  llvm::IRBuilder<> builder_;
  llvm::Function& target_;
  llvm::Type* i8_;
  llvm::Type* i32_;
  llvm::Type* i64_;
  llvm::Argument* packet_ = nullptr;
  llvm::Argument* caplen_ = nullptr;
  llvm::Argument* wirelen_ = nullptr;
  llvm::BasicBlock* reject_ = nullptr;
  std::vector<llvm::BasicBlock*> blocks_;  // where each IR block starts
  std::vector<llvm::BasicBlock*> exits_;   // where it ends (its terminator)
  std::vector<llvm::Value*> values_;
  std::vector<bool> memory_order_;  // loads read without their byte swap
  std::vector<std::pair<llvm::PHINode*, ir::ValueId>> phis_;
};

// NAME_batch(packets, count, verdicts): the loop around NAME, which LLVM
// inlines, so a batch pays one call.
void add_batch_function(llvm::Function& filter, const std::string& symbol, llvm::Module& module) {
  llvm::LLVMContext& context = module.getContext();
  llvm::IRBuilder<> builder(context);
  llvm::Type* i32 = builder.getInt32Ty();
  llvm::StructType* packet = llvm::StructType::get(context, {builder.getInt8PtrTy(), i32, i32});
  auto* type = llvm::FunctionType::get(builder.getVoidTy(), {packet->getPointerTo(), i32, i32->getPointerTo()}, false);
  llvm::Function* batch = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, symbol + "_batch", module);
  batch->addFnAttr(llvm::Attribute::NoUnwind);
  auto args = batch->arg_begin();
  llvm::Argument* packets = &*args++;
  llvm::Argument* count = &*args++;
  llvm::Argument* verdicts = &*args;
  packets->addAttr(llvm::Attribute::NoCapture);
  packets->addAttr(llvm::Attribute::ReadOnly);
  verdicts->addAttr(llvm::Attribute::NoCapture);
  verdicts->addAttr(llvm::Attribute::NoAlias);

  llvm::BasicBlock* entry = llvm::BasicBlock::Create(context, "entry", batch);
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(context, "loop", batch);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(context, "done", batch);
  builder.SetInsertPoint(entry);
  builder.CreateCondBr(builder.CreateICmpEQ(count, builder.getInt32(0)), done, loop);
  builder.SetInsertPoint(loop);
  llvm::PHINode* i = builder.CreatePHI(i32, 2, "i");
  i->addIncoming(builder.getInt32(0), entry);
  llvm::Value* index = builder.CreateZExt(i, builder.getInt64Ty());
  llvm::Value* at = builder.CreateInBoundsGEP(packet, packets, index);
  llvm::Value* data = builder.CreateLoad(builder.getInt8PtrTy(), builder.CreateStructGEP(packet, at, 0));
  llvm::Value* caplen = builder.CreateLoad(i32, builder.CreateStructGEP(packet, at, 1));
  llvm::Value* wirelen = builder.CreateLoad(i32, builder.CreateStructGEP(packet, at, 2));
  llvm::CallInst* verdict = builder.CreateCall(&filter, {data, caplen, wirelen});
  verdict->addFnAttr(llvm::Attribute::AlwaysInline);
  builder.CreateStore(verdict, builder.CreateInBoundsGEP(i32, verdicts, index));
  llvm::Value* next = builder.CreateAdd(i, builder.getInt32(1), "", true, true);
  i->addIncoming(next, loop);
  llvm::BranchInst* back = builder.CreateCondBr(builder.CreateICmpEQ(next, count), done, loop);
  // Not unrolled: a copy of the filter per unrolled step would multiply the
  // code (and LLVM's time) for no gain, the filter's branches dominating.
  llvm::Metadata* no_unroll = llvm::MDNode::get(context, llvm::MDString::get(context, "llvm.loop.unroll.disable"));
  llvm::MDNode* loop_id = llvm::MDNode::getDistinct(context, {nullptr, no_unroll});
  loop_id->replaceOperandWith(0, loop_id);
  back->setMetadata(llvm::LLVMContext::MD_loop, loop_id);
  builder.SetInsertPoint(done);
  builder.CreateRetVoid();
}

}  // namespace

Result<bool> lower_filter(const ir::Function& function, const std::string& symbol, llvm::Module& module) {
  ir::Function legal = function;
  opt::legalize_bounds_checks(legal);

  llvm::LLVMContext& context = module.getContext();
  llvm::Type* i32 = llvm::Type::getInt32Ty(context);
  auto* type = llvm::FunctionType::get(i32, {llvm::Type::getInt8PtrTy(context), i32, i32}, false);
  llvm::Function* filter = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, symbol, module);
  filter->addFnAttr(llvm::Attribute::NoUnwind);
  filter->addFnAttr(llvm::Attribute::ArgMemOnly);
  filter->addFnAttr(llvm::Attribute::ReadOnly);
  llvm::Argument* packet = filter->getArg(0);
  packet->addAttr(llvm::Attribute::NoCapture);
  packet->addAttr(llvm::Attribute::ReadOnly);

  auto lowered = Lowering(legal, *filter).run();
  if (!lowered) {
    filter->eraseFromParent();
    return lowered.errors();
  }
  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyFunction(*filter, &out)) return error("bpfc made an invalid LLVM function: " + out.str());
  add_batch_function(*filter, symbol, module);
  return true;
}

}  // namespace bpfc::native

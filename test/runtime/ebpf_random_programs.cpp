#include "ebpf_random_programs.h"

#include <vector>

namespace bpfc::runtime::testing {

using namespace bpfc::ebpf;

namespace {

constexpr uint8_t kAluOps[] = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END};
constexpr uint8_t kConditions[] = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};

}  // namespace

uint8_t RandomEbpfPrograms::scalar_reg() {
  constexpr uint8_t regs[] = {R0, R7, R8, R9};
  return regs[below(4)];
}

int32_t RandomEbpfPrograms::interesting_imm() {
  switch (below(6)) {
    case 0:
      return static_cast<int32_t>(below(4));
    case 1:
      return -static_cast<int32_t>(below(3)) - 1;
    case 2:
      return static_cast<int32_t>(0x80000000u >> below(32));
    case 3:
      return static_cast<int32_t>(below(256));
    case 4:
      return 0x7fffffff;
    default:
      return static_cast<int32_t>(rng_());
  }
}

Program RandomEbpfPrograms::next(unsigned body, bool legacy_loads) {
  // Instructions are built first with jump targets as indexes into `start`
  // (the instruction starts), then the offsets are filled in.
  Program p{mov64_reg(R6, R1)};
  for (uint8_t r : {R0, R7, R8, R9}) {
    if (below(2) == 0) {
      p.push_back(mov64_imm(r, interesting_imm()));
    } else {
      const auto pair = ld_imm64(r, rng_());
      p.insert(p.end(), pair.begin(), pair.end());
    }
  }
  // The stack's top 64 bytes start written, so that every load below reads
  // initialized bytes.
  for (int16_t slot = -64; slot < 0; slot += 8) p.push_back(stx_mem(DW, R10, scalar_reg(), slot));
  std::vector<size_t> starts;  // where each instruction of the body starts
  std::vector<size_t> jumps;   // body instructions that are jumps
  for (unsigned i = 0; i < body; ++i) {
    starts.push_back(p.size());
    const uint8_t dst = scalar_reg();
    uint32_t kind = below(12);
    if (!legacy_loads && (kind == 5 || kind == 6)) kind = 0;
    switch (kind) {
      case 0:
      case 1:
      case 2:
      case 3: {  // ALU or ALU64
        const bool is64 = below(2) == 0;
        const uint8_t op = kAluOps[below(sizeof kAluOps)];
        if (op == END) {
          constexpr int32_t widths[] = {16, 32, 64};
          p.push_back(Insn{static_cast<uint8_t>(ALU | END | (below(2) ? TO_BE : TO_LE)), dst, 0, 0, widths[below(3)]});
        } else if (op == NEG) {
          p.push_back(is64 ? alu64_imm(NEG, dst, 0) : alu32_imm(NEG, dst, 0));
        } else if (below(2) == 0) {
          p.push_back(is64 ? alu64_reg(op, dst, scalar_reg()) : alu32_reg(op, dst, scalar_reg()));
        } else {
          int32_t imm = interesting_imm();
          if (op == LSH || op == RSH || op == ARSH) imm = static_cast<int32_t>(below(is64 ? 64 : 32));
          if ((op == DIV || op == MOD) && imm == 0) imm = 3;
          p.push_back(is64 ? alu64_imm(op, dst, imm) : alu32_imm(op, dst, imm));
        }
        break;
      }
      case 4: {
        const auto pair = ld_imm64(dst, below(2) ? rng_() : static_cast<uint64_t>(interesting_imm()));
        p.insert(p.end(), pair.begin(), pair.end());
        break;
      }
      case 5: {  // LD_ABS, sometimes past the end of short packets
        constexpr uint8_t sizes[] = {B, H, W};
        p.push_back(ld_abs(sizes[below(3)], static_cast<int32_t>(below(10) == 0 ? below(80) : below(40))));
        break;
      }
      case 6: {  // LD_IND through a masked index (or a wild one)
        constexpr uint8_t sizes[] = {B, H, W};
        const uint8_t index = scalar_reg();
        if (below(10) != 0) p.push_back(alu64_imm(AND, index, 31));
        p.push_back(ld_ind(sizes[below(3)], index, static_cast<int32_t>(below(16)) - (below(16) == 0 ? 20 : 0)));
        break;
      }
      case 10:
      case 11: {  // a store or load of the stack's top 64 bytes, aligned
        constexpr uint8_t sizes[] = {B, H, W, DW};
        const uint8_t size = sizes[below(4)];
        const auto at = static_cast<int16_t>(-64 + static_cast<int>(below(64 / size_bytes(size)) * size_bytes(size)));
        if (kind == 11)
          p.push_back(ldx_mem(size, dst, R10, at));
        else if (below(3) == 0)
          p.push_back(st_mem(size, R10, at, interesting_imm()));
        else
          p.push_back(stx_mem(size, R10, scalar_reg(), at));
        break;
      }
      default: {  // conditional forward jump; the offset is set below
        const uint8_t cls = below(2) ? JMP : JMP32;
        const uint8_t op = kConditions[below(sizeof kConditions)];
        jumps.push_back(p.size());
        if (below(2) == 0)
          p.push_back(Insn{static_cast<uint8_t>(cls | op | X), dst, scalar_reg(), 0, 0});
        else
          p.push_back(Insn{static_cast<uint8_t>(cls | op | K), dst, 0, 0, interesting_imm()});
        break;
      }
    }
  }
  // The epilogue: r0 ^= r7 ^ r8 ^ r9; r0 ^= r0 >> 32.
  const size_t epilogue = p.size();
  starts.push_back(epilogue);
  for (uint8_t r : {R7, R8, R9}) p.push_back(alu64_reg(XOR, R0, r));
  p.push_back(mov64_reg(R1, R0));
  p.push_back(alu64_imm(RSH, R1, 32));
  p.push_back(alu64_reg(XOR, R0, R1));
  p.push_back(exit_insn());
  for (size_t at : jumps) {
    // Any later instruction start, the epilogue included.
    std::vector<size_t> later;
    for (size_t s : starts)
      if (s > at) later.push_back(s);
    const size_t target = later[below(static_cast<uint32_t>(later.size()))];
    p[at].off = static_cast<int16_t>(target - at - 1);
  }
  return p;
}

}  // namespace bpfc::runtime::testing

// The per-instruction rules (the kernel's checks in do_check/check_alu_op/
// check_mem_access that need only the instruction itself).
#include "opcodes.h"

#include <cstdio>

namespace bpfc::runtime::ebpf_vm {

using namespace bpfc::ebpf;

std::string hex(uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%02x", value);
  return buf;
}

bool known_helper(int32_t helper) {
  return helper == kHelperSkbLoadBytes || helper == kHelperSkbPullData || helper == kHelperProbeReadKernel;
}

namespace {

std::string reg(unsigned r) { return "r" + std::to_string(r); }

std::string unknown(const Insn& insn) { return "unknown opcode " + hex(insn.code); }

std::string reserved(const Insn& insn, const char* field) {
  return "opcode " + hex(insn.code) + " uses the reserved field " + field + " (it must be 0)";
}

const char* alu_name(uint8_t op) {
  switch (op) {
    case ADD:
      return "add";
    case SUB:
      return "sub";
    case MUL:
      return "mul";
    case DIV:
      return "div";
    case OR:
      return "or";
    case AND:
      return "and";
    case LSH:
      return "lsh";
    case RSH:
      return "rsh";
    case NEG:
      return "neg";
    case MOD:
      return "mod";
    case XOR:
      return "xor";
    case MOV:
      return "mov";
    case ARSH:
      return "arsh";
    case END:
      return "end";
    default:
      return nullptr;
  }
}

std::optional<std::string> alu_problem(const Insn& insn) {
  const uint8_t op = op_alu(insn.code);
  const bool is64 = op_class(insn.code) == ALU64;
  if (alu_name(op) == nullptr) return unknown(insn);
  if (insn.dst == R10) return std::string("r10 is the read-only frame pointer and cannot be written");
  if (op == END) {
    if (is64) return "opcode " + hex(insn.code) + " (bswap, cpu v4) is not supported";
    if (insn.src != 0) return reserved(insn, "src_reg");
    if (insn.off != 0) return reserved(insn, "off");
    if (insn.imm != 16 && insn.imm != 32 && insn.imm != 64)
      return "byte swap width " + std::to_string(insn.imm) + " is not 16, 32 or 64";
    return std::nullopt;
  }
  if (op == NEG) {
    if (op_source(insn.code) != K) return unknown(insn);
    if (insn.src != 0) return reserved(insn, "src_reg");
    if (insn.off != 0) return reserved(insn, "off");
    if (insn.imm != 0) return reserved(insn, "imm");
    return std::nullopt;
  }
  if (insn.off != 0) {
    if (op == DIV || op == MOD || op == MOV)
      return "opcode " + hex(insn.code) + " with off " + std::to_string(insn.off) +
             " (signed division or sign-extending move, cpu v4) is not supported";
    return reserved(insn, "off");
  }
  if (op_source(insn.code) == X) {
    if (insn.imm != 0) return reserved(insn, "imm");
    return std::nullopt;
  }
  if (insn.src != 0) return reserved(insn, "src_reg");
  if ((op == DIV || op == MOD) && insn.imm == 0)
    return std::string(op == DIV ? "division" : "modulus") + " by the constant 0";
  if ((op == LSH || op == RSH || op == ARSH) && (insn.imm < 0 || insn.imm >= (is64 ? 64 : 32)))
    return "shift by " + std::to_string(insn.imm) + " is out of range for a " + (is64 ? "64" : "32") +
           "-bit operand (0 to " + (is64 ? "63" : "31") + ")";
  return std::nullopt;
}

std::optional<std::string> jmp_problem(const Insn& insn) {
  const uint8_t op = op_jmp(insn.code);
  const bool is32 = op_class(insn.code) == JMP32;
  if (op > JSLE) return unknown(insn);
  if (op == JA) {
    if (is32) return "opcode " + hex(insn.code) + " (gotol, cpu v4) is not supported";
    if (op_source(insn.code) != K) return unknown(insn);
    if (insn.dst != 0) return reserved(insn, "dst_reg");
    if (insn.src != 0) return reserved(insn, "src_reg");
    if (insn.imm != 0) return reserved(insn, "imm");
    return std::nullopt;
  }
  if (op == CALL) {
    if (is32 || op_source(insn.code) != K) return unknown(insn);
    if (insn.dst != 0) return reserved(insn, "dst_reg");
    if (insn.off != 0) return reserved(insn, "off");
    if (insn.src != 0)
      return "calls of BPF functions or kfuncs (call with src_reg " + std::to_string(insn.src) + ") are not supported";
    if (!known_helper(insn.imm))
      return "call of helper " + std::to_string(insn.imm) +
             ", which this engine does not know (it knows 26 bpf_skb_load_bytes, 39 bpf_skb_pull_data, "
             "113 bpf_probe_read_kernel)";
    return std::nullopt;
  }
  if (op == EXIT) {
    if (is32 || op_source(insn.code) != K) return unknown(insn);
    if (insn.dst != 0) return reserved(insn, "dst_reg");
    if (insn.src != 0) return reserved(insn, "src_reg");
    if (insn.off != 0) return reserved(insn, "off");
    if (insn.imm != 0) return reserved(insn, "imm");
    return std::nullopt;
  }
  if (op_source(insn.code) == X) {
    if (insn.imm != 0) return reserved(insn, "imm");
  } else if (insn.src != 0) {
    return reserved(insn, "src_reg");
  }
  return std::nullopt;
}

std::optional<std::string> load_store_problem(const Insn& insn) {
  const uint8_t cls = op_class(insn.code);
  const uint8_t mode = op_mode(insn.code);
  if (cls == LD) {
    if (mode == IMM) {
      if (op_size(insn.code) != DW) return unknown(insn);
      if (insn.dst == R10) return std::string("r10 is the read-only frame pointer and cannot be written");
      if (insn.off != 0) return reserved(insn, "off");
      if (insn.src != 0)
        return "ld_imm64 with src_reg " + std::to_string(insn.src) + " (a map or other pseudo value) is not supported";
      return std::nullopt;
    }
    if (mode != ABS && mode != IND) return unknown(insn);
    if (op_size(insn.code) == DW) return "8-byte LD_ABS/LD_IND (opcode " + hex(insn.code) + ") does not exist";
    if (insn.dst != 0) return reserved(insn, "dst_reg");
    if (insn.off != 0) return reserved(insn, "off");
    if (mode == ABS && insn.src != 0) return reserved(insn, "src_reg");
    return std::nullopt;
  }
  if (mode == ATOMIC && cls == STX) return "atomic operations (opcode " + hex(insn.code) + ") are not supported";
  if (mode != MEM) {
    if (cls == LDX && mode == 0x80)
      return "sign-extending loads (opcode " + hex(insn.code) + ", cpu v4) are not supported";
    return unknown(insn);
  }
  if (cls == LDX) {
    if (insn.dst == R10) return std::string("r10 is the read-only frame pointer and cannot be written");
    if (insn.imm != 0) return reserved(insn, "imm");
    return std::nullopt;
  }
  if (cls == ST) {
    if (insn.src != 0) return reserved(insn, "src_reg");
    return std::nullopt;
  }
  if (insn.imm != 0) return reserved(insn, "imm");  // STX
  return std::nullopt;
}

}  // namespace

std::optional<std::string> instruction_problem(const Insn& insn) {
  if (insn.dst > R10) return "invalid register " + reg(insn.dst) + " (the registers are r0 to r10)";
  if (insn.src > R10 && !is_ld_imm64(insn))
    return "invalid register " + reg(insn.src) + " (the registers are r0 to r10)";
  switch (op_class(insn.code)) {
    case ALU:
    case ALU64:
      return alu_problem(insn);
    case JMP:
    case JMP32:
      return jmp_problem(insn);
    default:
      return load_store_problem(insn);
  }
}

}  // namespace bpfc::runtime::ebpf_vm

// libFuzzer target: the eBPF validator and interpreter on arbitrary programs
// and packets. Neither may crash, hang or trip the sanitizers, on valid and
// invalid programs alike; a run must be deterministic, a fault must name an
// instruction of the program, and a program the validator accepted must not
// fault for a reason the validator checks (opcode, registers, jump targets,
// falling off the end).
//
// Input: byte 0 picks the hook (low 2 bits) and how the rest is read (bit 2:
// raw struct bpf_insn bytes, or "shaped" instructions whose opcode comes from
// the list of opcodes the engine knows, so that most programs run deep);
// byte 1 is the packet's size; then the packet; then the instructions, 8
// bytes each.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "bpfc/runtime/ebpf_vm.h"

namespace {

using namespace bpfc::ebpf;

// Every opcode the engine runs (plus a few it refuses).
std::vector<uint8_t> opcodes() {
  std::vector<uint8_t> out;
  for (uint8_t cls : {ALU, ALU64})
    for (unsigned op = 0; op <= 0xd0; op += 0x10)
      for (uint8_t src : {K, X}) out.push_back(static_cast<uint8_t>(cls | op | src));
  for (uint8_t cls : {JMP, JMP32})
    for (unsigned op = 0; op <= 0xd0; op += 0x10)
      for (uint8_t src : {K, X}) out.push_back(static_cast<uint8_t>(cls | op | src));
  for (uint8_t size : {B, H, W, DW}) {
    out.push_back(static_cast<uint8_t>(LDX | MEM | size));
    out.push_back(static_cast<uint8_t>(ST | MEM | size));
    out.push_back(static_cast<uint8_t>(STX | MEM | size));
    out.push_back(static_cast<uint8_t>(LD | ABS | size));
    out.push_back(static_cast<uint8_t>(LD | IND | size));
  }
  out.push_back(LD | IMM | DW);
  return out;
}

Insn shaped(const uint8_t* b, size_t index, size_t count) {
  static const std::vector<uint8_t> codes = opcodes();
  Insn insn;
  insn.code = codes[b[0] % codes.size()];
  insn.dst = b[1] & 0x0f;
  insn.src = b[1] >> 4;
  if (insn.dst > 10) insn.dst = static_cast<uint8_t>(insn.dst - 10);  // mostly valid registers
  if (insn.src > 10) insn.src = static_cast<uint8_t>(insn.src - 10);
  // Jumps mostly within the program; memory offsets near the regions.
  const auto small = static_cast<int8_t>(b[2]);
  if (op_class(insn.code) == JMP || op_class(insn.code) == JMP32)
    insn.off = static_cast<int16_t>(count ? static_cast<int64_t>(b[2] % count) - static_cast<int64_t>(index) - 1 : 0);
  else
    insn.off = static_cast<int16_t>(b[3] & 1 ? small * 8 : small);
  uint32_t imm = 0;
  for (int i = 0; i < 4; ++i) imm |= static_cast<uint32_t>(b[4 + i]) << (8 * i);
  insn.imm = static_cast<int32_t>(b[3] & 2 ? imm : imm % 96);
  if (op_class(insn.code) == JMP && op_jmp(insn.code) == CALL) {
    constexpr int32_t helpers[] = {kHelperSkbLoadBytes, kHelperSkbPullData, kHelperProbeReadKernel, 1};
    insn.imm = helpers[b[4] % 4];
  }
  return insn;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  constexpr Hook hooks[] = {Hook::Socket, Hook::Xdp, Hook::Tc, Hook::Func};
  const Hook hook = hooks[data[0] & 3];
  const bool raw = (data[0] & 4) != 0;
  const size_t packet_size = std::min<size_t>(data[1], size - 2);
  const std::vector<uint8_t> packet(data + 2, data + 2 + packet_size);
  const uint8_t* code = data + 2 + packet_size;
  const size_t count = (size - 2 - packet_size) / 8;
  Program program;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* b = code + 8 * i;
    program.push_back(raw ? decode(std::span<const uint8_t, 8>(b, 8)) : shaped(b, i, count));
  }
  const auto invalid = bpfc::runtime::validate_ebpf(program);
  if (invalid && invalid->index && *invalid->index >= program.size()) std::abort();
  bpfc::runtime::EbpfContext ctx;
  ctx.hook = hook;
  ctx.packet = packet;
  ctx.skb.ethertype = 0x0800;
  const bpfc::runtime::EbpfLimits limits{100'000};
  const bpfc::runtime::EbpfRun first = bpfc::runtime::run_ebpf(program, ctx, limits);
  const bpfc::runtime::EbpfRun second = bpfc::runtime::run_ebpf(program, ctx, limits);
  if (first.ok() != second.ok() || first.r0 != second.r0 || first.executed_insns != second.executed_insns) std::abort();
  if (first.fault && !program.empty() && first.fault->index >= program.size()) std::abort();
  if (first.executed_insns > limits.max_executed_insns) std::abort();
  // What the validator checks cannot go wrong in a program it accepted.
  if (!invalid && first.fault) {
    const std::string& what = first.fault->message;
    for (const char* structural : {"unknown opcode", "ran off the end", "outside the program", "second slot",
                                   "reserved field", "invalid register", "read-only frame pointer"})
      if (what.find(structural) != std::string::npos) std::abort();
  }
  return 0;
}

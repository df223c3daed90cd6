// The interpreter's state: registers as tagged values, the stack with what
// was written where, and the context. Shared by the interpreter's parts
// (interpreter.cpp dispatches; alu.cpp, memory.cpp, calls.cpp do the work).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "bpfc/ebpf/insn.h"
#include "bpfc/runtime/ebpf_vm.h"

namespace bpfc::runtime::ebpf_vm {

// What a register (or a spilled stack slot) holds. Pointers keep an offset
// from their region's start: the context, r10's frame (the stack is the 512
// bytes below offset 0), the packet's first byte, or the packet's end.
enum class Kind : uint8_t { Uninit, Scalar, Ctx, Stack, Packet, PacketEnd };

struct Value {
  Kind kind = Kind::Uninit;
  uint64_t bits = 0;  // the number, or the pointer's offset (two's complement)

  static Value scalar(uint64_t v) { return {Kind::Scalar, v}; }
  static Value pointer(Kind k, int64_t offset) { return {k, static_cast<uint64_t>(offset)}; }
  bool is_pointer() const { return kind != Kind::Uninit && kind != Kind::Scalar; }
  int64_t offset() const { return static_cast<int64_t>(bits); }
};

// "a number", "a pointer to the stack", ... for messages.
std::string describe_kind(Kind kind);

struct Machine {
  const EbpfContext* context = nullptr;
  std::array<Value, ebpf::kRegisterCount> regs{};
  std::array<uint8_t, ebpf::kStackSize> stack{};  // stack[i] is at r10 - 512 + i
  std::array<bool, ebpf::kStackSize> written{};   // bytes a store or helper wrote
  // A pointer spilled by an aligned 8-byte store, per 8-byte slot.
  std::array<Value, ebpf::kStackSize / 8> spilled{};

  uint64_t packet_size() const { return context->packet.size(); }
};

// A fault's message; nullopt when the step went well.
using Fault = std::optional<std::string>;

// ALU and ALU64 (alu.cpp).
Fault execute_alu(Machine& m, const ebpf::Insn& insn);
// Whether a conditional jump is taken (alu.cpp); a fault when its operands
// cannot be compared.
Fault evaluate_condition(const Machine& m, const ebpf::Insn& insn, bool& taken);

// LDX, ST, STX (memory.cpp).
Fault execute_load(Machine& m, const ebpf::Insn& insn);
Fault execute_store(Machine& m, const ebpf::Insn& insn);
// Writes `size` bytes at the stack pointer `dst` for a helper (memory.cpp).
Fault stack_range(const Machine& m, const Value& pointer, uint64_t size, size_t& first);
void helper_write_stack(Machine& m, size_t first, const uint8_t* bytes, uint64_t size);

// LD_ABS/LD_IND and helper calls (calls.cpp). `exit_now` is set when the
// program ends with r0 = 0 (an LD_ABS/LD_IND past the end).
Fault execute_legacy_load(Machine& m, const ebpf::Insn& insn, bool& exit_now);
Fault execute_call(Machine& m, const ebpf::Insn& insn);

}  // namespace bpfc::runtime::ebpf_vm

// Printers for eBPF programs: a listing in the style of
// `bpftool prog dump xlated` (the kernel's own disassembler, kernel/bpf/disasm.c),
// the -dd form as a C array of struct bpf_insn, and JSON.
//
// The listing shows one line per instruction, "%4u: " then the opcode in hex
// and C-like text:
//
//      0: (61) r2 = *(u32 *)(r1 +76)
//      1: (28) r0 = *(u16 *)skb[12]
//      2: (55) if r0 != 0x800 goto pc+3
//      3: (18) r1 = 0x100000000          <- a 64-bit immediate fills slots 3 and 4,
//      5: (b7) r0 = 262144                  so the next index is 5
//      6: (95) exit
//
// An opcode the kernel does not define prints as "(xx) invalid"; nothing in
// the printers assumes the program is valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::ebpf {

// The text of the instruction at `pc`, without the index: "(61) r2 = *(u32 *)(r1 +76)".
// A 64-bit immediate load reads its second slot at pc + 1 as well; without one
// it prints as invalid. pc must be < program.size().
std::string format_insn(std::span<const Insn> program, size_t pc);

// The instruction's opcode is one the kernel defines (with the operand fields
// that select among opcodes: BPF_END's width, atomics' operation, movsx and
// sdiv's offset, a call's kind). Registers and jump targets are not checked.
bool is_known_opcode(const Insn& insn);

// The kernel's name of helper `id` ("bpf_skb_load_bytes"), or "" when unknown.
std::string_view helper_name(int32_t id);

// The whole program, one line per instruction, each ending in '\n'; the
// second slot of a 64-bit immediate load has no line of its own.
std::string format_listing(const Program& program);

// -dd: one initializer of struct bpf_insn per slot, with linux/bpf.h's field
// names, for `struct bpf_insn prog[] = { #include "out.h" };`:
//   { .code = 0x61, .dst_reg = 2, .src_reg = 1, .off = 76, .imm = 0 },
std::string format_c_array(const Program& program);

// {"length": N, "instructions": [{"code", "dst_reg", "src_reg", "off", "imm",
// "text"}, ...]} with one entry per slot; "text" is format_insn's text, null
// for the second slot of a 64-bit immediate load. With a hook, "hook",
// "section" and "program_type" say where the program runs. Layout documented
// in src/format/json.cpp.
std::string format_json(const Program& program, std::optional<Hook> hook = std::nullopt);

}  // namespace bpfc::ebpf

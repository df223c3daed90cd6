// User-space eBPF engine: a validator with the kernel's structural rules and
// an interpreter with the kernel's semantics that is memory-safe on any
// program. Hermetic: it needs no privileges and touches no kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::runtime {

struct EbpfValidationError {
  // The instruction the problem is about; nullopt when it is about the
  // program as a whole (empty, too long).
  std::optional<uint32_t> index;
  std::string message;  // what is wrong, without the instruction index

  // "instruction <index>: <message>", or the message alone.
  std::string describe() const;
};

// nullopt when `program` passes the kernel's structural checks that do not
// depend on the hook (the parts of the kernel's check_subprogs / check_cfg /
// do_check that look at one instruction or the control-flow graph) and uses
// only what the interpreter models. Refused, with the first offending
// instruction in program order:
// - an empty program, or one over ebpf::kMaxInsns instructions;
// - an unknown opcode, or a known one with a reserved field set (this covers
//   the cpu v4 additions — sdiv/smod, movsx, ldsx, bswap, gotol — and atomics,
//   which the interpreter does not model);
// - a register number over 10, or a write to r10;
// - division or modulus by the constant 0, a constant shift as wide as the
//   operand or wider, BPF_END with a width other than 16/32/64;
// - a jump outside the program or into the second slot of an ld_imm64, an
//   ld_imm64 without its second slot, an ld_imm64 of a map or other pseudo
//   source;
// - falling off the end (the last instruction reached in order is neither
//   exit nor an unconditional jump), and instructions no path reaches;
// - a call to a helper the interpreter does not know (it knows
//   bpf_skb_load_bytes, bpf_skb_pull_data, bpf_probe_read_kernel) or to a
//   BPF function (pseudo call).
// Backward jumps (bounded loops) are allowed: run_ebpf bounds execution.
// What depends on values and the hook (types of registers, bounds of
// accesses, which helper a hook may call) is checked while running.
std::optional<EbpfValidationError> validate_ebpf(const ebpf::Program& program);

// The struct __sk_buff fields a socket or tc program can read besides
// data/data_end.
struct SkbMetadata {
  uint32_t pkt_type = 0;      // PACKET_HOST
  uint16_t ethertype = 0;     // host order; reads of skb->protocol give it in network order
  uint32_t vlan_present = 0;  // 1 when vlan_tci holds a tag the NIC removed
  uint32_t vlan_tci = 0;
  uint32_t ifindex = 0;
  std::optional<uint32_t> wire_len;  // nullopt: the packet's size
  // skb->len, nullopt: the packet's size. A socket on a live capture sees
  // whole packets; a savefile's packet may hold fewer bytes than it had on
  // the wire, and a filter's `len` is the wire length.
  std::optional<uint32_t> len;
};

// What a program receives. For Hook::Socket and Hook::Tc, r1 points to a
// struct __sk_buff (read-only) whose len is packet.size(); Hook::Xdp, to a
// struct xdp_md whose data/data_end loads give pointers into `packet`;
// Hook::Func gets r1 = data and r2 = data_end. Socket filters cannot read
// data, data_end or wire_len (the kernel refuses them there).
struct EbpfContext {
  ebpf::Hook hook = ebpf::Hook::Socket;
  std::span<const uint8_t> packet;
  SkbMetadata skb;               // Socket and Tc
  uint32_t ingress_ifindex = 0;  // Xdp
};

struct EbpfLimits {
  uint64_t max_executed_insns = 10'000'000;
};

struct EbpfFault {
  uint32_t index = 0;   // the instruction that faulted
  std::string message;  // what happened

  // "instruction <index>: <message>".
  std::string describe() const;
};

struct EbpfRun {
  uint64_t r0 = 0;                 // the program's return value, when it exits
  std::optional<EbpfFault> fault;  // set when the program did not exit normally
  uint64_t executed_insns = 0;

  bool ok() const { return !fault.has_value(); }
};

// Runs `program` on `context`. The semantics are the kernel's: ALU32
// zero-extends; division by 0 gives 0 and modulus by 0 keeps dst (32-bit:
// zero-extended); shift amounts are masked (& 31, & 63); BPF_END to_le
// truncates and to_be swaps; LD_ABS/LD_IND put the big-endian value in r0
// and clobber r1-r5, and a read past the end makes the program return 0 at
// once. The kernel computes LD_IND's offset as (int)(src + imm) and negative
// offsets name its SKF_NET_OFF/SKF_LL_OFF areas; this interpreter treats
// every negative offset as out of range (return 0).
//
// Memory-safe on any program, valid or not: registers carry their type
// (number, or a pointer to the context, the stack, the packet or the packet's
// end, with an offset) and every access is checked against its region — the
// 512-byte stack below r10 (aligned accesses; reading bytes never written is
// a fault), the packet [data, data_end) (read-only here), the context's
// modelled fields (read-only, aligned, 4-byte data/data_end loads). What the
// kernel verifier would refuse on this path — an unknown opcode reached, an
// uninitialized register read, pointer arithmetic other than pointer ±
// number or pointer - pointer, a pointer compared with a number, a pointer
// returned in r0 or stored outside the stack — is a fault, as are executing
// more than limits.max_executed_insns instructions and a jump outside the
// program. Helpers: bpf_skb_load_bytes (copies to the stack; -EFAULT and a
// zeroed buffer when out of range), bpf_skb_pull_data (returns 0; like the
// kernel, it invalidates packet pointers; -ENOMEM when asked for more than
// the packet), bpf_probe_read_kernel (copies from the packet or written
// stack; past the packet -EFAULT; from a number, as x86-64 does: -ERANGE for
// user or non-canonical addresses, -EFAULT for kernel ones, which are taken
// as unmapped; the buffer is zeroed on error; from the context a fault, as
// kernel memory is not modelled).
//
// Thread-safe; allocates only for a fault's message.
EbpfRun run_ebpf(const ebpf::Program& program, const EbpfContext& context, const EbpfLimits& limits = {});

}  // namespace bpfc::runtime

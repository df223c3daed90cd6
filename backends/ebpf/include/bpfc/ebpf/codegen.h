// Code generation: bpfc's SSA IR (ir/README.md) to an eBPF program for one
// hook, with the IR contract's semantics: a load past the captured bytes
// rejects the packet, division by zero rejects it, shifts by 32 or more give
// 0, comparisons are unsigned 32-bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"
#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/legalize.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::ebpf {

struct CodegenOptions {
  Hook hook = Hook::Socket;
  PacketAccess access = PacketAccess::Legacy;
  // XDP and tc: what the program returns when the filter accepts or rejects
  // the packet (XDP_PASS / XDP_DROP, TC_ACT_OK / TC_ACT_SHOT by default).
  // Socket filters and func return the filter's own value (0 rejects).
  int32_t accept_action = 0;
  int32_t reject_action = 0;
  // protochain walks follow at most this many headers (1..175, as
  // CompileOptions::protochain_depth) and reject packets with longer chains:
  // the verifier must see each loop's bound.
  uint32_t protochain_depth = opt::kDefaultProtochainDepth;
  // Legacy access (socket, tc): the packet's first bytes, up to this many,
  // are copied to the stack once with bpf_skb_load_bytes() (the packet
  // window), and the loads the window holds read the stack; the others stay
  // LD_ABS/LD_IND. Each legacy load is a call in the kernel, the copy one
  // call for all. 0: every load is a legacy load.
  uint32_t window_limit = kDefaultWindowLimit;
  static constexpr uint32_t kDefaultWindowLimit = 128;
  // A program unprivileged users can load (no CAP_BPF/CAP_PERFMON): the
  // kernel lets them read the stack only at offsets known at load time, so
  // indexed loads stay legacy loads instead of reading the window.
  bool unprivileged = false;
};

// The kernel verifier's budget: the instructions it checks, along every
// path it explores, before it gives up (BPF_COMPLEXITY_LIMIT_INSNS).
inline constexpr size_t kVerifierBudget = 1000000;

// Whether the program reads the packet behind the legalization's guards
// against its length (the packet window, skb and probe access) rather than
// relying on legacy loads or packet pointers alone.
bool reads_behind_length_guards(const CodegenOptions& options);

// The options a hook has unless told otherwise.
CodegenOptions default_codegen_options(Hook hook);

struct Generated {
  Program program;
  size_t spill_slots = 0;  // 8-byte stack slots the register allocation took
  size_t bounds_guards = 0;  // explicit bounds checks (direct packet access, the packet window)
  uint32_t window_bytes = 0;  // the packet window's size (0: none)
  // The instructions the kernel's verifier is expected to check at most
  // (its budget is kVerifierBudget): five times the program (it walks a
  // block again for each state it reaches it with that it cannot prune:
  // up to about four times in the test corpus), plus twice each protochain
  // loop's body per step it may take, as the verifier follows every
  // iteration (six times that again for each loop after the first, entered
  // with the states the others leave). Calibrated on Linux 6.18: the tests
  // check it against the kernel's own count ("processed N insns") on the
  // corpus and on chains of protochain walks.
  size_t verifier_estimate = 0;
};

// The program for `function`, a verified IR function. Kernel metadata (`meta`) needs a
// hook whose context has it (socket, tc). Errors: a function the hook cannot
// run, or one beyond what the encoding holds (jumps over 32,767
// instructions, more live values than the 512-byte stack holds).
Result<Generated> generate(const ir::Function& function, const CodegenOptions& options);

struct HookProgram {
  Generated generated;
  // What users should know (the unrolled protochain walk's bound), in words
  // for people.
  std::vector<std::string> warnings;
};

// The optimized IR (as the driver's passes leave it) to a program for the
// hook: bounds checks made explicit where the hook needs them, then
// generate(). Protochain walks stay loops, bounded by the options' depth
// (the warnings say so).
Result<HookProgram> compile_for_hook(ir::Function function, const CodegenOptions& options);

}  // namespace bpfc::ebpf

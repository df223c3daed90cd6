// The embeddable compiler API: pcap-filter text -> classic BPF (or IR), with
// libpcap's pcap_compile() semantics for the given link type and snaplen.
// Thread-safe and re-entrant: no global state. Every other target (and these
// two, by name) is reached through the target registry (target.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/frontend/compile_context.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/legalize.h"
#include "bpfc/optimizer/pass_manager.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

// How `protochain` is compiled (see ir.h, "The protochain walk").
enum class ProtochainForm : uint8_t {
  // libpcap's loop, with a backward jump: libpcap's verdict on every packet,
  // whatever the length of its header chain. bpf_filter(), pcap_offline_filter()
  // and bpfc run it; the Linux kernel refuses backward jumps.
  Loop,
  // Loop-free code that follows at most CompileOptions::protochain_depth
  // headers and rejects packets with longer chains, where libpcap follows
  // any number: loadable into the Linux kernel. The compile result's notes
  // say what it rejects.
  Unrolled,
};

struct CompileOptions {
  uint32_t linktype = 1;          // a DLT_ value; 1 is DLT_EN10MB
  uint32_t snaplen = 262144;      // returned by filters that accept
  std::optional<uint32_t> netmask;  // nullopt: PCAP_NETMASK_UNKNOWN
  // 0 gives the semantics of pcap_compile(optimize=0), higher levels those
  // of optimize=1 (tcpdump's default). They differ on truncated packets,
  // because libpcap's optimizer drops loads it proves unneeded, and
  // optimize=1 refuses a filter that can never match ("expression rejects
  // all packets"). Levels 1 and 2 then run bpfc's own SSA passes
  // (optimizer/): 1 the cheap linear-time ones, 2 all of them. The passes keep
  // every verdict, so 1 and 2 differ only in program size and speed.
  int opt_level = 2;
  // Replaces the level's pass pipeline when set (an empty list runs none:
  // the IR exactly as lowering gives it). Tests use it to validate one pass.
  std::optional<std::vector<opt::Pass>> passes;
  // Called after each SSA pass: bpfc compile's --print-after and --stats.
  opt::PassObserver pass_observer;
  // Where names (hosts, services, protocols, networks, ethers) come from;
  // null means the system's (files in /etc and the system resolver).
  const NameResolver* resolver = nullptr;
  // The form of `protochain`, and the bound of the unrolled form
  // (1..opt::kMaxProtochainDepth headers).
  ProtochainForm protochain = ProtochainForm::Loop;
  uint32_t protochain_depth = opt::kDefaultProtochainDepth;
  // What libpcap would compile for: pcap_open_dead() (the default), a
  // savefile in either byte order, or a live Linux capture, whose programs
  // read the kernel's packet metadata (compile_context.h).
  CompileContext context = CompileContext::Dead;
};

// A compilation's output with what the caller should tell its users.
template <typename Output>
struct Compiled {
  Output output;
  // Where the chosen options make verdicts differ from libpcap's, in words
  // for people (the unrolled protochain form's bound). Empty with the
  // default options. Whether the Linux kernel loads the program is
  // kernel_refusal()'s to say. Library code never prints: callers show these.
  std::vector<std::string> notes;
};

// Parse, check and lower to IR (optimized per opt_level).
Result<Compiled<ir::Function>> compile_to_ir_with_notes(std::string_view filter, const CompileOptions& options);

// The whole pipeline down to a classic BPF program that passes bpf_validate.
// Such a program runs in user space (libpcap's bpf_filter(), run_cbpf()); ask
// kernel_refusal() before handing it to the Linux kernel.
Result<Compiled<cbpf::Program>> compile_cbpf_with_notes(std::string_view filter, const CompileOptions& options);

// The same, without the notes: for callers that keep the default
// ProtochainForm::Loop (which has none) or tell users otherwise.
Result<ir::Function> compile_to_ir(std::string_view filter, const CompileOptions& options);
Result<cbpf::Program> compile_cbpf(std::string_view filter, const CompileOptions& options);

// Why the Linux kernel would refuse to load `program` as a classic socket
// filter (SO_ATTACH_FILTER): over 4096 instructions (BPF_MAXINSNS), a backward
// jump (the loop libpcap's protochain code uses), or another of its checks
// (validate_cbpf with ValidationRules::LinuxKernel). nullopt when it would
// load it.
std::optional<runtime::ValidationError> kernel_refusal(const cbpf::Program& program);

}  // namespace bpfc

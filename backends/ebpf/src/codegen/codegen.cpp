#include "bpfc/ebpf/codegen.h"

#include "bpfc/optimizer/legalize.h"
#include "generator.h"
#include "vlan_tests.h"

namespace bpfc::ebpf {

bool reads_behind_length_guards(const CodegenOptions& options) {
  return (options.access == PacketAccess::Legacy && options.window_limit > 0) || options.access == PacketAccess::Skb ||
         options.access == PacketAccess::Probe;
}

CodegenOptions default_codegen_options(Hook hook) {
  CodegenOptions options;
  options.hook = hook;
  options.access = default_packet_access(hook);
  if (hook == Hook::Xdp) {
    options.accept_action = kXdpPass;
    options.reject_action = kXdpDrop;
  } else if (hook == Hook::Tc) {
    options.accept_action = kTcActOk;
    options.reject_action = kTcActShot;
  }
  return options;
}

Result<Generated> generate(const ir::Function& function, const CodegenOptions& options) {
  if (!allows(options.hook, options.access)) {
    return error("the " + std::string(name(options.hook)) + " hook cannot read packets with " +
                 std::string(name(options.access)) + " access");
  }
  codegen::Generator generator(function, options);
  return generator.run();
}

namespace {

bool reads_metadata(const ir::Function& function, ir::MetaKind kind) {
  for (const ir::Block& block : function.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = function.value(v);
      if (inst.op == ir::Op::Meta && static_cast<ir::MetaKind>(inst.imm) == kind) return true;
    }
  }
  return false;
}

// Whether the program looks for a VLAN tag in the frame.
bool looks_for_vlan_tags(const ir::Function& function) {
  for (const ir::Block& block : function.blocks) {
    if (codegen::tests_vlan_tpid(function, block.term)) return true;
  }
  return false;
}

}  // namespace

Result<HookProgram> compile_for_hook(ir::Function function, const CodegenOptions& options) {
  HookProgram out;
  if (options.protochain_depth < 1 || options.protochain_depth > opt::kMaxProtochainDepth) {
    return error("protochain depth " + std::to_string(options.protochain_depth) + " is out of range (1 to " +
                 std::to_string(opt::kMaxProtochainDepth) + ")");
  }
  opt::ProtochainUnrolling walks;  // the same bound as the unrolled form, said the same way
  walks.depth = options.protochain_depth;
  for (const ir::Block& block : function.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = function.value(v);
      if (inst.op != ir::Op::Protochain) continue;
      ++(inst.size == 6 ? walks.ipv6_walks : walks.ipv4_walks);
    }
  }
  if (walks.any()) out.warnings.push_back(opt::describe(walks));
  if (options.hook == Hook::Xdp && looks_for_vlan_tags(function)) {
    out.warnings.push_back(
        "an XDP program sees a VLAN tag only where the NIC leaves it in the frame; with VLAN stripping on (the "
        "default on most NICs) tagged packets arrive untagged: turn it off with 'ethtool -K DEV rxvlan off' "
        "(rx-vlan-offload)");
  }
  if (options.hook == Hook::Tc && reads_metadata(function, ir::MetaKind::PacketType)) {
    out.warnings.push_back(
        "inbound and outbound read the packet type, which a tc program sees as PACKET_HOST on egress (the kernel "
        "marks packets outgoing only in the copies it gives packet sockets): on egress every packet is inbound");
  }
  // Direct access needs every load proven in bounds. A legacy load past the
  // end makes the program return 0, which is a reject only where the hook's
  // reject value is 0 (socket filters); elsewhere (tc's 0 is TC_ACT_OK) the
  // explicit checks reject first and the legacy loads never fail.
  // The packet window's reads are proven by the same checks.
  if (options.access == PacketAccess::Direct || options.reject_action != 0 || reads_behind_length_guards(options)) {
    opt::legalize_bounds_checks(function);
  }
  auto generated = generate(function, options);
  if (!generated) return generated.errors();
  out.generated = std::move(*generated);
  if (out.generated.verifier_estimate > kVerifierBudget) {
    out.warnings.push_back(
        "the kernel's verifier may have to check up to " + std::to_string(out.generated.verifier_estimate) +
        " instructions of this program, over its budget of " + std::to_string(kVerifierBudget) +
        (walks.any() ? " (each protochain loop counts once per step it may take): loading may fail; a lower "
                       "--protochain-depth shortens the loops"
                     : ": loading may fail"));
  }
  return out;
}

}  // namespace bpfc::ebpf

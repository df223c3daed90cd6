#include "ebpf_target.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "bpfc/ebpf/codegen.h"
#include "bpfc/ebpf/format.h"
#include "bpfc/ebpf/object.h"

namespace bpfc::ebpf {
namespace {

std::string chosen(const driver::TargetSettings& settings, std::string_view option, std::string fallback) {
  auto found = settings.find(option);
  return found == settings.end() ? fallback : found->second;
}

// --ebpf-accept / --ebpf-reject: the hook's action names.
Result<int32_t> action(Hook hook, std::string_view option, const std::string& value) {
  if (hook == Hook::Xdp) {
    if (value == "pass") return kXdpPass;
    if (value == "drop") return kXdpDrop;
    if (value == "aborted") return kXdpAborted;
    return error("--" + std::string(option) + "=" + value + " is not an XDP action (pass, drop or aborted)");
  }
  if (hook == Hook::Tc) {
    if (value == "ok") return kTcActOk;
    if (value == "shot") return kTcActShot;
    return error("--" + std::string(option) + "=" + value + " is not a tc action (ok or shot)");
  }
  return error("--" + std::string(option) + " applies to the xdp and tc hooks; a " + std::string(name(hook)) +
               " program returns the filter's value (0 rejects)");
}

Result<CodegenOptions> codegen_options(const driver::TargetSettings& settings, const CompileOptions& options) {
  const auto hook = parse_hook(chosen(settings, "ebpf-hook", "socket"));
  if (!hook) return error("unknown eBPF hook");  // check_settings has seen the value
  CodegenOptions codegen = default_codegen_options(*hook);
  codegen.protochain_depth = options.protochain_depth;
  if (auto access = settings.find("packet-access"); access != settings.end() && access->second != "default") {
    auto parsed = parse_packet_access(access->second);
    if (!parsed) return error("unknown packet access '" + access->second + "'");
    if (!allows(*hook, *parsed)) {
      std::string ways;
      for (PacketAccess other : {PacketAccess::Legacy, PacketAccess::Direct, PacketAccess::Skb, PacketAccess::Probe}) {
        if (!allows(*hook, other)) continue;
        ways += (ways.empty() ? "" : " or ") + std::string(name(other));
      }
      return error("the " + std::string(name(*hook)) + " hook cannot read packets with --packet-access=" +
                   access->second + " (it reads them with " + ways + " access)");
    }
    codegen.access = *parsed;
  }
  if (chosen(settings, "ebpf-window", "on") == "off") codegen.window_limit = 0;
  codegen.unprivileged = chosen(settings, "ebpf-loader", "privileged") == "unprivileged";
  for (const char* option : {"ebpf-accept", "ebpf-reject"}) {
    auto given = settings.find(option);
    if (given == settings.end()) continue;
    auto value = action(*hook, option, given->second);
    if (!value) return value.errors();
    (std::string_view(option) == "ebpf-accept" ? codegen.accept_action : codegen.reject_action) = *value;
  }
  return codegen;
}

// What the kernel will say about the program's size, before it is loaded.
std::optional<std::string> size_remark(const Program& program, const CodegenOptions& codegen) {
  const Hook hook = codegen.hook;
  if (program.size() > kMaxInsns) {
    return "the program has " + std::to_string(program.size()) + " instructions; the kernel loads at most " +
           std::to_string(kMaxInsns);
  }
  if (codegen.unprivileged && program.size() > kMaxInsnsUnprivileged) {
    return "the program has " + std::to_string(program.size()) +
           " instructions; without CAP_BPF the kernel loads at most 4,096";
  }
  if (hook == Hook::Socket && program.size() > kMaxInsnsUnprivileged) {
    return "the program has " + std::to_string(program.size()) +
           " instructions: the kernel loads socket filters over 4,096 instructions only for processes with "
           "CAP_BPF (or CAP_SYS_ADMIN)";
  }
  return std::nullopt;
}

// The declaration a BPF program includes to call the func hook's filter.
std::string func_header(PacketAccess access) {
  std::string how;
  switch (access) {
    case PacketAccess::Skb:
      how = " * filter() returns non-zero when the packet in skb matches; it reads it with\n"
            " * bpf_skb_load_bytes(). Call it from a socket filter or tc program (or another\n"
            " * program whose context is a struct __sk_buff) with that context.";
      break;
    case PacketAccess::Probe:
      how = " * filter() returns non-zero when the packet between the kernel addresses data and\n"
            " * data_end matches (in fentry/kprobe programs: skb->data and skb->data + skb_headlen),\n"
            " * read with bpf_probe_read_kernel(), a GPL-only helper: the caller's license must\n"
            " * be GPL-compatible.";
      break;
    default:
      how = " * filter() returns non-zero when the packet between data and data_end matches.\n"
            " * Call it with the packet bounds of your program's context (XDP: ctx->data and\n"
            " * ctx->data_end); the verifier checks it inside your program.";
      break;
  }
  return "/* The packet filter bpfc compiled (bpfc compile --target=ebpf --ebpf-hook=func -o FILE.o):\n"
         " * link its object with yours (bpftool gen object out.o yours.o FILE.o, or libbpf's linker).\n" +
         how + " */\n"
         "#ifndef BPFC_FILTER_H\n"
         "#define BPFC_FILTER_H\n\n" +
         (access == PacketAccess::Skb ? "struct __sk_buff;\n" : "") + function_prototype(Hook::Func, "filter", access) +
         ";\n\n#endif\n";
}

}  // namespace

void register_target(driver::TargetRegistry& registry) {
  driver::Target target;
  target.name = "ebpf";
  target.description =
      "eBPF for the kernel's socket, XDP and tc hooks or as a callable function (bpftool-style listing, -dd, "
      "JSON, ELF objects libbpf loads)";
  target.emits = {driver::Emits::TextListing, driver::Emits::Json, driver::Emits::BinaryObject};
  target.options = {
      {"format",
       "text (a listing), json, elf (an object for libbpf and bpftool), or header (the C declaration of the func "
       "hook's function, for the programs that link its object)",
       {"text", "json", "elf", "header"}},
      {"listing", "the text layout: a listing (-d) or a C array of struct bpf_insn (-dd)", {"d", "dd"}},
      {"ebpf-hook",
       "where the program runs: socket (a socket filter, returning the bytes to keep), xdp (XDP_PASS or "
       "XDP_DROP), tc (cls_bpf direct action: TC_ACT_OK or TC_ACT_SHOT), func (a global function "
       "filter(data, data_end) other BPF programs link with)",
       {"socket", "xdp", "tc", "func"}},
      {"ebpf-accept", "what an xdp or tc program returns for an accepted packet (default pass, or ok for tc)",
       {"pass", "drop", "aborted", "ok", "shot"}},
      {"ebpf-reject", "what an xdp or tc program returns for a rejected packet (default drop, or shot for tc)",
       {"drop", "pass", "aborted", "ok", "shot"}},
      {"packet-access",
       "how the program reads the packet: the hook's own way by default (legacy for socket and tc, direct for xdp "
       "and func); legacy (LD_ABS/LD_IND and the packet window; socket, tc), direct (data/data_end; xdp, func), skb "
       "(bpf_skb_load_bytes(); socket, tc, and a func filter(struct __sk_buff *skb)), probe "
       "(bpf_probe_read_kernel() of filter(data, data_end) given as kernel addresses, for fentry/kprobe callers; "
       "func)",
       {"default", "legacy", "direct", "skb", "probe"}},
      {"ebpf-window",
       "legacy packet access: copy the packet's first bytes (up to 128) to the stack with one "
       "bpf_skb_load_bytes() call and read them there (on), or read every byte with LD_ABS/LD_IND, a call each (off)",
       {"on", "off"}},
      {"ebpf-loader",
       "who loads the program: privileged (CAP_BPF or root) or unprivileged (kernel.unprivileged_bpf_disabled=0: "
       "at most 4,096 instructions, and no stack reads at offsets known only at run time)",
       {"privileged", "unprivileged"}},
  };
  target.emit = [](const ir::Function& function, const CompileOptions& options,
                   const driver::TargetSettings& settings) -> Result<driver::Emitted> {
    auto codegen = codegen_options(settings, options);
    if (!codegen) return codegen.errors();
    auto compiled = compile_for_hook(function, *codegen);
    if (!compiled) return compiled.errors();
    const Program& program = compiled->generated.program;
    if (program.size() > kMaxInsns || (codegen->unprivileged && program.size() > kMaxInsnsUnprivileged)) {
      return error(*size_remark(program, *codegen));
    }
    driver::Emitted emitted;
    emitted.warnings = std::move(compiled->warnings);
    if (auto remark = size_remark(program, *codegen)) emitted.warnings.push_back(std::move(*remark));
    const std::string format = chosen(settings, "format", "text");
    if (format == "header") {
      if (codegen->hook != Hook::Func) {
        return error("--format=header declares the func hook's function; add --ebpf-hook=func");
      }
      emitted.bytes = func_header(codegen->access);
    } else if (format == "elf") {
      ObjectOptions object;
      object.hook = codegen->hook;
      object.access = codegen->access;
      auto bytes = write_object(program, object);
      if (!bytes) return bytes.errors();
      emitted.bytes.assign(bytes->begin(), bytes->end());
    } else if (format == "json") {
      emitted.bytes = format_json(program, codegen->hook);
      if (emitted.bytes.empty() || emitted.bytes.back() != '\n') emitted.bytes.push_back('\n');
    } else if (chosen(settings, "listing", "d") == "dd") {
      emitted.bytes = format_c_array(program);
    } else {
      emitted.bytes = format_listing(program);
    }
    emitted.instructions = program.size();
    return emitted;
  };
  // A second target of the same name is a build mistake, not a user's.
  if (!registry.add(std::move(target))) std::abort();
}

}  // namespace bpfc::ebpf

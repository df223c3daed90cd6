#include "bpfc/ebpf/hook.h"

#include "bpfc/ebpf/insn.h"

namespace bpfc::ebpf {

std::string_view name(Hook hook) {
  switch (hook) {
    case Hook::Socket: return "socket";
    case Hook::Xdp: return "xdp";
    case Hook::Tc: return "tc";
    case Hook::Func: return "func";
  }
  return "?";
}

std::optional<Hook> parse_hook(std::string_view text) {
  for (Hook hook : {Hook::Socket, Hook::Xdp, Hook::Tc, Hook::Func}) {
    if (name(hook) == text) return hook;
  }
  return std::nullopt;
}


std::string_view name(PacketAccess access) {
  switch (access) {
    case PacketAccess::Legacy: return "legacy";
    case PacketAccess::Direct: return "direct";
    case PacketAccess::Skb: return "skb";
    case PacketAccess::Probe: return "probe";
  }
  return "?";
}

std::optional<PacketAccess> parse_packet_access(std::string_view text) {
  for (PacketAccess access : {PacketAccess::Legacy, PacketAccess::Direct, PacketAccess::Skb, PacketAccess::Probe}) {
    if (name(access) == text) return access;
  }
  return std::nullopt;
}

uint32_t program_type(Hook hook) {
  switch (hook) {
    case Hook::Socket: return kProgTypeSocketFilter;
    case Hook::Xdp: return kProgTypeXdp;
    case Hook::Tc: return kProgTypeSchedCls;
    case Hook::Func: return 0;
  }
  return 0;
}

std::string_view section_name(Hook hook) {
  switch (hook) {
    case Hook::Socket: return "socket";
    case Hook::Xdp: return "xdp";
    case Hook::Tc: return "tc";
    case Hook::Func: return ".text";
  }
  return ".text";
}

PacketAccess default_packet_access(Hook hook) {
  switch (hook) {
    case Hook::Socket:
    case Hook::Tc: return PacketAccess::Legacy;
    case Hook::Xdp:
    case Hook::Func: return PacketAccess::Direct;
  }
  return PacketAccess::Direct;
}

bool allows(Hook hook, PacketAccess access) {
  switch (access) {
    case PacketAccess::Legacy: return hook == Hook::Socket || hook == Hook::Tc;
    case PacketAccess::Direct: return hook == Hook::Xdp || hook == Hook::Func;
    case PacketAccess::Skb: return hook == Hook::Socket || hook == Hook::Tc || hook == Hook::Func;
    case PacketAccess::Probe: return hook == Hook::Func;
  }
  return false;
}

}  // namespace bpfc::ebpf

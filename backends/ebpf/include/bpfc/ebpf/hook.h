// Where an eBPF filter runs: the hook decides the program type, the ELF
// section libbpf expects, the context the program receives, how it reads the
// packet, and what it returns for "accept" and "reject".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc::ebpf {

enum class Hook : uint8_t {
  Socket,  // a socket filter (SO_ATTACH_BPF): returns the bytes to keep, 0 drops
  Xdp,     // XDP: XDP_PASS / XDP_DROP (or as --ebpf-accept/--ebpf-reject say)
  Tc,      // tc cls_bpf in direct-action mode: TC_ACT_OK / TC_ACT_SHOT
  Func,    // a global function filter(const void *data, const void *data_end)
};

// How a program reads packet bytes.
enum class PacketAccess : uint8_t {
  Legacy,  // LD_ABS / LD_IND (socket filters, tc): the kernel checks each load
  Direct,  // pointers between data and data_end, checked by the program
  Skb,     // bpf_skb_load_bytes() into the stack
  Probe,   // bpf_probe_read_kernel() into the stack (fentry/kprobe callers)
};

std::string_view name(Hook hook);
std::optional<Hook> parse_hook(std::string_view text);

std::string_view name(PacketAccess access);
std::optional<PacketAccess> parse_packet_access(std::string_view text);

// enum bpf_prog_type of the hook's program; func objects are linked into a
// program of their caller's type, so they have none (0).
uint32_t program_type(Hook hook);
// The ELF section libbpf maps to the program type ("socket", "xdp", "tc");
// ".text" for the func hook's global function.
std::string_view section_name(Hook hook);

// The packet access a hook uses unless told otherwise.
PacketAccess default_packet_access(Hook hook);
// Whether bpfc generates the hook's programs reading the packet that way:
// legacy loads in socket filters and tc (the only program types the kernel
// allows them in), direct access in XDP and func (tc's direct access sees
// only an sk_buff's linear part: a packet's later bytes would read as
// missing), bpf_skb_load_bytes() where the context is an sk_buff (socket,
// tc, and a func taking one), bpf_probe_read_kernel() in func.
bool allows(Hook hook, PacketAccess access);

}  // namespace bpfc::ebpf

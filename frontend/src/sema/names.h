// Names libpcap resolves itself, without the system databases, and the
// lookups that combine them with a NameResolver the way libpcap's compiler
// does. Sema uses these to decide whether a name is known; lowering uses the
// same functions to get the values, so both agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/frontend/pflog_names.h"
#include "bpfc/frontend/wlan_names.h"

namespace bpfc::sema {

// `link proto \NAME`: libpcap's EtherType names (aarp, arp, atalk, decnet, ip,
// ip6, lat, lldp, loopback, mopdl, moprc, rarp, sca, slow), then its LLC SAP
// names (iso, stp, ipx, netbeui). Case-sensitive, like libpcap.
std::optional<uint32_t> link_proto_by_name(std::string_view name);
// `iso proto \NAME`: esis, isis, clnp (their NLPIDs).
std::optional<uint32_t> iso_proto_by_name(std::string_view name);

// lookup_proto(): the value of NAME in `[qualifier] proto NAME` and
// `[qualifier] protochain NAME`. IP-level qualifiers (none, ip, ip6) use the
// protocols database; `link` and `iso` use the tables above; every other
// qualifier knows no names.
std::optional<uint32_t> lookup_proto_name(ast::Proto qualifier, std::string_view name,
                                          const NameResolver& resolver);

// pcap_nametoport(): a service name's port, looked up for TCP and for UDP.
// `ip_proto` is 6 (TCP) or 17 (UDP) when only that protocol (or TCP, when the
// two disagree) has the name, and nullopt when both give the same port.
struct NamedPort {
  uint16_t port = 0;
  std::optional<uint8_t> ip_proto;
};
std::optional<NamedPort> lookup_port_name(std::string_view name, const NameResolver& resolver);

// The network and mask of `net NAME`: getnetbyname()'s number shifted left
// until its top byte is set, with the mask shifted alongside ("10.20" gives
// 10.20.0.0/16). Nullopt when the name is unknown or its number is 0.
struct NamedNetwork {
  uint32_t address = 0;
  uint32_t mask = 0;
};
std::optional<NamedNetwork> lookup_network_name(std::string_view name, const NameResolver& resolver);

// `llc NAME`: the frame format words i, s, u, or an S or U command.
struct LlcKind {
  enum class Frame { I, S, U, SCommand, UCommand } frame;
  uint32_t command = 0;  // for SCommand / UCommand: the command bits
};
std::optional<LlcKind> llc_kind_by_name(std::string_view name);

}  // namespace bpfc::sema

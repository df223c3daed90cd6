// `host` and `net` on IPv4 / IPv6 / ARP / RARP addresses, numeric or by name.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/resolver.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

// `addr` under `mask` in the source/destination address of protocol `proto`
// (Default: IPv4, ARP and RARP). `type` (Host or Net) only words messages.
Fragment gen_host(Codegen& cg, uint32_t addr, uint32_t mask, ast::Proto proto, ast::Dir dir,
                  ast::AddrType type);
Fragment gen_host6(Codegen& cg, const Ipv6Addr& addr, const Ipv6Addr& mask, ast::Proto proto, ast::Dir dir,
                   ast::AddrType type);

// For `gateway`: the packet is IPv4, ARP or RARP (as `proto` selects) and
// none of `addrs` is its source or destination.
Fragment gen_none_of_hosts(Codegen& cg, const std::vector<uint32_t>& addrs, ast::Proto proto);

// `host NAME`: every address the name resolves to, IPv4 then IPv6.
Fragment gen_host_by_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q);
// `net NAME`: a networks(5) entry.
Fragment gen_net_by_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q);

}  // namespace bpfc::lower

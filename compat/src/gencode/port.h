// `port` and `portrange` over TCP, UDP and SCTP on IPv4 and IPv6.
#pragma once

#include <cstdint>
#include <string_view>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

// Transport protocol selection: one IP protocol, or any of TCP/UDP/SCTP.
inline constexpr uint32_t kAnyPortProto = 0xffffffffu;

// `proto port N` for IPv4 (with libpcap's "not a later fragment" check).
Fragment gen_port(Codegen& cg, uint32_t port, uint32_t ip_proto, ast::Dir dir);
Fragment gen_port6(Codegen& cg, uint32_t port, uint32_t ip_proto, ast::Dir dir);
Fragment gen_portrange(Codegen& cg, uint32_t port1, uint32_t port2, uint32_t ip_proto, ast::Dir dir);
Fragment gen_portrange6(Codegen& cg, uint32_t port1, uint32_t port2, uint32_t ip_proto, ast::Dir dir);

// The primitives: IPv6 alternative first, then IPv4, as libpcap orders them.
Fragment gen_port_number(Codegen& cg, uint32_t port, const ast::Qualifiers& q);
Fragment gen_portrange_number(Codegen& cg, uint32_t port, const ast::Qualifiers& q);
Fragment gen_port_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q);
Fragment gen_portrange_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q);

// Not a fragment of an IPv4 datagram other than the first.
Fragment gen_ipfrag(Codegen& cg);

}  // namespace bpfc::lower

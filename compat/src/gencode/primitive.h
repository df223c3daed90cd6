// `[qualifiers] value` primitives: dispatch on the kind of value (name,
// number, IPv4/IPv6 address or prefix, MAC address) and the address type
// (host, net, port, portrange, gateway, proto, protochain), as libpcap's
// gen_scode / gen_ncode / gen_mcode / gen_mcode6 / gen_ecode do.
#pragma once

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment lower_qualified(Codegen& cg, const ast::Qualified& q);

}  // namespace bpfc::lower

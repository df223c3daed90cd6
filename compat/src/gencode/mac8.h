// Link layers with one-byte station addresses (MAC-8): ARCnet, with the
// source before the destination, and BACnet MS/TP, with the destination
// first. `link host $XX`, `broadcast` and `multicast` on them, and ARCnet's
// system code as the payload protocol.
#pragma once

#include <cstdint>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

bool is_mac8_link(const Layout& l);
// Station address `mac8` in the source and/or destination field.
Fragment gen_mac8host(Codegen& cg, uint8_t mac8, ast::Dir dir);
// ARCnet broadcast (destination 0, which multicast also means) and MS/TP
// broadcast (destination 0xff).
Fragment gen_mac8_broadcast(Codegen& cg);
// The ARCnet system code for `ll_proto` (RFC 1201 values).
Fragment gen_arcnet_linktype(Codegen& cg, uint32_t ll_proto);

}  // namespace bpfc::lower

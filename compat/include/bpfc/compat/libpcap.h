// The libpcap-compatibility layer's one entry: a resolved filter in, SSA IR
// out, with libpcap's verdict on every packet, truncated ones included.
//
// Behind it (compat/src/): the port of libpcap's code generator (gencode/,
// the block program of gencode/machine.h), the replica of its optimizer
// (optimizer/), which decides which loads survive and so what a short packet
// does, the representative lowering of long host/net/port lists (lists/, the
// replica's result in linear time) and the lift of the block program to IR
// (lift/). Nothing else of that module is public; what comes after it
// (bpfc's own passes, the targets) sees only the IR.
#pragma once

#include "bpfc/frontend/lower_options.h"
#include "bpfc/frontend/resolved_ast.h"
#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::compat {

// Lowers as pcap_compile() would for options.linktype, options.snaplen,
// options.netmask and options.libpcap_optimize. Names come from the
// filter's bindings; options.resolver is not consulted.
Result<ir::Function> lower_to_ir(const ResolvedAst& filter, const LowerOptions& options);

}  // namespace bpfc::compat

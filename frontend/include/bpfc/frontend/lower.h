// Checked AST -> IR, with libpcap's gencode semantics for the link type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/compile_context.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

struct LowerOptions {
  uint32_t linktype = 1;            // DLT_ value
  uint32_t snaplen = 262144;        // what an accepting filter returns
  std::optional<uint32_t> netmask;  // nullopt: unknown
  const NameResolver* resolver = nullptr;  // must be non-null
  // What libpcap would compile for (compile_context.h). Only Linux lets
  // filters read the kernel's packet metadata; elsewhere `inbound`,
  // `outbound` and `ifindex` work only where the packet data says it.
  CompileContext context = CompileContext::Dead;
  bool linux_extensions() const { return context == CompileContext::Linux; }
  // Reproduce pcap_compile(..., optimize=1) (true) or optimize=0 (false).
  // They differ on truncated packets (libpcap's optimizer removes loads it
  // proves unneeded) and optimize=1 refuses a filter that can never match
  // ("expression rejects all packets").
  bool libpcap_optimize = true;
  // Internal, for tests: the shortest run of like host/net/port terms that
  // optimize=1 lowering compiles through a few representatives (linear time)
  // instead of replaying libpcap's cubic optimizer on every term; 0 means the
  // default (lower_sets.h). SIZE_MAX turns representation off.
  size_t list_run_threshold = 0;
};

// Lowers a filter that check_filter() (sema.h) accepted. May still fail for
// constructs it cannot lower, with a message naming the construct.
Result<ir::Function> lower_filter(const ast::Filter& filter, const LowerOptions& options);

}  // namespace bpfc

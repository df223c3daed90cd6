// What a filter is compiled for: the link type, snapshot length, netmask,
// name resolver and compile context that sema checks a filter against
// (sema.h) and the libpcap-compatible lowering lowers it for
// (bpfc/compat/lower.h, bpfc/compat/libpcap.h). Sema models libpcap's code
// generator's checks, so both read the same settings; the last two fields
// matter to the lowering only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "bpfc/frontend/compile_context.h"
#include "bpfc/frontend/resolver.h"

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
  // default (compat/src/lists/representatives.h). SIZE_MAX turns
  // representation off.
  size_t list_run_threshold = 0;
};

}  // namespace bpfc

// The FINDALLIF reply's body: interfaces with their addresses, each address
// four 128-byte socket address slots. Shared by the decoder and the encoder.
#pragma once

#include <optional>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"
#include "bpfc/support/diagnostic.h"
#include "wire.h"

namespace bpfc::capture::rpcap::detail {

// Reads `count` interfaces; every name, description and address must fit
// in what remains of `in`.
Result<std::vector<RemoteInterface>> read_interfaces(wire::Reader& in, uint16_t count);
// Fails for names or descriptions over 65535 bytes, or over 65535 addresses.
[[nodiscard]] std::optional<Diagnostic> write_interfaces(wire::Writer& out,
                                                         const std::vector<RemoteInterface>& interfaces);

}  // namespace bpfc::capture::rpcap::detail

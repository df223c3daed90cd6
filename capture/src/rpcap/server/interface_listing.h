// The FINDALLIF reply's content: the interfaces the daemon captures on.
#pragma once

#include <vector>

#include "bpfc/capture/rpcap/protocol.h"

namespace bpfc::capture::rpcap::server {

Result<std::vector<RemoteInterface>> list_capture_interfaces();

}  // namespace bpfc::capture::rpcap::server

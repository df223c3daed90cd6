// The interfaces the daemon captures on: FINDALLIF's content, and OPEN's
// link type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"

namespace bpfc::capture::rpcap::server {

Result<std::vector<RemoteInterface>> list_capture_interfaces();

// The DLT_ value of captures on `device` (an interface or "any"), or why it
// cannot be captured on (no such interface, down, a link type not covered).
Result<int32_t> device_dlt(const std::string& device);

}  // namespace bpfc::capture::rpcap::server

// --auth USER of the rpcap clients (bpfc capture -i rpcap://, bpfc rpcap):
// the password from the environment (BPFC_RPCAP_PASSWORD), or asked on the
// terminal without echo.
#pragma once

#include <optional>
#include <string>

#include "bpfc/capture/rpcap/client.h"

namespace bpfc::cli {

inline constexpr const char* kRpcapPasswordVariable = "BPFC_RPCAP_PASSWORD";

// nullopt for an empty `user` (null authentication). Otherwise the password
// of BPFC_RPCAP_PASSWORD when it is set (no terminal needed), else read from
// the controlling terminal with echo off, after a prompt naming `user` and
// `where`. Throws UsageError when neither is available.
std::optional<capture::rpcap::Credentials> remote_credentials(const std::string& user, const std::string& where);

}  // namespace bpfc::cli

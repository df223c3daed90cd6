// Turning a client away: the daemon's refusals (a host not in -l, a full
// client limit) as RPCAP errors the client can read, under TLS too.
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap::server {

// The numeric address of `a` ("?" when it is neither IPv4 nor IPv6).
std::string address_text(const sockaddr_storage& a);

// The refusal's text for a host not in the allowed list.
inline std::string not_allowed_text(const std::string& host) {
  return "The host " + host + " is not in the allowed host list";
}

// How long a refusal may take: the authentication timeout, at most 10 s.
inline std::chrono::milliseconds refusal_limit(const DaemonOptions& options) {
  return std::min<std::chrono::milliseconds>(options.auth_timeout, std::chrono::seconds(10));
}

// Tells the client on `fd` why it is not served, in an RPCAP error, then
// closes gently (fd stays the caller's). Under TLS the client's handshake
// is completed first, since a TLS client cannot read clear text, and a
// client that sent RPCAP in clear is answered in clear; all within `limit`
// (then the connection is dropped without a word).
void refuse_connection(int fd, const DaemonOptions& options, ErrorCode code, const std::string& text,
                       std::chrono::milliseconds limit, const LogFunction& log);

}  // namespace bpfc::capture::rpcap::server

// The CaptureBackend of a real connection: the machine's interfaces, an
// AF_PACKET capture, and the data channel to the client (a TCP connection
// the client opens to the daemon, or datagrams to the client's port), under
// TLS when the daemon serves TLS (the client starts the handshake on the
// TCP data connection, whichever side opened it).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <memory>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap::server {

struct ConnectionAddresses {
  sockaddr_storage local{};  // the control connection's local address
  sockaddr_storage peer{};   // the client's address
  bool known = false;        // false for inetd's stdin when it is not a socket
};

// Data connections get detect_dead_peer(dead_peer_timeout).
std::unique_ptr<CaptureBackend> live_backend(const ConnectionAddresses& addresses, uint16_t fixed_data_port,
                                             std::chrono::seconds dead_peer_timeout, std::shared_ptr<TlsContext> tls,
                                             const LogFunction& log);

}  // namespace bpfc::capture::rpcap::server

// Half-open connections: a peer whose host went down, or whose connection a
// firewall dropped, never closes it, and without help the daemon would wait
// for it for as long as TCP retransmits (a quarter of an hour).
#pragma once

#include <chrono>

namespace bpfc::capture::rpcap::server {

// Lets the kernel end the connection on `fd` when its peer has vanished:
// keepalive probes after half of `timeout` without traffic, and
// TCP_USER_TIMEOUT, so that data (or probes) left unacknowledged for
// `timeout` fail the connection (reads and writes then return ETIMEDOUT).
// Nothing for a socket that is not TCP (inetd's standard input may be a
// pipe).
void detect_dead_peer(int fd, std::chrono::seconds timeout);

}  // namespace bpfc::capture::rpcap::server

#include "dead_peer.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace bpfc::capture::rpcap::server {

void detect_dead_peer(int fd, std::chrono::seconds timeout) {
  int protocol = 0;
  socklen_t size = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &size) != 0 || protocol != IPPROTO_TCP) return;
  const int seconds = static_cast<int>(std::clamp<int64_t>(timeout.count(), 1, 86400));
  const int one = 1, idle = std::max(1, seconds / 2), interval = std::max(1, seconds / 4), probes = 9;
  const unsigned user_timeout_ms = static_cast<unsigned>(seconds) * 1000u;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

}  // namespace bpfc::capture::rpcap::server

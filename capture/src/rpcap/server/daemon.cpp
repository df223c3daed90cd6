// The listening daemon (passive mode) and active mode: a thread per client,
// at most max_clients at once; one more is told so and closed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap {
namespace {

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// The address to bind: numeric only.
Result<sockaddr_storage> bind_address(const std::string& text, uint16_t port, bool ipv4_only) {
  sockaddr_storage address{};
  if (text.empty()) {
    if (ipv4_only) {
      auto& v4 = reinterpret_cast<sockaddr_in&>(address);
      v4.sin_family = AF_INET;
      v4.sin_addr.s_addr = htonl(INADDR_ANY);
      v4.sin_port = htons(port);
    } else {
      auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
      v6.sin6_family = AF_INET6;
      v6.sin6_addr = in6addr_any;
      v6.sin6_port = htons(port);
    }
    return address;
  }
  auto& v4 = reinterpret_cast<sockaddr_in&>(address);
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    return address;
  }
  auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
  if (!ipv4_only && inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    return address;
  }
  return bpfc::error("'" + text + "' is not a numeric " + (ipv4_only ? "IPv4" : "IPv4 or IPv6") +
                    " address (host names are not resolved)");
}

socklen_t size_of(const sockaddr_storage& a) {
  return a.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

// Counts the running client threads.
struct ClientCount {
  std::atomic<unsigned> active{0};
};

}  // namespace

std::optional<std::string> run_daemon(const DaemonOptions& options, const LogFunction& log,
                                      const std::atomic<bool>& stop) {
  auto address = bind_address(options.bind_address, options.port, options.ipv4_only);
  if (!address) return address.error().message;
  const int listener = socket(address->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return system_error("socket");
  const int one = 1, zero = 0;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (address->ss_family == AF_INET6 && options.bind_address.empty()) {
    setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  }
  if (bind(listener, reinterpret_cast<const sockaddr*>(&*address), size_of(*address)) != 0 ||
      listen(listener, 64) != 0) {
    const std::string why = system_error("cannot listen on port " + std::to_string(options.port));
    close(listener);
    return why;
  }
  log("listening on port " + std::to_string(options.port));
  auto clients = std::make_shared<ClientCount>();
  while (!stop) {
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (clients->active.load() >= options.max_clients) {
      log("refused a client: " + std::to_string(options.max_clients) + " are connected");
      Message m{0, MessageType::Error, 0,
                ErrorPayload{static_cast<uint16_t>(ErrorCode::RemoteAccept), "Too many clients are connected"}};
      // A TLS client could not read a clear-text reply: it is closed.
      if (auto bytes = encode_message(m); bytes && !options.tls) {
        (void)!send(fd, bytes->data(), bytes->size(), MSG_NOSIGNAL);
      }
      close(fd);
      continue;
    }
    ++clients->active;
    // Detached: the daemon ends with its process; each thread owns its fd
    // and a copy of the options.
    std::thread([fd, options, log, clients] {
      serve_connection(fd, options, log);
      close(fd);
      --clients->active;
    }).detach();
  }
  close(listener);
  return std::nullopt;
}

void run_active(const DaemonOptions& options, const LogFunction& log, const std::atomic<bool>& stop,
                std::chrono::seconds retry) {
  while (!stop) {
    auto address = bind_address(options.active->first, options.active->second, options.ipv4_only);
    if (!address) {
      log(address.error().message);
      return;
    }
    const int fd = socket(address->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, reinterpret_cast<const sockaddr*>(&*address), size_of(*address)) == 0) {
      log("active mode: connected to " + options.active->first + " port " + std::to_string(options.active->second));
      serve_connection(fd, options, log);
      close(fd);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;  // the client may want the daemon back (libpcap's rpcapd reconnects)
    }
    log(system_error("active mode: cannot connect to " + options.active->first));
    if (fd >= 0) close(fd);
    for (auto waited = std::chrono::seconds(0); waited < retry && !stop; waited += std::chrono::seconds(1)) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

}  // namespace bpfc::capture::rpcap

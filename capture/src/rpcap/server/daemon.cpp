// The daemon: the listening side (passive mode), a thread per client, at
// most max_clients at once (one more is told so and closed); a thread per
// active client; and reloads, which change the options of new connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
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

// The options new connections get; a reload replaces them, and each session
// keeps the ones it started with.
class CurrentOptions {
 public:
  explicit CurrentOptions(const DaemonOptions& options) : options_(std::make_shared<const DaemonOptions>(options)) {}
  std::shared_ptr<const DaemonOptions> get() const {
    std::lock_guard lock(mutex_);
    return options_;
  }
  void set(DaemonOptions options) {
    auto next = std::make_shared<const DaemonOptions>(std::move(options));
    std::lock_guard lock(mutex_);
    options_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const DaemonOptions> options_;
};

std::string describe(const ActiveClient& client) {
  return client.host + " port " + std::to_string(client.port);
}

// Sleeps up to `duration` in one-second steps while neither flag is set.
void wait_unless(std::chrono::seconds duration, const std::atomic<bool>& stop, const std::atomic<bool>& dropped) {
  for (auto waited = std::chrono::seconds(0); waited < duration && !stop && !dropped;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    waited += std::chrono::seconds(1);
  }
}

// Active mode for one client: connects, serves the session with the options
// current at that moment, and connects again, until `stop` or `dropped` (a
// reload no longer lists the client; a session under way runs to its end).
void connect_loop(const ActiveClient& client, const std::shared_ptr<CurrentOptions>& current, const LogFunction& log,
                  const std::atomic<bool>& stop, const std::shared_ptr<std::atomic<bool>>& dropped) {
  while (!stop && !*dropped) {
    const auto options = current->get();
    auto address = bind_address(client.host, client.port, options->ipv4_only);
    if (!address) {
      log("active mode: " + address.error().message);
      return;
    }
    const int fd = socket(address->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, reinterpret_cast<const sockaddr*>(&*address), size_of(*address)) == 0) {
      log("active mode: connected to " + describe(client));
      serve_connection(fd, *options, log);
      close(fd);
      // The client may want the daemon back (libpcap's rpcapd reconnects).
      wait_unless(std::chrono::seconds(1), stop, *dropped);
      continue;
    }
    log(system_error("active mode: cannot connect to " + describe(client)));
    if (fd >= 0) close(fd);
    wait_unless(options->active_retry, stop, *dropped);
  }
}

// The active clients' threads, started and stopped to match the options.
class ActiveClients {
 public:
  ActiveClients(std::shared_ptr<CurrentOptions> current, const LogFunction& log, const std::atomic<bool>& stop)
      : current_(std::move(current)), log_(log), stop_(stop) {}
  ~ActiveClients() {
    for (auto& worker : workers_) *worker.dropped = true;
  }

  void match(const std::vector<ActiveClient>& wanted) {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (std::find(wanted.begin(), wanted.end(), it->client) == wanted.end()) {
        log_("active mode: no longer connecting to " + describe(it->client));
        *it->dropped = true;
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& client : wanted) {
      const bool running = std::any_of(workers_.begin(), workers_.end(),
                                       [&](const Worker& worker) { return worker.client == client; });
      if (running) continue;
      Worker worker{client, std::make_shared<std::atomic<bool>>(false)};
      // Detached: a session under way outlives its removal; the thread
      // holds what it uses (`stop` is the process's flag).
      std::thread([client, current = current_, log = log_, &stop = stop_, dropped = worker.dropped] {
        connect_loop(client, current, log, stop, dropped);
      }).detach();
      workers_.push_back(std::move(worker));
    }
  }

 private:
  struct Worker {
    ActiveClient client;
    std::shared_ptr<std::atomic<bool>> dropped;
  };
  std::shared_ptr<CurrentOptions> current_;
  LogFunction log_;
  const std::atomic<bool>& stop_;
  std::vector<Worker> workers_;
};

// Empties the non-blocking self-pipe.
void drain(int fd) {
  char bytes[64];
  while (read(fd, bytes, sizeof bytes) > 0) {
  }
}

// The passive side's socket, or why there is none.
Result<int> open_listener(const DaemonOptions& options) {
  auto address = bind_address(options.bind_address, options.port, options.ipv4_only);
  if (!address) return address.error();
  const int listener = socket(address->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return bpfc::error(system_error("socket"));
  const int one = 1, zero = 0;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (address->ss_family == AF_INET6 && options.bind_address.empty()) {
    setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  }
  if (bind(listener, reinterpret_cast<const sockaddr*>(&*address), size_of(*address)) != 0 ||
      listen(listener, 64) != 0) {
    const std::string why = system_error("cannot listen on port " + std::to_string(options.port));
    close(listener);
    return bpfc::error(why);
  }
  return listener;
}

void accept_client(int listener, const std::shared_ptr<const DaemonOptions>& options, const LogFunction& log,
                   const std::shared_ptr<ClientCount>& clients) {
  const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  if (clients->active.load() >= options->max_clients) {
    log("refused a client: " + std::to_string(options->max_clients) + " are connected");
    Message m{0, MessageType::Error, 0,
              ErrorPayload{static_cast<uint16_t>(ErrorCode::RemoteAccept), "Too many clients are connected"}};
    // A TLS client could not read a clear-text reply: it is closed.
    if (auto bytes = encode_message(m); bytes && !options->tls) {
      (void)!send(fd, bytes->data(), bytes->size(), MSG_NOSIGNAL);
    }
    close(fd);
    return;
  }
  ++clients->active;
  // Detached: the daemon ends with its process; each thread owns its fd and
  // the options of the moment it was accepted.
  std::thread([fd, options, log, clients] {
    serve_connection(fd, *options, log);
    close(fd);
    --clients->active;
  }).detach();
}

}  // namespace

std::optional<std::string> run_daemon(const DaemonOptions& options, const LogFunction& log,
                                      const DaemonControl& control) {
  int listener = -1;
  if (options.listen) {
    auto opened = open_listener(options);
    if (!opened) return opened.error().message;
    listener = *opened;
    log("listening on port " + std::to_string(options.port));
  }
  auto current = std::make_shared<CurrentOptions>(options);
  auto clients = std::make_shared<ClientCount>();
  ActiveClients active(current, log, control.stop);
  active.match(options.active);
  while (!control.stop) {
    pollfd fds[2];
    nfds_t count = 0;
    if (listener >= 0) fds[count++] = {listener, POLLIN, 0};
    if (control.reload_fd >= 0) fds[count++] = {control.reload_fd, POLLIN, 0};
    if (poll(fds, count, 200) <= 0) continue;
    for (nfds_t i = 0; i < count; ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      if (fds[i].fd == listener) {
        accept_client(listener, current->get(), log, clients);
        continue;
      }
      drain(control.reload_fd);
      if (!control.reload) continue;
      auto next = control.reload();
      if (!next) continue;  // the reload said why; the options stay
      const std::vector<ActiveClient> wanted = next->active;
      current->set(std::move(*next));
      active.match(wanted);
      log("configuration reloaded");
    }
  }
  if (listener >= 0) close(listener);
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap

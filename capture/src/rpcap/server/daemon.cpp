// The daemon: the listening side (passive mode), a thread or a process
// per client, at most max_clients at once (one more is told so and
// closed); a thread per active client; and reloads, which change the
// options of new connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "admission.h"
#include "bpfc/capture/rpcap/server.h"

extern char** environ;

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

// The processes that serve connections (options.session_command): the
// passive ones, reaped by the accept loop, which counts them as clients,
// and the active ones, each waited for by its connecting thread.
class SessionProcesses {
 public:
  // Runs `command` with `fd` as its standard input.
  Result<pid_t> start(int fd, const std::vector<std::string>& command, bool passive) {
    if (command.empty()) return bpfc::error("no session command");
    std::vector<char*> argv;
    for (const auto& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, STDIN_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    const int failed = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) return bpfc::error("cannot start " + command[0] + ": " + std::strerror(failed));
    std::lock_guard lock(mutex_);
    all_.insert(pid);
    if (passive) passive_.insert(pid);
    return pid;
  }

  // How many passive sessions have ended since the last call.
  unsigned reap_passive() {
    std::lock_guard lock(mutex_);
    unsigned ended = 0;
    for (auto it = passive_.begin(); it != passive_.end();) {
      int status = 0;
      if (waitpid(*it, &status, WNOHANG) == *it) {
        all_.erase(*it);
        it = passive_.erase(it);
        ++ended;
      } else {
        ++it;
      }
    }
    return ended;
  }

  void wait(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::lock_guard lock(mutex_);
    all_.erase(pid);
  }

  // The daemon stops: so do its sessions.
  void terminate_all() {
    std::lock_guard lock(mutex_);
    for (pid_t pid : all_) kill(pid, SIGTERM);
  }

 private:
  std::mutex mutex_;
  std::set<pid_t> all_, passive_;
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
                  const std::atomic<bool>& stop, const std::shared_ptr<std::atomic<bool>>& dropped,
                  const std::shared_ptr<SessionProcesses>& sessions) {
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
      if (options->session_command) {
        auto pid = sessions->start(fd, options->session_command(*options), false);
        close(fd);
        if (pid) {
          sessions->wait(*pid);
        } else {
          log("active mode: " + pid.error().message);
        }
      } else {
        serve_connection(fd, *options, log);
        close(fd);
      }
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
  ActiveClients(std::shared_ptr<CurrentOptions> current, const LogFunction& log, const std::atomic<bool>& stop,
                std::shared_ptr<SessionProcesses> sessions)
      : current_(std::move(current)), log_(log), stop_(stop), sessions_(std::move(sessions)) {}
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
      std::thread([client, current = current_, log = log_, &stop = stop_, dropped = worker.dropped,
                   sessions = sessions_] { connect_loop(client, current, log, stop, dropped, sessions); })
          .detach();
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
  std::shared_ptr<SessionProcesses> sessions_;
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

// Refusals are answered by threads of their own (under TLS a refusal
// waits for the client's handshake), at most kMaxRefusals at once; beyond
// that a refused connection is closed without a word.
constexpr unsigned kMaxRefusals = 16;

void refuse_in_background(int fd, const std::shared_ptr<const DaemonOptions>& options, ErrorCode code,
                          std::string text, const LogFunction& log) {
  static std::atomic<unsigned> refusing{0};
  if (refusing.load() >= kMaxRefusals) {
    close(fd);
    return;
  }
  ++refusing;
  std::thread([fd, options, code, text = std::move(text), log] {
    server::refuse_connection(fd, *options, code, text, server::refusal_limit(*options), log);
    close(fd);
    --refusing;
  }).detach();
}

void accept_client(int listener, const std::shared_ptr<const DaemonOptions>& options, const LogFunction& log,
                   const std::shared_ptr<ClientCount>& clients, SessionProcesses& sessions) {
  sockaddr_storage peer{};
  socklen_t peer_size = sizeof peer;
  const int fd = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &peer_size, SOCK_CLOEXEC);
  if (fd < 0) return;
  if (clients->active.load() >= options->max_clients) {
    log("refused a client: " + std::to_string(options->max_clients) + " are connected");
    refuse_in_background(fd, options, ErrorCode::RemoteAccept, "Too many clients are connected", log);
    return;
  }
  if (options->session_command) {
    // Checked here, so that a host that is not served costs no process.
    if (!options->allowed_hosts.allows(peer)) {
      const std::string who = server::address_text(peer);
      log(who + ": not in the allowed host list");
      refuse_in_background(fd, options, ErrorCode::HostNotAuthorized, server::not_allowed_text(who), log);
      return;
    }
    auto pid = sessions.start(fd, options->session_command(*options), true);
    if (!pid) {
      log(pid.error().message);
      refuse_in_background(fd, options, ErrorCode::RemoteAccept, "The daemon cannot start a session", log);
      return;
    }
    ++clients->active;
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
  auto sessions = std::make_shared<SessionProcesses>();
  ActiveClients active(current, log, control.stop, sessions);
  active.match(options.active);
  while (!control.stop) {
    pollfd fds[2];
    nfds_t count = 0;
    if (listener >= 0) fds[count++] = {listener, POLLIN, 0};
    if (control.reload_fd >= 0) fds[count++] = {control.reload_fd, POLLIN, 0};
    const int ready = poll(fds, count, 200);
    clients->active -= sessions->reap_passive();
    if (ready <= 0) continue;
    for (nfds_t i = 0; i < count; ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      if (fds[i].fd == listener) {
        accept_client(listener, current->get(), log, clients, *sessions);
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
  sessions->terminate_all();
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap

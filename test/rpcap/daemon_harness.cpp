#include "daemon_harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace bpfc::rpcaptest {

namespace rpcap = capture::rpcap;
using Clock = std::chrono::steady_clock;

std::optional<std::string> prepare_daemon_tests(std::string& why) {
  auto bin = oracle_bin_dir(why);
  if (!bin) return std::nullopt;
  if (auto problem = enter_private_loopback()) {
    why = *problem;
    return std::nullopt;
  }
  return bin;
}

const DaemonTestState& daemon_test_state() {
  static const DaemonTestState state = [] {
    DaemonTestState s;
    s.bin = prepare_daemon_tests(s.why);
    return s;
  }();
  return state;
}

Daemon::Daemon(const std::vector<std::string>& flags) {
  port_ = free_port();
  std::vector<std::string> argv = {BPFC_RPCAPD_BINARY, "-b", "127.0.0.1", "-4", "-D", "-p", std::to_string(port_)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_ = std::make_unique<Background>(argv);
  // Seen in /proc/net/tcp, not probed by connecting: a probe would hold one
  // of the daemon's --max-clients slots until its session saw the close.
  listening_ = process_->started() && listening_socket(port_, std::chrono::seconds(10));
}

pid_t Daemon::pid() const { return daemon_pid(port_); }

pid_t daemon_pid(uint16_t port_number) {
  const std::string port = std::to_string(port_number);
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return -1;
  pid_t found = -1;
  while (dirent* entry = readdir(proc)) {
    const pid_t candidate = static_cast<pid_t>(std::atoi(entry->d_name));
    if (candidate <= 0) continue;
    std::ifstream in("/proc/" + std::string(entry->d_name) + "/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find("bpfc-rpcapd") != std::string::npos &&
        cmdline.find(std::string("-p") + '\0' + port + '\0') != std::string::npos) {
      std::ifstream status("/proc/" + std::string(entry->d_name) + "/status");
      std::string line;
      bool zombie = false;
      while (std::getline(status, line)) {
        if (line.rfind("State:", 0) == 0) zombie = line.find('Z') != std::string::npos;
      }
      if (!zombie) found = candidate;
      break;
    }
  }
  closedir(proc);
  return found;
}

namespace {

// A /proc/PID/FILE line's number after "KEY:"; 0 when absent.
uint64_t proc_field(pid_t pid, const std::string& file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1));
  }
  return 0;
}

}  // namespace

std::vector<pid_t> child_pids(pid_t parent) {
  std::vector<pid_t> children;
  if (parent <= 0) return children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = readdir(proc)) {
    const pid_t candidate = static_cast<pid_t>(std::atoi(entry->d_name));
    if (candidate > 0 && static_cast<pid_t>(proc_field(candidate, "status", "PPid")) == parent) {
      children.push_back(candidate);
    }
  }
  closedir(proc);
  return children;
}

std::vector<pid_t> Daemon::session_pids() const { return child_pids(pid()); }

uint64_t Daemon::memory_kib() const {
  const pid_t p = pid();
  if (p <= 0) return 0;
  uint64_t total = proc_field(p, "smaps_rollup", "Pss");
  for (pid_t child : session_pids()) total += proc_field(child, "smaps_rollup", "Pss");
  return total;
}

RawClient::RawClient(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) close();
}

RawClient::RawClient(uint16_t port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
      ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close();
  }
}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::send(const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool RawClient::send(const rpcap::Message& message) { return send(encoded(message)); }

namespace {
bool read_exact(int fd, uint8_t* out, size_t size, Clock::time_point deadline) {
  size_t got = 0;
  while (got < size) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::read(fd, out + got, size - got);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

std::optional<RawMessage> RawClient::receive(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  RawMessage message;
  message.bytes.resize(rpcap::kHeaderSize);
  if (!read_exact(fd_, message.bytes.data(), rpcap::kHeaderSize, deadline)) return std::nullopt;
  message.header = rpcap::decode_header(std::span<const uint8_t, rpcap::kHeaderSize>(message.bytes.data(), 8));
  if (message.header.length > (1u << 24)) return std::nullopt;
  message.payload.resize(message.header.length);
  if (!read_exact(fd_, message.payload.data(), message.payload.size(), deadline)) return std::nullopt;
  message.bytes.insert(message.bytes.end(), message.payload.begin(), message.payload.end());
  return message;
}

bool RawClient::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  uint8_t byte;
  while (Clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::read(fd_, &byte, 1);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
  }
  return false;
}

bool RawClient::null_auth() {
  rpcap::Message auth{0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{0, "", ""}};
  if (!send(auth)) return false;
  auto reply = receive();
  return reply && reply->header.type == static_cast<uint8_t>(rpcap::MessageType::AuthReply);
}

std::vector<uint8_t> encoded(const rpcap::Message& message) {
  auto bytes = rpcap::encode_message(message);
  return bytes ? *bytes : std::vector<uint8_t>{};
}

}  // namespace bpfc::rpcaptest

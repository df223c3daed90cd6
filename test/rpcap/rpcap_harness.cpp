// The interop tests' surroundings (rpcap_harness.h).
#include "rpcap_harness.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "../support/process.h"

extern char** environ;

namespace bpfc::rpcaptest {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::optional<std::string> oracle_bin_dir(std::string& why) {
  const std::string kit = BPFC_RPCAP_ORACLE_KIT;
  const std::string out = BPFC_RPCAP_ORACLE_OUT;
  if (!exists(kit + "/build.sh")) {
    why = "the rpcap oracle kit (" + kit + ") is absent: interop with libpcap's rpcapd is not tested";
    return std::nullopt;
  }
  // build.sh is idempotent and serializes concurrent builds with a lock.
  auto result = testsupport::run_process({"bash", kit + "/build.sh", out});
  if (result.exit_code != 0) {
    why = "building the rpcap oracle failed: " + result.err;
    return std::nullopt;
  }
  return out + "/bin";
}

std::optional<std::string> enter_private_loopback() {
  if (::geteuid() != 0) return std::string("not root: cannot make a private network namespace");
  if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = fd >= 0 && ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags |= IFF_UP | IFF_RUNNING;
  up = up && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  if (fd >= 0) ::close(fd);
  if (!up) return std::string("cannot bring lo up: ") + std::strerror(errno);
  return std::nullopt;
}

uint16_t free_port(bool udp) {
  int fd = ::socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

Background::Background(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  out_path_ = dir_.file("out");
  err_path_ = dir_.file("err");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const std::string& e : extra_env) env_strings.push_back(e);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  if (posix_spawnp(&pid_, args[0], &actions, &attributes, args.data(), env.data()) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
}

Background::~Background() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool Background::wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (err().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return err().find(text) != std::string::npos;
}

std::optional<int> Background::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Background::terminate() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGTERM);
    if (!wait(std::chrono::seconds(5))) {
      ::kill(pid_, SIGKILL);
      wait(std::chrono::seconds(5));
    }
  }
}

void Background::send_signal(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

std::string Background::out() const { return read_file(out_path_); }
std::string Background::err() const { return read_file(err_path_); }

bool listening_socket(uint16_t port, std::chrono::milliseconds timeout) {
  char wanted[32];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in("/proc/net/tcp");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (local == wanted && state == "0A") return true;  // TCP_LISTEN
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string crypt_hash(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$6$", 0, nullptr, 0, setting, sizeof setting) == nullptr) return "";
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), setting, &data);
  return hash ? hash : "";
}

StandInListener::StandInListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t size = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 8) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
  port_ = ntohs(address.sin_port);
}

StandInListener::~StandInListener() {
  if (fd_ >= 0) ::close(fd_);
}

int StandInListener::accept_within(std::chrono::milliseconds timeout) const {
  pollfd p{fd_, POLLIN, 0};
  if (fd_ < 0 || ::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return -1;
  return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
}

bool StandInListener::connected_within(std::chrono::milliseconds timeout) const {
  const int fd = accept_within(timeout);
  if (fd >= 0) ::close(fd);
  return fd >= 0;
}

std::optional<UdpView> udp_of(const std::vector<uint8_t>& frame) {
  if (frame.size() < 14 + 20 + 8 || frame[12] != 0x08 || frame[13] != 0x00 || frame[14 + 9] != 17) return std::nullopt;
  const size_t ip = 14, udp = ip + (frame[ip] & 0x0f) * 4u;
  if (frame.size() < udp + 8) return std::nullopt;
  UdpView view;
  view.destination = static_cast<uint16_t>(frame[udp + 2] << 8 | frame[udp + 3]);
  view.payload.assign(frame.begin() + static_cast<long>(udp + 8), frame.end());
  return view;
}

bool wait_listening(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void send_udp(uint16_t port, const std::vector<std::string>& payloads, uint16_t source_port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (source_port != 0) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    address.sin_port = htons(source_port);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  }
  address.sin_port = htons(port);
  for (const std::string& payload : payloads) {
    ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address);
    // Paced, so that no capture buffer anywhere has to hold a burst.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::close(fd);
}

Savefile read_savefile(const std::string& path) {
  Savefile file;
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* pcap = pcap_open_offline(path.c_str(), errbuf);
  if (!pcap) {
    file.error = errbuf;
    return file;
  }
  file.linktype = pcap_datalink(pcap);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(pcap, &header, &data) == 1) {
    file.packets.push_back(
        {header->ts.tv_sec, header->ts.tv_usec, header->len, std::vector<uint8_t>(data, data + header->caplen)});
  }
  pcap_close(pcap);
  return file;
}

UdpSink::UdpSink(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
}

UdpSink::~UdpSink() { ::close(fd_); }

std::vector<std::string> payloads(const std::string& tag, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(tag + "-" + std::to_string(i) + std::string(size_t(i) * 41, 'y'));
  return out;
}

}  // namespace bpfc::rpcaptest

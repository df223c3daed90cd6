// The stage of the `bpfc replay` tests: the test process moves into a new,
// empty network namespace (it vanishes with the process, interfaces and all),
// creates a veth pair there, and captures on the far end with tcpdump while
// bpfc replay sends on the near end. Nothing reaches the machine's own
// interfaces. Without root, unshare(CLONE_NEWNET) or tcpdump the tests skip
// and say why.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "../cli/savefile_fixtures.h"

extern char** environ;

namespace bpfc::replaytest {

using clitest::PcapPacket;
using testsupport::ProcessResult;
using testsupport::run_process;

// The pair every test sends on: bytes written to kNear arrive on kFar.
inline constexpr const char* kNear = "rp0";
inline constexpr const char* kFar = "rp1";

inline std::string bpfc_binary() { return BPFC_BINARY; }

inline ProcessResult bpfc(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), bpfc_binary());
  return run_process(args, input);
}

inline ProcessResult ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

inline void write_proc(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  if (out) out << value;
}

// Moves the process into its own network namespace with the veth pair up,
// once; returns why it could not (empty when it could).
inline const std::string& namespace_unavailable() {
  static const std::string reason = [] () -> std::string {
    if (geteuid() != 0) return "not root: creating a network namespace and interfaces needs it";
    if (!testsupport::program_available("tcpdump")) return "tcpdump is not installed";
    if (!testsupport::program_available("ip")) return "ip (iproute2) is not installed";
    if (unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET) failed: ") + std::strerror(errno);
    // No IPv6 router solicitations or MLD reports: the only frames on the
    // pair are the ones the tests send.
    write_proc("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    write_proc("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    ProcessResult added = ip({"link", "add", kNear, "type", "veth", "peer", "name", kFar});
    if (added.exit_code != 0) return "cannot create a veth pair: " + added.err;
    for (const char* name : {kNear, kFar}) {
      ProcessResult up = ip({"link", "set", name, "up"});
      if (up.exit_code != 0) return std::string("cannot bring ") + name + " up: " + up.err;
    }
    return {};
  }();
  return reason;
}

#define BPFC_NEED_NAMESPACE()                                                              \
  do {                                                                                     \
    if (!::bpfc::replaytest::namespace_unavailable().empty())                              \
      GTEST_SKIP() << "no test network: " << ::bpfc::replaytest::namespace_unavailable(); \
  } while (0)

// tcpdump writing what arrives on an interface to a savefile, from the
// moment it says it listens until stop().
class TcpdumpCapture {
 public:
  TcpdumpCapture(const std::string& interface, const std::string& output) : output_(output) {
    char name[] = "/tmp/bpfc-replay-tcpdump-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    err_path_ = name;
    // A 32 MiB buffer and a snaplen just above the largest frame: with
    // libpcap's defaults (2 MiB, 262144) a burst of a hundred packets
    // already overflows the ring and tcpdump drops most of them.
    std::vector<std::string> args = {"tcpdump", "-Z", "root", "-B", "32768", "-s", "4096", "-i", interface,
                                     "-Q", "in", "-U", "--immediate-mode", "-w", output};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_TRUNC, 0);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "tcpdump", &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~TcpdumpCapture() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::remove(err_path_.c_str());
  }
  TcpdumpCapture(const TcpdumpCapture&) = delete;
  TcpdumpCapture& operator=(const TcpdumpCapture&) = delete;

  // Waits until tcpdump has attached to the interface.
  bool wait_listening() {
    for (int i = 0; i < 500 && pid_ > 0; ++i) {
      if (clitest::read_file(err_path_).find("listening on") != std::string::npos) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // Waits until `expected` packets are in the file (or 10 s passed), gives
  // stragglers a moment, stops tcpdump and returns what it captured.
  std::vector<PcapPacket> stop(size_t expected) {
    for (int i = 0; i < 1000; ++i) {
      if (readable_packets() >= expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    if (pid_ > 0) {
      kill(pid_, SIGINT);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    clitest::LibpcapReading reading = clitest::read_with_libpcap(output_);
    EXPECT_TRUE(reading.opened) << output_ << ": " << reading.error << "\ntcpdump said: " << messages();
    return reading.packets;
  }

  std::string messages() const { return clitest::read_file(err_path_); }

 private:
  size_t readable_packets() const {
    // The file may end inside a record tcpdump is writing: count whole ones.
    return clitest::read_with_libpcap(output_).packets.size();
  }

  std::string output_;
  std::string err_path_;
  pid_t pid_ = -1;
};

}  // namespace bpfc::replaytest

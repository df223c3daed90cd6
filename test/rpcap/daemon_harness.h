// What the bpfc-rpcapd tests share: the daemon started on 127.0.0.1 with a
// free port, its process id and its sessions' (for their memory), and a raw RPCAP client on a TCP
// socket that sends whatever bytes a test makes and reads the daemon's
// replies message by message.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"
#include "rpcap_harness.h"

namespace bpfc::rpcaptest {

// Moves the test process into a private network namespace (after building
// the libpcap oracle, which may need the package manager); the oracle's bin
// directory, or nullopt with the reason.
std::optional<std::string> prepare_daemon_tests(std::string& why);
// The same, done once per process: the oracle's directory or the reason.
struct DaemonTestState {
  std::optional<std::string> bin;
  std::string why;
};
const DaemonTestState& daemon_test_state();

// The bpfc-rpcapd process started with "-p PORT" (by its command line);
// -1 when there is none or it is a zombie.
pid_t daemon_pid(uint16_t port);

// The processes whose parent is `parent` (a daemon's sessions).
std::vector<pid_t> child_pids(pid_t parent);

class Daemon {
 public:
  // bpfc-rpcapd -b 127.0.0.1 -p PORT -4 -D FLAGS...; waits until it listens.
  explicit Daemon(const std::vector<std::string>& flags);
  bool listening() const { return listening_; }
  uint16_t port() const { return port_; }
  std::string url(const std::string& device = "lo") const {
    return "rpcap://127.0.0.1:" + std::to_string(port_) + "/" + device;
  }
  // The daemon's process (found by its command line); -1 if gone.
  pid_t pid() const;
  // The memory of the daemon and of its session processes together: the
  // sum of their proportional set sizes (Pss of /proc/PID/smaps_rollup, in
  // KiB), so that pages they share count once; 0 when unknown.
  uint64_t memory_kib() const;
  // The processes serving its clients (its children).
  std::vector<pid_t> session_pids() const;
  bool alive() const { return pid() > 0; }
  Background& process() { return *process_; }

 private:
  uint16_t port_ = 0;
  bool listening_ = false;
  std::unique_ptr<Background> process_;
};

// One message as it came: the header and the raw payload.
struct RawMessage {
  capture::rpcap::Header header;
  std::vector<uint8_t> bytes;  // header and payload, exactly as received
  std::vector<uint8_t> payload;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port);
  // From this IPv4 source address (e.g. 127.0.0.2: any of 127/8 is on lo).
  RawClient(uint16_t port, const std::string& source);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }  // for a TLS session over it
  bool send(const std::vector<uint8_t>& bytes);
  bool send(const capture::rpcap::Message& message);
  // The next message, or nullopt on close/timeout.
  std::optional<RawMessage> receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Whether the daemon closed the connection (EOF) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // NULL authentication; true when the daemon answered with an AUTH reply.
  bool null_auth();
  void close();

 private:
  int fd_ = -1;
};

// A message's bytes as encode_message makes them (must succeed).
std::vector<uint8_t> encoded(const capture::rpcap::Message& message);

}  // namespace bpfc::rpcaptest

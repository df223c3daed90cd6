// What the interop tests need around libpcap's rpcapd: the oracle built once
// per build tree from ../shared/oracles/rpcap, a private network namespace
// with `lo` up (so the daemon, tcpdump and the traffic see nothing else and
// nothing leaves), processes in the background with deadlines, UDP traffic,
// and savefiles read back through libpcap.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../support/scratch_dir.h"

namespace bpfc::rpcaptest {

// The directory of rpcapd and rpcapref, built by the kit's build.sh into the
// build tree on first use; nullopt (with the reason in `why`) when the kit
// is absent or the build failed.
std::optional<std::string> oracle_bin_dir(std::string& why);

// Moves this process into a new network namespace and brings its `lo` up.
// Needs root; returns the reason when it cannot.
std::optional<std::string> enter_private_loopback();

// A free TCP (or UDP) port on 127.0.0.1.
uint16_t free_port(bool udp = false);

using testsupport::ScratchDir;

// A process in its own session (rpcapd kills its process group on SIGTERM),
// output to files; killed (SIGKILL) and reaped on destruction if still
// running.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  bool started() const { return pid_ > 0; }
  // Waits until standard error contains `text`; false after `timeout`.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout) const;
  // Waits for the exit: the status, or nullopt after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  void terminate();
  void send_signal(int signal);
  std::string out() const;
  std::string err() const;

 private:
  ScratchDir dir_;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string out_path_, err_path_;
};

// Waits until something accepts TCP connections on 127.0.0.1:port.
bool wait_listening(uint16_t port, std::chrono::milliseconds timeout);
// Waits until a TCP socket listens on 127.0.0.1:port, without connecting
// (/proc/net/tcp): a client waiting for an active-mode daemon would take a
// probe for the daemon.
bool listening_socket(uint16_t port, std::chrono::milliseconds timeout);

// A SHA-512 crypt(3) hash of `password` with a random salt, as /etc/shadow
// and --passwd-file hold them ("" if crypt fails).
std::string crypt_hash(const std::string& password);

// A TCP listener on an ephemeral port of 127.0.0.1, standing in for a client
// that waits for an active-mode daemon (rpcapd -a 127.0.0.1,port()).
class StandInListener {
 public:
  StandInListener();
  ~StandInListener();
  StandInListener(const StandInListener&) = delete;
  StandInListener& operator=(const StandInListener&) = delete;
  uint16_t port() const { return port_; }
  // A connection within `timeout` (its fd, for the caller to close), or -1.
  int accept_within(std::chrono::milliseconds timeout) const;
  // Whether a connection came within `timeout` (accepted and closed).
  bool connected_within(std::chrono::milliseconds timeout) const;

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The UDP part of an Ethernet/IPv4/UDP frame.
struct UdpView {
  uint16_t destination = 0;
  std::string payload;
};
std::optional<UdpView> udp_of(const std::vector<uint8_t>& frame);

// Sends one UDP datagram per payload to 127.0.0.1:port, from a socket bound
// to `source_port` (0: any).
void send_udp(uint16_t port, const std::vector<std::string>& payloads, uint16_t source_port = 0);

// A UDP socket bound to 127.0.0.1:PORT, where the test's datagrams go, so
// that no ICMP "port unreachable" joins the traffic.
class UdpSink {
 public:
  explicit UdpSink(uint16_t port);
  ~UdpSink();
  UdpSink(const UdpSink&) = delete;
  UdpSink& operator=(const UdpSink&) = delete;

 private:
  int fd_ = -1;
};

// `count` datagram payloads of growing sizes, each naming `tag` and its
// number.
std::vector<std::string> payloads(const std::string& tag, int count);

struct SavedPacket {
  int64_t seconds = 0;
  int64_t microseconds = 0;
  uint32_t wirelen = 0;
  std::vector<uint8_t> data;
};
struct Savefile {
  int linktype = -1;
  std::vector<SavedPacket> packets;
  std::string error;  // libpcap's, when it cannot read the file
};
Savefile read_savefile(const std::string& path);

}  // namespace bpfc::rpcaptest

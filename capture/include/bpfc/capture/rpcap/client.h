// The RPCAP client: remote interfaces listed, and remote capture as a
// PacketSource, from an rpcapd (libpcap's or another that speaks its
// protocol) reached as rpcap://HOST[:PORT]/DEVICE.
//
// The filter is classic BPF compiled for the remote link type, which is
// known only once the device is open: the caller passes a function that
// compiles for it (the client itself links no compiler). No filter means
// an accept-all program, as libpcap sends.
//
// Active mode (libpcap's rpcapd -a HOST,PORT): the daemon connects to the
// client, which waits for it (accept_daemon) and then speaks on that
// connection as in passive mode; the daemon also opens the TCP data
// connection towards the client.
//
// rpcaps:// (and --rpcap-listen rpcaps://HOST:PORT in active mode) runs the
// control and data connections under TLS (tls.h); the daemon's certificate
// is checked as ConnectOptions::tls says.
//
// The client never prints; errors are values (Diagnostic) or, once the
// capture runs, the source's error().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/capture/packet.h"
#include "bpfc/capture/rpcap/protocol.h"
#include "bpfc/capture/rpcap/tls.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap {

struct RemoteAddress {
  std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
  uint16_t port = kDefaultPort;
  std::string device;  // empty when the URL names only the host (listing)
  bool tls = false;    // rpcaps://
};

// Whether `text` starts with "rpcap://" or "rpcaps://" (case-insensitive).
bool is_rpcap_url(std::string_view text);
// rpcap://HOST[:PORT]/DEVICE, rpcap://[IPV6][:PORT]/DEVICE, rpcap://HOST[:PORT][/]
// (no device: for listing). The device is taken as it is (no URLs, no
// files: a device string such as "file://x" is refused).
Result<RemoteAddress> parse_rpcap_url(std::string_view url);
// rpcap://HOST:PORT/DEVICE (with brackets around IPv6 hosts; rpcaps:// for TLS).
std::string format_rpcap_url(const RemoteAddress& address);

struct Credentials {
  std::string username;
  std::string password;
};

struct ConnectOptions {
  // nullopt: null authentication. Otherwise password authentication.
  std::optional<Credentials> credentials;
  // How long the TCP connection, the TLS handshake and each control reply
  // may take.
  std::chrono::milliseconds control_timeout{10000};
  // How the daemon's certificate is checked (rpcaps://, TLS active mode).
  TlsClientOptions tls;
};

// Where the client waits for an active-mode daemon: HOST:PORT,
// [IPV6]:PORT, or HOST alone (port 2003, kDefaultActivePort), optionally
// as rpcap://HOST:PORT, or rpcaps://HOST:PORT for a daemon that speaks TLS
// (rpcapd -a ... -S): the client then starts the TLS handshake on the
// connection the daemon opens.
struct ListenAddress {
  std::string host;
  uint16_t port = kDefaultActivePort;
  bool tls = false;
};
Result<ListenAddress> parse_listen_address(std::string_view text);

// A control connection an active-mode daemon opened to this client, not yet
// authenticated. Move-only; closes the connection unless used.
class DaemonConnection {
 public:
  DaemonConnection() = default;
  DaemonConnection(int fd, std::string host, uint16_t port, bool tls = false)
      : fd_(fd), host_(std::move(host)), port_(port), tls_(tls) {}
  DaemonConnection(DaemonConnection&& other) noexcept
      : fd_(other.release()), host_(std::move(other.host_)), port_(other.port_), tls_(other.tls_) {}
  DaemonConnection& operator=(DaemonConnection&& other) noexcept;
  DaemonConnection(const DaemonConnection&) = delete;
  DaemonConnection& operator=(const DaemonConnection&) = delete;
  ~DaemonConnection();

  // The daemon's numeric address and port.
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  // Whether the session on it runs under TLS (the listen address said so).
  bool tls() const { return tls_; }
  // "HOST port PORT", for messages.
  std::string peer() const { return host_ + " port " + std::to_string(port_); }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
  bool tls_ = false;
};

// Listens on `where` and takes the first daemon that connects, waiting at
// most `timeout` (nullopt: for ever); when `stop` becomes true, an error.
// `listening` is called once the socket listens (to say so).
Result<DaemonConnection> accept_daemon(const ListenAddress& where,
                                       std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                                       const std::atomic<bool>* stop = nullptr,
                                       const std::function<void()>& listening = {});

// The remote interfaces, in the daemon's order.
Result<std::vector<RemoteInterface>> list_remote_interfaces(const RemoteAddress& address,
                                                            const ConnectOptions& options = {});
// The same on a connection an active-mode daemon opened.
Result<std::vector<RemoteInterface>> list_remote_interfaces(DaemonConnection connection,
                                                            const ConnectOptions& options = {});

// What the capture's filter is compiled for on the remote side.
struct RemoteFilterTarget {
  uint32_t dlt = 0;      // the DLT_ value of the daemon's OPEN reply
  uint32_t snaplen = 0;  // the capture's
  // The daemon runs filters as Linux socket filters (bpfc-rpcapd says so in
  // its AUTH reply; libpcap's daemon says nothing): they may read the
  // packet's metadata, as bpfc compiles for a local Linux capture
  // (CompileContext::Linux: inbound, outbound, ifindex, VLAN tags).
  bool linux_socket_filter = false;
};
using RemoteFilterCompiler = std::function<Result<cbpf::Program>(const RemoteFilterTarget& target)>;

struct CaptureOptions {
  ConnectOptions connect;
  uint32_t snaplen = kMaxSnaplen;
  bool promiscuous = false;
  bool udp = false;  // the UDP data channel instead of TCP (refused with TLS)
  uint32_t read_timeout_ms = 1000;  // the daemon's read timeout
  size_t batch_packets = 256;       // at most this many packets per batch
  // next() ends the capture (without an error) when no packet has come for
  // this long; nullopt waits for ever.
  std::optional<std::chrono::milliseconds> idle_timeout;
  // When set and it becomes true (a signal handler's flag), next() ends the
  // capture without an error within about 100 ms.
  const std::atomic<bool>* stop = nullptr;
};

// The daemon's counters, and what the client saw on the data channel.
struct RemoteStats {
  StatsPayload daemon;
  uint64_t packets_received = 0;  // packets this client delivered
  // Packets the daemon numbered but that never arrived (gaps in the
  // numbering: UDP losses).
  uint64_t packets_lost = 0;
  // UDP data channel: datagrams from another address than the daemon's,
  // dropped unread.
  uint64_t foreign_datagrams = 0;
};

class RemoteCapture : public PacketSource {
 public:
  // Connects, authenticates, opens the device, compiles the filter for its
  // link type (when `compiler` is set) and starts the capture.
  static Result<std::unique_ptr<RemoteCapture>> start(const RemoteAddress& address, const CaptureOptions& options,
                                                      const RemoteFilterCompiler& compiler = {});
  // The same on a connection an active-mode daemon opened: `device` is the
  // daemon's interface name. The TCP data connection comes from the daemon
  // too, to a port this client listens on beside the control connection.
  static Result<std::unique_ptr<RemoteCapture>> start(DaemonConnection connection, const std::string& device,
                                                      const CaptureOptions& options,
                                                      const RemoteFilterCompiler& compiler = {});

  // The remote device's DLT_ value and its LINKTYPE_ value (for savefiles).
  virtual uint32_t dlt() const = 0;
  virtual uint32_t linktype() const = 0;
  virtual uint32_t snaplen() const = 0;
  // What a filter for update_filter() is compiled for.
  virtual RemoteFilterTarget filter_target() const = 0;
  // Replaces the filter while the capture runs (UPDATEFILTER).
  [[nodiscard]] virtual std::optional<Diagnostic> update_filter(const cbpf::Program& program) = 0;
  // Sets the daemon's sampling (SETSAMPLING); libpcap's daemon applies it
  // only on Windows.
  [[nodiscard]] virtual std::optional<Diagnostic> set_sampling(SamplingMethod method, uint32_t value) = 0;
  virtual Result<RemoteStats> stats() = 0;
  // Ends the capture (ENDCAP) and the session (CLOSE). Also done by the
  // destructor, quietly.
  [[nodiscard]] virtual std::optional<Diagnostic> close() = 0;
};

}  // namespace bpfc::capture::rpcap

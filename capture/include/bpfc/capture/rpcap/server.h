// The daemon side of RPCAP (bpfc-rpcapd): a session that answers one
// client's control messages, the policies it applies (authentication, device
// names, filters, sampling), and the daemon that accepts clients.
//
// A ServerSession knows no sockets and no capture: it turns each request
// (header and payload) into the reply bytes, and asks a CaptureBackend for
// what touches the machine. The connection loop (serve_connection) does the
// I/O with its bounds and timeouts; the fuzz target drives the session with
// a fake backend. Nothing here links the compiler: filters come from the
// clients as classic BPF and are checked with the kernel's rules.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"
#include "bpfc/capture/rpcap/tls.h"
#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap {

// The kernel's own limit (BPF_MAXINSNS): a longer filter would not load.
inline constexpr uint32_t kServerMaxFilterInstructions = 4096;
// Usernames and passwords together; libpcap's client sends a few dozen bytes.
inline constexpr uint32_t kServerMaxAuthBytes = 1024;

// ---- policies ------------------------------------------------------------------

// Why `device` may not be opened, or nullopt: only plain interface names
// (at most 15 bytes of letters, digits and ".-_:@"), never a URL ("://"), a
// path ("/"), a savefile or anything a pcap_open() would interpret
// (CVE-2019-15164, CVE-2024-8006).
std::optional<std::string> check_device_name(std::string_view device);

// Why a client's filter is refused, or nullopt: more than
// kServerMaxFilterInstructions instructions, or not valid under the Linux
// kernel's classic BPF rules. An empty program is accepted (no filter).
std::optional<std::string> check_client_filter(const cbpf::Program& program);

// SETSAMPLING as libpcap defines it. OneEveryN: of every N packets, the
// N-th is delivered (N of 0 or 1: every packet). FirstAfterNMilliseconds:
// a packet is delivered, then none until its timestamp plus N ms.
class Sampler {
 public:
  void configure(SamplingPayload sampling);
  // Whether the packet with this timestamp (microseconds) is delivered.
  bool admit(uint64_t timestamp_us);

 private:
  SamplingMethod method_ = SamplingMethod::None;
  uint32_t value_ = 0;
  uint32_t counter_ = 0;
  uint64_t next_us_ = 0;
};

// Checks a username and password. Implementations must take the same time
// and give the same answer shape for an unknown user and a wrong password.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual bool check(const std::string& user, const std::string& password) = 0;
};

// Lines "user:crypt-hash" (empty lines and lines starting with '#' are
// skipped); hashes in any form crypt(3) knows. Errors name the line.
Result<std::unique_ptr<Authenticator>> password_file_authenticator(const std::string& path);
// The system's accounts: getspnam() (needs read access to /etc/shadow), or
// the passwd entry's hash where there is no shadow entry.
std::unique_ptr<Authenticator> system_authenticator();

// ---- the session ------------------------------------------------------------------

struct StartParameters {
  std::string device;
  uint32_t snaplen = 0;        // already clamped to [1, kMaxSnaplen]
  uint32_t read_timeout_ms = 0;
  bool promiscuous = false;
  bool udp = false;            // data as datagrams to the client's client_data_port
  bool server_connects = false;  // TCP: the daemon connects to client_data_port (active mode's way)
  bool inbound_only = false, outbound_only = false;
  uint16_t client_data_port = 0;
  cbpf::Program filter;        // checked; empty: every packet
  SamplingPayload sampling;
};

// What a session needs from the machine. Errors are messages for the client.
class CaptureBackend {
 public:
  virtual ~CaptureBackend() = default;
  virtual Result<std::vector<RemoteInterface>> list_interfaces() = 0;
  // The DLT_ value of the device's captures.
  virtual Result<int32_t> open(const std::string& device) = 0;
  // Starts capturing and the data channel; the port to give the client
  // (the daemon's data port).
  virtual Result<uint16_t> start(const StartParameters& parameters) = 0;
  virtual std::optional<std::string> update_filter(const cbpf::Program& program) = 0;
  virtual void set_sampling(SamplingPayload sampling) = 0;
  virtual StatsPayload statistics() = 0;
  // Whether the capture started by start() still runs (its data channel may
  // have ended on its own).
  virtual bool capturing() = 0;
  virtual void end_capture() = 0;
  // What the AUTH reply tells a bpfc client about the captures
  // (kCapability* of protocol.h); none by default.
  virtual uint32_t bpfc_capabilities() const { return 0; }
};

struct SessionPolicy {
  bool allow_null_auth = false;
  Authenticator* authenticator = nullptr;  // none: password auth is refused
  std::chrono::milliseconds auth_failure_delay{1000};
  int max_auth_failures = 3;  // then the connection is closed
  // Called after a password was accepted, before the AUTH reply: why the
  // session cannot go on as that user (the login then fails, and the
  // connection is closed), or nullopt. bpfc-rpcapd makes the session's
  // process run as the user here (become_user).
  std::function<std::optional<std::string>(const std::string& user)> after_password_login;
};

// ---- running a session as its user ---------------------------------------------

struct UserSwitchOptions {
  // Members of this group keep CAP_NET_RAW, the one capability capturing
  // needs, as Wireshark's dumpcap lets its group capture. Empty: a session
  // has only its user's privileges (libpcap's rpcapd), so that only root
  // captures.
  std::string capture_group;
};

// Makes this process run as the system account `user`: its groups
// (initgroups), gid and uid, real, effective and saved, with no
// capabilities beyond CAP_NET_RAW for members of the capture group, and
// no_new_privs set. Nothing changes for root, or for the account the
// process already runs as. The process must have a single thread. Why it
// cannot, or nullopt.
std::optional<std::string> become_user(const std::string& user, const UserSwitchOptions& options);
// Why `group` cannot be a capture group (it does not exist), or nullopt.
std::optional<std::string> check_capture_group(const std::string& group);

class ServerSession {
 public:
  ServerSession(const SessionPolicy& policy, CaptureBackend& backend);

  struct Outcome {
    std::vector<uint8_t> reply;  // bytes to send (may be empty)
    bool close = false;          // end the connection after sending them
    std::chrono::milliseconds delay{0};  // wait this long before replying
  };

  // The largest payload this daemon reads for a message of this type (0
  // for types that carry none or that a client never sends).
  static uint32_t payload_limit(uint8_t type);
  // Before reading the payload: an error reply and close for unknown types
  // and payloads over payload_limit(); nullopt when the payload may be read.
  std::optional<Outcome> check(const Header& header) const;
  // A whole request (a header check() accepted, and its payload).
  Outcome handle(const Header& header, std::span<const uint8_t> payload);

  bool authenticated() const { return authenticated_; }
  bool capturing() const { return capturing_; }
  // An error message in this session's version (for the connection loop's
  // own errors: timeouts, the client limit).
  std::vector<uint8_t> error_message(ErrorCode code, const std::string& text) const;

 private:
  Outcome authenticate(const Header& header, std::span<const uint8_t> payload);
  Outcome dispatch(const Header& header, const Message& message);
  Outcome reply(Message message, bool close = false) const;
  Outcome error(ErrorCode code, const std::string& text, bool close = false) const;

  SessionPolicy policy_;
  CaptureBackend& backend_;
  bool authenticated_ = false;
  int auth_failures_ = 0;
  uint8_t version_ = 0;
  std::optional<std::string> device_;
  bool capturing_ = false;
  SamplingPayload sampling_{};
};

// ---- the daemon ------------------------------------------------------------------

// Numeric host addresses (IPv4 or IPv6), never resolved by name.
class HostList {
 public:
  // "a,b,c"; an error for anything that is not a numeric address.
  static Result<HostList> parse(std::string_view text);
  bool empty() const { return hosts_.empty(); }
  bool allows(const sockaddr_storage& peer) const;

 private:
  std::vector<std::array<uint8_t, 16>> hosts_;  // IPv4 as IPv4-mapped IPv6
};

// A client that active mode connects to (numeric address).
struct ActiveClient {
  std::string host;
  uint16_t port = 0;
  bool operator==(const ActiveClient&) const = default;
};

struct DaemonOptions {
  std::string bind_address;  // empty: every address (IPv6 and IPv4, or IPv4 with ipv4_only)
  uint16_t port = kDefaultPort;
  bool ipv4_only = false;
  // Whether to listen on bind_address and port (passive mode), besides
  // connecting to the active clients; -v turns it off.
  bool listen = true;
  HostList allowed_hosts;       // empty: every host
  uint16_t data_port = 0;       // 0: an ephemeral port per capture
  unsigned max_clients = 32;
  std::chrono::seconds auth_timeout{90};  // from accept until AUTH succeeded
  std::chrono::seconds idle_timeout{180}; // no message while not capturing
  // A client whose host vanished without closing its connections (a
  // half-open connection) is dropped after about this long: TCP keepalive
  // and TCP_USER_TIMEOUT on the control and data connections.
  std::chrono::seconds dead_peer_timeout{60};
  SessionPolicy policy;
  // Active mode: connect to each of these and serve there, again after each
  // session ends (a second later) or a failed attempt (active_retry later).
  std::vector<ActiveClient> active;
  std::chrono::seconds active_retry{10};
  // rpcapd -S: every control connection (passive or active) starts with
  // the client's TLS handshake, within auth_timeout; a client that sends
  // RPCAP in clear is told that TLS is required and closed. TCP data
  // connections are TLS too (the daemon the server); UDP ones are refused.
  std::shared_ptr<TlsContext> tls;
  // When set, each connection is served by a process of its own: this
  // command (for the options of the moment), run with the connection as
  // its standard input, is expected to serve it as `rpcapd -i` does. The
  // daemon counts those processes against max_clients and ends them when
  // it stops. Unset: a thread of the daemon serves each connection.
  std::function<std::vector<std::string>(const DaemonOptions&)> session_command;
};

// Log lines (debug and errors) for -D; may be called from any thread.
using LogFunction = std::function<void(const std::string&)>;

// Serves one established connection (a TCP socket, or inetd's stdin) until
// the client closes it or breaks the protocol. `fd` is not closed.
void serve_connection(int fd, const DaemonOptions& options, const LogFunction& log);

// How run_daemon is told to stop or to take new options.
struct DaemonControl {
  const std::atomic<bool>& stop;
  // Readable when new options are wanted (the read end of SIGHUP's
  // self-pipe, non-blocking; its bytes are drained); -1: never.
  int reload_fd = -1;
  // The new options, or why there are none (then the current ones stay).
  std::function<Result<DaemonOptions>()> reload;
};

// Listens on the options' address (when options.listen) and serves clients,
// a process each (options.session_command) or a thread each, and connects
// to each active client, until `stop` is set;
// an error when it cannot listen. A reload applies to connections made
// after it: sessions keep the options they started with, active clients
// the new options drop stop connecting once their session ends, new ones
// start connecting.
[[nodiscard]] std::optional<std::string> run_daemon(const DaemonOptions& options, const LogFunction& log,
                                                    const DaemonControl& control);

}  // namespace bpfc::capture::rpcap

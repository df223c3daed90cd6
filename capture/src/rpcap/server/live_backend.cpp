// A capture and its data channel. The capture is a LiveSource (the
// TPACKET_V3 ring of bpfc capture, the client's classic BPF in the kernel);
// its packets go out from a thread of their own, a ring block's worth at a
// time: one send for all of them on TCP, one sendmmsg of a datagram each on
// UDP. The control thread changes the filter and the sampling and reads the
// counters while it runs. A data channel that fails (the client went away)
// ends the capture; the control connection is the client's to close.
#include "live_backend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "bpfc/capture/live.h"
#include "dead_peer.h"
#include "interface_listing.h"
#include "tls_session.h"

namespace bpfc::capture::rpcap::server {
namespace {

constexpr int kDataAcceptTimeoutMs = 10000;
constexpr uint32_t kMaxDatagramPayload = 65000;

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

uint16_t port_of(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return 0;
}
void set_port(sockaddr_storage& a, uint16_t port) {
  if (a.ss_family == AF_INET) reinterpret_cast<sockaddr_in&>(a).sin_port = htons(port);
  if (a.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6&>(a).sin6_port = htons(port);
}
socklen_t size_of(const sockaddr_storage& a) {
  return a.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}
bool same_host(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in&>(b).sin_addr.s_addr;
  }
  return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr,
                     &reinterpret_cast<const sockaddr_in6&>(b).sin6_addr, 16) == 0;
}

// Sends everything; a client that reads slowly is waited for, in slices
// of the socket's send timeout, until `stop` asks the capture to end.
bool send_all(int fd, const uint8_t* data, size_t size, const std::atomic<bool>& stop) {
  while (size > 0) {
    const ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || ((errno == EAGAIN || errno == EWOULDBLOCK) && !stop)) continue;
      return false;
    }
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

// Sends each of `messages` (views into one buffer) as a datagram of its own;
// one the network refuses or has no room for is lost (the client sees the
// gap in the numbering). False when the channel failed for good.
bool send_datagrams(int fd, const std::vector<iovec>& messages) {
  constexpr size_t kPerCall = 64;
  mmsghdr headers[kPerCall];
  for (size_t done = 0; done < messages.size();) {
    const size_t count = std::min(kPerCall, messages.size() - done);
    for (size_t i = 0; i < count; ++i) {
      headers[i] = {};
      headers[i].msg_hdr.msg_iov = const_cast<iovec*>(&messages[done + i]);
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = sendmmsg(fd, headers, static_cast<unsigned>(count), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != ECONNREFUSED && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) return false;
      ++done;  // that datagram is lost; the rest are tried
      continue;
    }
    done += static_cast<size_t>(sent);
  }
  return true;
}

class LiveBackend : public CaptureBackend {
 public:
  LiveBackend(const ConnectionAddresses& addresses, uint16_t fixed_data_port, std::chrono::seconds dead_peer_timeout,
              std::shared_ptr<TlsContext> tls, LogFunction log)
      : addresses_(addresses),
        fixed_data_port_(fixed_data_port),
        dead_peer_timeout_(dead_peer_timeout),
        tls_(std::move(tls)),
        log_(std::move(log)) {}
  ~LiveBackend() override { end_capture(); }

  Result<std::vector<RemoteInterface>> list_interfaces() override { return list_capture_interfaces(); }

  Result<int32_t> open(const std::string& device) override { return device_dlt(device); }

  Result<uint16_t> start(const StartParameters& parameters) override {
    end_capture();
    if (!addresses_.known) return bpfc::error("the control connection is not a network socket");
    // As libpcap's rpcapd -S: datagrams would leave TLS behind.
    if (tls_ && parameters.udp) return bpfc::error("UDP data channels are not available with TLS: use TCP");
    capture::LiveOptions options;
    options.device = parameters.device;
    options.snaplen = parameters.snaplen;
    options.promiscuous = parameters.promiscuous;
    options.direction = parameters.inbound_only    ? capture::Direction::In
                        : parameters.outbound_only ? capture::Direction::Out
                                                   : capture::Direction::InOut;
    // Blocks are handed over when full or after the client's read timeout
    // (bounded: a short one keeps the capture interactive).
    options.ring.retire_timeout_ms = std::clamp<uint32_t>(parameters.read_timeout_ms, 1, 100);
    options.wait_ms = 100;  // next() returns at least this often to look at stop_
    capture::LiveError failure;
    std::unique_ptr<capture::LiveSource> capture = capture::LiveSource::open(options, failure);
    if (!capture && failure.kind == capture::LiveError::Kind::Permission) {
      // The session runs as the account that logged in (become_user).
      return bpfc::error(parameters.device +
                         ": permission denied: this session's user may not capture (capturing needs CAP_NET_RAW: "
                         "root's sessions have it, and those of the daemon's --capture-group)");
    }
    if (!capture) return bpfc::error(failure.message);
    if (auto refused = install(*capture, parameters.filter)) return bpfc::error(*refused);

    const int type = parameters.udp ? SOCK_DGRAM : SOCK_STREAM;
    const int fd = socket(addresses_.local.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return bpfc::error(system_error("data socket"));
    // The daemon connects (UDP, or TCP when the client asks, as in active
    // mode) to the client's own address only; or it listens for the
    // client's TCP connection.
    const bool connects = parameters.udp || parameters.server_connects;
    sockaddr_storage local = addresses_.local;
    set_port(local, connects ? 0 : fixed_data_port_);
    if (!connects) {
      const int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (bind(fd, reinterpret_cast<const sockaddr*>(&local), size_of(local)) != 0 ||
        (!connects && listen(fd, 1) != 0)) {
      const std::string why = system_error("data socket");
      close(fd);
      return bpfc::error(why);
    }
    if (connects) {
      sockaddr_storage client = addresses_.peer;
      set_port(client, parameters.client_data_port);
      if (connect(fd, reinterpret_cast<const sockaddr*>(&client), size_of(client)) != 0) {
        const std::string why = system_error("data channel to the client");
        close(fd);
        return bpfc::error(why);
      }
    }
    sockaddr_storage bound{};
    socklen_t bound_size = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_size);

    capture_ = std::move(capture);
    sampler_.configure(parameters.sampling);
    sent_ = 0;
    stop_ = false;
    running_ = true;
    thread_ = std::thread([this, fd, udp = parameters.udp, connected = connects] { run(fd, udp, connected); });
    return port_of(bound);
  }

  std::optional<std::string> update_filter(const cbpf::Program& program) override {
    std::lock_guard lock(mutex_);
    if (!capture_) return "No capture is running";
    return install(*capture_, program);
  }

  void set_sampling(SamplingPayload sampling) override {
    std::lock_guard lock(mutex_);
    sampler_.configure(sampling);
  }

  StatsPayload statistics() override {
    std::lock_guard lock(mutex_);
    if (capture_) last_ = counters(capture_->statistics());
    return last_;
  }

  bool capturing() override { return running_; }

  // The client's filter goes into a Linux packet socket, which answers its
  // SKF_AD_* loads (and the user-space form reads the same metadata).
  uint32_t bpfc_capabilities() const override { return kCapabilityLinuxSocketFilter; }

  void end_capture() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    if (capture_) last_ = counters(capture_->statistics());
    capture_.reset();
    running_ = false;
  }

 private:
  // The client's filter (checked by the session) in the kernel, with the
  // classic BPF interpreter as its user-space form for the packets already
  // in the ring when it replaces another; an empty one keeps everything.
  static std::optional<std::string> install(capture::LiveSource& source, const cbpf::Program& program) {
    std::optional<capture::LiveError> failure;
    if (program.empty()) {
      failure = source.accept_all();
    } else {
      capture::LiveFilter filter;
      filter.program = program;
      filter.userspace = capture::classic_userspace_filter(program);
      capture::FilterPlacement placement;
      failure = source.set_filter(std::move(filter), placement);
    }
    if (failure) return failure->message;
    return std::nullopt;
  }

  // STATS' counters (32 bits on the wire): accepted by the filter, dropped
  // by the interface and for want of room in the ring, sent to the client.
  StatsPayload counters(const capture::LiveStatistics& statistics) const {
    return {static_cast<uint32_t>(statistics.received_by_filter), static_cast<uint32_t>(statistics.dropped_by_interface),
            static_cast<uint32_t>(statistics.dropped_ring_full), sent_};
  }

  void run(int fd, bool udp, bool connected) {
    int data = fd;
    if (!connected) data = accept_client(fd);
    std::unique_ptr<tls::Session> secure;
    if (data >= 0 && tls_) {
      auto session = tls::Session::accept(
          *tls_, data, tls::Clock::now() + std::chrono::milliseconds(kDataAcceptTimeoutMs), &stop_);
      if (session) {
        secure = std::move(*session);
      } else {
        log_("data connection: " + session.error().message);
        if (data != fd) close(data);
        data = -1;
      }
    }
    if (data >= 0 && !udp) detect_dead_peer(data, dead_peer_timeout_);
    if (data >= 0) {
      // Blocked sends wake up every second to look at stop_, so that a
      // client that stopped reading cannot keep ENDCAP (which waits for this
      // thread) waiting.
      const timeval slice{1, 0};
      setsockopt(data, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice);
    }
    capture::Batch batch;
    std::vector<uint8_t> out;
    std::vector<size_t> starts;  // where each message of `out` begins (UDP)
    std::vector<iovec> datagrams;
    while (data >= 0 && !stop_) {
      if (!udp) {
        pollfd hangup{data, POLLRDHUP, 0};
        if (poll(&hangup, 1, 0) > 0 && (hangup.revents & (POLLERR | POLLHUP | POLLRDHUP))) break;  // the client closed it
      }
      out.clear();
      starts.clear();
      {
        // The control thread changes the filter between two reads, never
        // during one; the packets of a batch are copied out under the lock.
        std::lock_guard lock(mutex_);
        const bool more = capture_->next(batch);
        for (const capture::Packet& packet : batch.packets) {
          const uint64_t microseconds = static_cast<uint64_t>(packet.timestamp_ns) / 1000;
          if (!sampler_.admit(microseconds)) continue;
          uint32_t caplen = packet.caplen;
          if (udp) caplen = std::min(caplen, kMaxDatagramPayload);
          PacketPayload payload;
          payload.timestamp_seconds = static_cast<uint32_t>(microseconds / 1000000);
          payload.timestamp_microseconds = static_cast<uint32_t>(microseconds % 1000000);
          payload.caplen = caplen;
          payload.wirelen = packet.wirelen;
          payload.number = sent_ + static_cast<uint32_t>(starts.size()) + 1;
          payload.data = {packet.data, caplen};
          starts.push_back(out.size());
          append_packet_message(0, payload, out);
        }
        if (!more) {
          if (const auto& failure = capture_->error()) log_("capture failed: " + failure->message);
          if (out.empty()) break;
        }
      }
      if (out.empty()) continue;
      bool ok = true;
      if (udp) {
        datagrams.clear();
        for (size_t i = 0; i < starts.size(); ++i) {
          const size_t end = i + 1 < starts.size() ? starts[i + 1] : out.size();
          datagrams.push_back({out.data() + starts[i], end - starts[i]});
        }
        ok = send_datagrams(data, datagrams);
      } else if (secure) {
        const auto problem = secure->write_all(out, std::nullopt, &stop_);
        if (problem) log_("data channel closed: " + *problem);
        if (problem) break;
      } else {
        ok = send_all(data, out.data(), out.size(), stop_);
      }
      if (!ok) {
        log_("data channel closed: " + std::string(std::strerror(errno)));
        break;
      }
      sent_ += static_cast<uint32_t>(starts.size());
    }
    if (secure) {
      secure->close_notify();
      secure.reset();
    }
    if (data >= 0 && data != fd) close(data);
    close(fd);
    running_ = false;
  }

  // The client's TCP data connection, from the control connection's host
  // only; -1 after the timeout or when stopped.
  int accept_client(int listener) {
    for (int waited = 0; waited < kDataAcceptTimeoutMs && !stop_; waited += 100) {
      pollfd p{listener, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      sockaddr_storage from{};
      socklen_t size = sizeof from;
      const int data = accept4(listener, reinterpret_cast<sockaddr*>(&from), &size, SOCK_CLOEXEC);
      if (data < 0) continue;
      if (same_host(from, addresses_.peer)) return data;
      log_("data connection from a host that is not the client's: refused");
      close(data);
    }
    log_("the client did not open the data connection");
    return -1;
  }

  ConnectionAddresses addresses_;
  uint16_t fixed_data_port_;
  std::chrono::seconds dead_peer_timeout_;
  std::shared_ptr<TlsContext> tls_;
  LogFunction log_;
  std::mutex mutex_;
  std::unique_ptr<capture::LiveSource> capture_;
  Sampler sampler_;
  std::atomic<uint32_t> sent_{0};
  std::atomic<bool> stop_{false}, running_{false};
  std::thread thread_;
  StatsPayload last_{};
};

}  // namespace

std::unique_ptr<CaptureBackend> live_backend(const ConnectionAddresses& addresses, uint16_t fixed_data_port,
                                             std::chrono::seconds dead_peer_timeout, std::shared_ptr<TlsContext> tls,
                                             const LogFunction& log) {
  return std::make_unique<LiveBackend>(addresses, fixed_data_port, dead_peer_timeout, std::move(tls), log);
}

}  // namespace bpfc::capture::rpcap::server

// A capture and its data channel. The packets go out from a thread of their
// own; the control thread changes the filter and the sampling and reads the
// counters while it runs. A data channel that fails (the client went away)
// ends the capture; the control connection is the client's to close.
#include "live_backend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "interface_listing.h"
#include "packet_socket.h"

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

class LiveBackend : public CaptureBackend {
 public:
  LiveBackend(const ConnectionAddresses& addresses, uint16_t fixed_data_port, LogFunction log)
      : addresses_(addresses), fixed_data_port_(fixed_data_port), log_(std::move(log)) {}
  ~LiveBackend() override { end_capture(); }

  Result<std::vector<RemoteInterface>> list_interfaces() override { return list_capture_interfaces(); }

  Result<int32_t> open(const std::string& device) override { return device_dlt(device); }

  Result<uint16_t> start(const StartParameters& parameters) override {
    end_capture();
    if (!addresses_.known) return bpfc::error("the control connection is not a network socket");
    PacketSocket::Options options;
    options.device = parameters.device;
    options.snaplen = parameters.snaplen;
    options.promiscuous = parameters.promiscuous;
    options.inbound_only = parameters.inbound_only;
    options.outbound_only = parameters.outbound_only;
    options.filter = parameters.filter;
    auto capture = PacketSocket::open(options);
    if (!capture) return capture.errors();

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

    capture_ = std::move(*capture);
    capture_fd_ = capture_->fd();
    sampler_.configure(parameters.sampling);
    sent_ = 0;
    stop_ = false;
    running_ = true;
    thread_ = std::thread([this, fd, udp = parameters.udp, connected = connects, wait = parameters.read_timeout_ms] {
      run(fd, udp, connected, wait);
    });
    return port_of(bound);
  }

  std::optional<std::string> update_filter(const cbpf::Program& program) override {
    std::lock_guard lock(mutex_);
    if (!capture_) return "No capture is running";
    return capture_->set_filter(program);
  }

  void set_sampling(SamplingPayload sampling) override {
    std::lock_guard lock(mutex_);
    sampler_.configure(sampling);
  }

  StatsPayload statistics() override {
    std::lock_guard lock(mutex_);
    if (capture_) {
      const PacketCounts counts = capture_->counts();
      last_.interface_received = static_cast<uint32_t>(counts.received);
      last_.kernel_dropped = static_cast<uint32_t>(counts.dropped);
      last_.interface_dropped = 0;
      last_.server_captured = sent_;
    }
    return last_;
  }

  bool capturing() override { return running_; }

  void end_capture() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    if (capture_) {
      const PacketCounts counts = capture_->counts();
      last_ = {static_cast<uint32_t>(counts.received), 0, static_cast<uint32_t>(counts.dropped), sent_};
    }
    capture_.reset();
    running_ = false;
  }

 private:
  void run(int fd, bool udp, bool connected, uint32_t read_timeout_ms) {
    int data = fd;
    if (!connected) data = accept_client(fd);
    if (data >= 0) {
      // Blocked sends wake up every second to look at stop_, so that a
      // client that stopped reading cannot keep ENDCAP (which waits for this
      // thread) waiting.
      const timeval slice{1, 0};
      setsockopt(data, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice);
    }
    const int wait_ms = read_timeout_ms == 0 ? 100 : static_cast<int>(std::min<uint32_t>(read_timeout_ms, 100));
    while (data >= 0 && !stop_) {
      // Wait without the lock: the control thread may change the filter.
      pollfd p[2] = {{capture_fd_, POLLIN, 0}, {udp ? -1 : data, POLLRDHUP, 0}};
      const int ready = poll(p, 2, wait_ms);
      if (ready > 0 && (p[1].revents & (POLLERR | POLLHUP | POLLRDHUP))) break;  // the client closed it
      if (ready <= 0 || !(p[0].revents & POLLIN)) continue;
      std::unique_lock lock(mutex_);
      auto packet = capture_->receive(0);
      if (!packet) {
        log_("capture failed: " + packet.error().message);
        break;
      }
      if (!packet->has_value()) continue;
      const CapturedPacket& captured = **packet;
      if (!sampler_.admit(captured.timestamp_us)) continue;
      uint32_t caplen = static_cast<uint32_t>(captured.data.size());
      if (udp) caplen = std::min(caplen, kMaxDatagramPayload);
      PacketPayload payload;
      payload.timestamp_seconds = static_cast<uint32_t>(captured.timestamp_us / 1000000);
      payload.timestamp_microseconds = static_cast<uint32_t>(captured.timestamp_us % 1000000);
      payload.caplen = caplen;
      payload.wirelen = captured.wirelen;
      payload.number = sent_ + 1;
      payload.data = captured.data.first(caplen);
      auto bytes = encode_message(Message{0, MessageType::Packet, 0, payload});
      lock.unlock();
      if (!bytes) continue;
      // A datagram the network refuses or has no room for is lost (the
      // client sees the gap in the numbering); TCP waits.
      const bool ok = udp ? send(data, bytes->data(), bytes->size(), MSG_NOSIGNAL) >= 0 || errno == ECONNREFUSED ||
                                errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS
                          : send_all(data, bytes->data(), bytes->size(), stop_);
      if (!ok) {
        log_("data channel closed: " + std::string(std::strerror(errno)));
        break;
      }
      ++sent_;
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
  LogFunction log_;
  std::mutex mutex_;
  std::unique_ptr<PacketSocket> capture_;
  int capture_fd_ = -1;
  Sampler sampler_;
  std::atomic<uint32_t> sent_{0};
  std::atomic<bool> stop_{false}, running_{false};
  std::thread thread_;
  StatsPayload last_{};
};

}  // namespace

std::unique_ptr<CaptureBackend> live_backend(const ConnectionAddresses& addresses, uint16_t fixed_data_port,
                                             const LogFunction& log) {
  return std::make_unique<LiveBackend>(addresses, fixed_data_port, log);
}

}  // namespace bpfc::capture::rpcap::server

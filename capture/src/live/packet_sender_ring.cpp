// Sending through a PACKET_TX_RING (TPACKET_V2): frames are copied into a
// ring the kernel maps too, marked TP_STATUS_SEND_REQUEST, and a send() with
// no data asks the kernel to transmit every marked frame. The kernel gives a
// frame back (TP_STATUS_AVAILABLE) once the packet made from it is freed.
//
// A non-blocking kick every batch_frames frames keeps the ring moving; a
// blocking one, which returns after every frame sent so far is given back,
// happens only when the ring is full and at flush().
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "packet_sender_methods.h"

namespace bpfc::capture {
namespace {

// Where a frame's data starts: the kernel reads it right after the aligned
// header when PACKET_TX_HAS_OFF is not set.
constexpr size_t kDataOffset = TPACKET_ALIGN(sizeof(struct tpacket2_hdr));
// The ring stays below this whatever the MTU (loopback's 64 KiB frames).
constexpr size_t kMaxRingBytes = 16u << 20;
constexpr size_t kMinBlockBytes = 64u << 10;
// A blocking kick gives up when the kernel holds frames this long (a
// receiver on the other end that keeps packets queued).
constexpr time_t kReleaseTimeoutSeconds = 10;

size_t round_up_to_power_of_two(size_t n) {
  size_t power = 1;
  while (power < n) power <<= 1;
  return power;
}

class RingSender final : public PacketSender {
 public:
  RingSender(std::unique_ptr<PacketSocket> socket, const SendInterface& interface, const SenderOptions& options)
      : socket_(std::move(socket)), interface_(interface), batch_(std::max<uint32_t>(options.batch_frames, 1)) {}
  ~RingSender() override {
    if (ring_ != nullptr) munmap(ring_, ring_bytes_);
  }
  RingSender(const RingSender&) = delete;
  RingSender& operator=(const RingSender&) = delete;

  bool set_up(uint32_t wanted_frames, SenderError& error);
  bool send(std::span<const uint8_t> frame) override;
  bool flush() override;
  const std::optional<SenderError>& error() const override { return error_; }
  const SendCounters& counters() const override { return counters_; }
  const SendInterface& interface() const override { return interface_; }

 private:
  struct tpacket2_hdr* header(size_t index) {
    return reinterpret_cast<struct tpacket2_hdr*>(ring_ + index * frame_bytes_);
  }
  static uint32_t status(const struct tpacket2_hdr* h) { return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE); }
  // Asks the kernel to send the marked frames; `wait`: and to return once
  // every frame it holds is given back.
  bool kick(bool wait);
  bool failed(SenderError error) {
    if (!error_) error_ = std::move(error);
    return false;
  }

  std::unique_ptr<PacketSocket> socket_;
  SendInterface interface_;
  uint32_t batch_;
  uint8_t* ring_ = nullptr;
  size_t ring_bytes_ = 0;
  size_t frame_bytes_ = 0;
  size_t frames_ = 0;
  size_t head_ = 0;            // the next frame to fill
  uint32_t marked_ = 0;        // frames marked since the last kick
  uint64_t marked_bytes_ = 0;
  SendCounters counters_;
  std::optional<SenderError> error_;
};

bool RingSender::set_up(uint32_t wanted_frames, SenderError& error) {
  const int fd = socket_->fd();
  const int version = TPACKET_V2;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    error = system_error(interface_, "cannot select TPACKET_V2 for the transmit ring", errno);
    return false;
  }
  const struct timeval timeout {kReleaseTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  frame_bytes_ = round_up_to_power_of_two(kDataOffset + largest_frame(interface_));
  const size_t block_bytes = std::max({frame_bytes_, kMinBlockBytes, page});
  const size_t frames_per_block = block_bytes / frame_bytes_;
  size_t frames = std::clamp<size_t>(wanted_frames, 1, kMaxRingBytes / frame_bytes_);
  const size_t blocks = std::max<size_t>((frames + frames_per_block - 1) / frames_per_block, 2);
  frames_ = blocks * frames_per_block;
  struct tpacket_req request {};
  request.tp_block_size = static_cast<unsigned>(block_bytes);
  request.tp_block_nr = static_cast<unsigned>(blocks);
  request.tp_frame_size = static_cast<unsigned>(frame_bytes_);
  request.tp_frame_nr = static_cast<unsigned>(frames_);
  if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &request, sizeof request) != 0) {
    error = system_error(interface_, "cannot set up a transmit ring of " + std::to_string(blocks * block_bytes) + " bytes",
                         errno);
    return false;
  }
  ring_bytes_ = blocks * block_bytes;
  void* mapped = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) {
    error = system_error(interface_, "cannot map the transmit ring", errno);
    return false;
  }
  ring_ = static_cast<uint8_t*>(mapped);
  return true;
}

bool RingSender::kick(bool wait) {
  ssize_t sent;
  do {
    sent = ::send(socket_->fd(), nullptr, 0, wait ? 0 : MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  ++counters_.system_calls;
  if (sent < 0 && !(errno == EAGAIN && !wait)) {
    if (errno == ETIMEDOUT) {
      return failed({SenderError::Kind::System, "interface '" + interface_.name + "': the kernel held sent frames for " +
                                                    std::to_string(kReleaseTimeoutSeconds) + " s"});
    }
    return failed(system_error(interface_, "sending from the transmit ring failed", errno));
  }
  counters_.packets += marked_;
  counters_.bytes += marked_bytes_;
  marked_ = 0;
  marked_bytes_ = 0;
  return true;
}

bool RingSender::send(std::span<const uint8_t> frame) {
  if (error_) return false;
  struct tpacket2_hdr* h = header(head_);
  if (status(h) != TP_STATUS_AVAILABLE) {
    // The ring is full: everything in it goes out, and comes back.
    if (!kick(true)) return false;
    while (status(h) == TP_STATUS_SEND_REQUEST || status(h) == TP_STATUS_SENDING) {
      if (!kick(true)) return false;
    }
    if (status(h) != TP_STATUS_AVAILABLE) {
      return failed({SenderError::Kind::System, "interface '" + interface_.name +
                                                    "': the kernel refused a frame of the transmit ring (status " +
                                                    std::to_string(status(h)) + ")"});
    }
  }
  std::memcpy(reinterpret_cast<uint8_t*>(h) + kDataOffset, frame.data(), frame.size());
  h->tp_len = static_cast<uint32_t>(frame.size());
  __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
  head_ = head_ + 1 == frames_ ? 0 : head_ + 1;
  ++marked_;
  marked_bytes_ += frame.size();
  if (marked_ >= batch_) return kick(false);
  return true;
}

bool RingSender::flush() {
  if (error_) return false;
  return kick(true);
}

}  // namespace

std::unique_ptr<PacketSender> make_ring_sender(std::unique_ptr<PacketSocket> socket, const SendInterface& interface,
                                               const SenderOptions& options, SenderError& error) {
  auto sender = std::make_unique<RingSender>(std::move(socket), interface, options);
  if (!sender->set_up(options.ring_frames, error)) return nullptr;
  return sender;
}

}  // namespace bpfc::capture

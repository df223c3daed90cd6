// Sending with sendmmsg(2): frames are copied into a batch of fixed-size
// slots (the caller's views last only until its next read) and handed to the
// kernel batch_frames at a time. A full transmit queue (ENOBUFS) is waited
// out and the rest of the batch sent again, so no frame is lost to it.
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "packet_sender_methods.h"

namespace bpfc::capture {
namespace {

// How long a full transmit queue may stay full before sending gives up.
constexpr int kQueueFullRetries = 5000;  // of 1 ms each

class MmsgSender final : public PacketSender {
 public:
  MmsgSender(std::unique_ptr<PacketSocket> socket, const SendInterface& interface, const SenderOptions& options)
      : socket_(std::move(socket)),
        interface_(interface),
        slot_bytes_(largest_frame(interface)),
        batch_(std::max<uint32_t>(options.batch_frames, 1)),
        slots_(static_cast<size_t>(batch_) * slot_bytes_),
        iovecs_(batch_),
        messages_(batch_) {
    for (uint32_t i = 0; i < batch_; ++i) {
      iovecs_[i].iov_base = slots_.data() + static_cast<size_t>(i) * slot_bytes_;
      messages_[i].msg_hdr.msg_iov = &iovecs_[i];
      messages_[i].msg_hdr.msg_iovlen = 1;
    }
  }

  bool send(std::span<const uint8_t> frame) override {
    if (error_) return false;
    if (queued_ == batch_ && !submit()) return false;
    std::memcpy(iovecs_[queued_].iov_base, frame.data(), std::min<size_t>(frame.size(), slot_bytes_));
    iovecs_[queued_].iov_len = std::min<size_t>(frame.size(), slot_bytes_);
    ++queued_;
    return true;
  }
  bool flush() override { return !error_ && submit(); }
  const std::optional<SenderError>& error() const override { return error_; }
  const SendCounters& counters() const override { return counters_; }
  const SendInterface& interface() const override { return interface_; }

 private:
  bool submit();

  std::unique_ptr<PacketSocket> socket_;
  SendInterface interface_;
  size_t slot_bytes_;
  uint32_t batch_;
  std::vector<uint8_t> slots_;
  std::vector<struct iovec> iovecs_;
  std::vector<struct mmsghdr> messages_;
  uint32_t queued_ = 0;
  SendCounters counters_;
  std::optional<SenderError> error_;
};

bool MmsgSender::submit() {
  uint32_t done = 0;
  int retries = 0;
  while (done < queued_) {
    const int sent = sendmmsg(socket_->fd(), messages_.data() + done, queued_ - done, 0);
    ++counters_.system_calls;
    if (sent < 0) {
      if (errno == EINTR) continue;
      if ((errno == ENOBUFS || errno == EAGAIN) && retries++ < kQueueFullRetries) {
        const struct timespec pause {0, 1000000};
        nanosleep(&pause, nullptr);
        continue;
      }
      error_ = system_error(interface_, "sendmmsg failed", errno);
      return false;
    }
    for (int i = 0; i < sent; ++i) counters_.bytes += iovecs_[done + static_cast<uint32_t>(i)].iov_len;
    counters_.packets += static_cast<uint64_t>(sent);
    done += static_cast<uint32_t>(sent);
  }
  queued_ = 0;
  return true;
}

}  // namespace

std::unique_ptr<PacketSender> make_mmsg_sender(std::unique_ptr<PacketSocket> socket, const SendInterface& interface,
                                               const SenderOptions& options) {
  return std::make_unique<MmsgSender>(std::move(socket), interface, options);
}

}  // namespace bpfc::capture

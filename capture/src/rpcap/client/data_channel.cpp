// Reading PACKET messages from the data connection. The buffer holds at
// least one largest message beyond a batch's worth of bytes, so a complete
// message always fits once the parsed bytes are moved out of the way.
#include "data_channel.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "bpfc/capture/rpcap/protocol.h"

namespace bpfc::capture::rpcap {
namespace {

constexpr size_t kLargestMessage = kHeaderSize + kPacketHeaderSize + kMaxSnaplen;
constexpr size_t kBufferBytes = 1024 * 1024 + kLargestMessage;
constexpr std::chrono::milliseconds kStopLatency{100};

}  // namespace

DataChannel::DataChannel(net::Socket socket, bool datagram, uint8_t version, uint32_t linktype,
                         std::string datagram_source)
    : socket_(net::Connection(std::move(socket))), datagram_(datagram), version_(version), linktype_(linktype),
      buffer_(kBufferBytes), datagram_source_(std::move(datagram_source)) {}

DataChannel::DataChannel(net::Connection connection, uint8_t version, uint32_t linktype)
    : socket_(std::move(connection)), datagram_(false), version_(version), linktype_(linktype),
      buffer_(kBufferBytes) {}

std::optional<Diagnostic> DataChannel::parse(std::vector<Packet>& packets, size_t max_packets) {
  while (packets.size() < max_packets && begin_ < end_) {
    std::span<const uint8_t> bytes(buffer_.data() + begin_, end_ - begin_);
    auto frame = next_frame(bytes);
    if (!frame) return error("data connection: " + frame.error().message);
    if (!*frame) return std::nullopt;  // the rest of the message is still on its way
    const Frame& f = **frame;
    auto message = decode_message(f.header, f.payload);
    if (!message) return error("data connection: " + message.error().message);
    if (message->type == MessageType::Error) {
      return error("the daemon reported: " + std::get<ErrorPayload>(message->payload).text);
    }
    if (message->type != MessageType::Packet) {
      return error("data connection: a " + message_type_name(f.header.type) + " message instead of PACKET");
    }
    if (f.header.version != version_) {
      return error("data connection: a message of protocol version " + std::to_string(f.header.version) +
                   ", the session uses " + std::to_string(version_));
    }
    const auto& p = std::get<PacketPayload>(message->payload);
    Packet packet;
    packet.timestamp_ns = int64_t{p.timestamp_seconds} * 1000000000 + int64_t{p.timestamp_microseconds} * 1000;
    packet.caplen = p.caplen;
    packet.wirelen = p.wirelen;
    packet.linktype = linktype_;
    packet.data = p.data.data();
    packet.raw = bytes.first(f.size);
    packets.push_back(packet);
    ++received_;
    // The daemon numbers the packets it sends from 1: a gap is a loss.
    if (p.number > last_number_ + 1 && last_number_ != 0) lost_ += p.number - last_number_ - 1;
    if (last_number_ == 0 && p.number > 1) lost_ += p.number - 1;
    last_number_ = p.number;
    begin_ += f.size;
  }
  return std::nullopt;
}

Result<bool> DataChannel::wait_for_data(std::optional<std::chrono::milliseconds> timeout) {
  if (!stop_) return socket_.wait_readable(timeout);
  // In slices, so that a stop request is seen within kStopLatency.
  auto deadline = timeout ? std::optional(std::chrono::steady_clock::now() + *timeout) : std::nullopt;
  for (;;) {
    if (stop_->load()) return false;
    auto slice = kStopLatency;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      slice = std::min(slice, left);
    }
    auto readable = socket_.wait_readable(slice);
    if (!readable || *readable) return readable;
  }
}

Result<DataChannel::Status> DataChannel::receive_stream(bool wait, std::optional<std::chrono::milliseconds> timeout) {
  for (;;) {
    if (wait) {
      auto readable = wait_for_data(timeout);
      if (!readable) return readable.errors();
      if (!*readable) return Status::Idle;
    }
    auto got = socket_.read_available(std::span<uint8_t>(buffer_.data() + end_, buffer_.size() - end_));
    if (!got) return error("data connection: " + got.error().message);
    if (!*got) {
      // Nothing yet (the rest of a TLS record is on its way).
      if (!wait) return Status::Packets;
      continue;
    }
    if (**got == 0) return Status::Closed;
    end_ += **got;
    return Status::Packets;
  }
}

Result<DataChannel::Status> DataChannel::receive_datagrams(bool wait,
                                                           std::optional<std::chrono::milliseconds> timeout) {
  if (wait) {
    auto readable = wait_for_data(timeout);
    if (!readable) return readable.errors();
    if (!*readable) return Status::Idle;
  }
  // As many datagrams as arrived, while a largest one still fits.
  bool first = true;
  while (buffer_.size() - end_ >= kLargestMessage) {
    sockaddr_storage sender{};
    socklen_t sender_length = sizeof sender;
    ssize_t got = ::recvfrom(socket_.socket().fd(), buffer_.data() + end_, kLargestMessage, first && wait ? 0 : MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&sender), &sender_length);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return error(std::string("data connection: ") + std::strerror(errno));
    }
    first = false;
    if (net::address_bytes(sender) != datagram_source_) {
      ++foreign_;
      continue;
    }
    // One datagram, one message: a datagram that is not exactly one whole
    // message would shift the framing of the ones after it.
    // The datagrams before a bad one are still delivered; the error comes
    // when they have been.
    std::span<const uint8_t> datagram(buffer_.data() + end_, static_cast<size_t>(got));
    auto frame = next_frame(datagram);
    if (!frame) {
      pending_error_ = error("data connection: " + frame.error().message);
      break;
    }
    if (!*frame || (*frame)->size != datagram.size()) {
      pending_error_ = error("data connection: a datagram of " + std::to_string(got) + " bytes is not one whole message");
      break;
    }
    end_ += static_cast<size_t>(got);
  }
  return Status::Packets;
}

Result<DataChannel::Status> DataChannel::read(std::vector<Packet>& packets, size_t max_packets,
                                              std::optional<std::chrono::milliseconds> idle_timeout,
                                              const std::atomic<bool>* stop) {
  packets.clear();
  stop_ = stop;
  // Nothing handed out yet: the unparsed rest can move to the front.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (!socket_.valid()) return Status::Closed;
  for (;;) {
    if (auto problem = parse(packets, max_packets)) return *problem;
    if (!packets.empty()) return Status::Packets;
    if (pending_error_) return *pending_error_;
    auto status = datagram_ ? receive_datagrams(true, idle_timeout) : receive_stream(true, idle_timeout);
    if (!status) return status.errors();
    if (*status != Status::Packets) {
      if (*status == Status::Closed && end_ > begin_) {
        return error("data connection: the daemon closed it in the middle of a message");
      }
      return *status;
    }
  }
}

}  // namespace bpfc::capture::rpcap

// libFuzzer target: the rpcap client's data connection (DataChannel) on
// arbitrary bytes from the daemon, over a stream (TCP) or as datagrams
// (UDP). It must never crash, hang or trip the sanitizers, and it must
// deliver exactly the PACKET messages that the codec, walked message by
// message, finds before the first bad one: the same number, the same bytes,
// and nothing after it.
//
// Input: byte 0 bit 0 picks datagrams; the rest is the stream, or, for
// datagrams, a sequence of (2-byte big-endian length, bytes) records.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "bpfc/capture/rpcap/protocol.h"
#include "data_channel.h"
#include "report_text.h"

namespace {

namespace rpcap = bpfc::capture::rpcap;
using Bytes = std::vector<uint8_t>;

[[noreturn]] void violated(const char* what, std::span<const uint8_t> input) {
  std::fprintf(stderr, "rpcap data channel property violated: %s\n  input: %s\n", what,
               bpfc::fuzz::hex(input).c_str());
  std::abort();
}

// The packets a correct reader delivers from `messages`, in order, up to
// the first message that is not a well-formed version-0 PACKET.
void expected_packets(std::span<const uint8_t> messages, std::vector<Bytes>& out) {
  while (!messages.empty()) {
    auto frame = rpcap::next_frame(messages);
    if (!frame || !*frame) return;
    auto message = rpcap::decode_message((*frame)->header, (*frame)->payload);
    if (!message || message->type != rpcap::MessageType::Packet || (*frame)->header.version != 0) return;
    const auto& packet = std::get<rpcap::PacketPayload>(message->payload);
    out.emplace_back(packet.data.begin(), packet.data.end());
    messages = messages.subspan((*frame)->size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> input(data, size);
  bool datagram = data[0] & 1;
  std::span<const uint8_t> rest = input.subspan(1);
  std::vector<Bytes> sent;  // what goes on the wire, per write (stream: one)
  if (datagram) {
    while (rest.size() >= 2) {
      size_t length = std::min<size_t>(static_cast<size_t>(rest[0] << 8 | rest[1]), rest.size() - 2);
      sent.emplace_back(rest.begin() + 2, rest.begin() + 2 + static_cast<ptrdiff_t>(length));
      rest = rest.subspan(2 + length);
    }
  } else {
    sent.emplace_back(rest.begin(), rest.end());
  }

  std::vector<Bytes> expected;
  if (datagram) {
    // Each datagram must be exactly one message: a reader stops at the
    // first that is not.
    for (const Bytes& d : sent) {
      auto frame = rpcap::next_frame(d);
      if (!frame || !*frame || (*frame)->size != d.size()) break;
      size_t before = expected.size();
      expected_packets(d, expected);
      if (expected.size() == before) break;
    }
  } else {
    expected_packets(sent[0], expected);
  }

  int fds[2];
  if (::socketpair(AF_UNIX, datagram ? SOCK_DGRAM : SOCK_STREAM, 0, fds) != 0) return 0;
  int buffer = 1 << 20;
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  ::setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  for (const Bytes& piece : sent) {
    if (::send(fds[0], piece.data(), piece.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(piece.size())) {
      ::close(fds[0]);
      ::close(fds[1]);
      return 0;  // did not fit the socket buffer: not a run worth judging
    }
  }
  ::close(fds[0]);
  // Unix datagram senders have no IP address: the expected source is empty.
  rpcap::DataChannel channel(rpcap::net::Socket(fds[1]), datagram, 0, 1, std::string());
  std::vector<Bytes> delivered;
  std::vector<bpfc::capture::Packet> packets;
  for (;;) {
    auto status = channel.read(packets, 7, std::chrono::milliseconds(0));
    // An error may come with the packets before the bad message.
    for (const auto& packet : packets) {
      if (packet.caplen != packet.bytes().size()) violated("a packet's caplen is not its size", input);
      delivered.emplace_back(packet.data, packet.data + packet.caplen);
    }
    if (!status || *status != rpcap::DataChannel::Status::Packets) break;
  }
  if (delivered != expected) violated("the delivered packets are not the codec's", input);
  return 0;
}

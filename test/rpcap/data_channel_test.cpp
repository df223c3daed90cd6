// The client's data connection against a scripted daemon that answers AUTH,
// OPEN and STARTCAP correctly and then sends chosen bytes as packets:
// well-formed PACKET messages are delivered, and anything else (a captured
// length that is not the data's, another message type, another version, a
// 4 GiB length, a message cut by the end of the connection) ends the
// capture with an error after the packets before it; UDP packets that never
// came are counted as lost, and `bpfc capture` reports them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "../support/process.h"
#include "bpfc/capture/rpcap/client.h"

namespace rpcap = bpfc::capture::rpcap;
using Bytes = std::vector<uint8_t>;

namespace {

int listen_loopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  ::listen(fd, 1);
  return fd;
}

bool read_message(int fd, rpcap::Header& header, Bytes* payload_out = nullptr) {
  uint8_t bytes[rpcap::kHeaderSize];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::recv(fd, bytes + got, sizeof bytes - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  header = rpcap::decode_header(bytes);
  Bytes payload(header.length);
  got = 0;
  while (got < payload.size()) {
    ssize_t n = ::recv(fd, payload.data() + got, payload.size() - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  if (payload_out) *payload_out = payload;
  return true;
}

void send_message(int fd, const rpcap::Message& message) {
  Bytes bytes = *rpcap::encode_message(message);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

Bytes packet(uint32_t number, Bytes data, uint8_t version = 0) {
  rpcap::PacketPayload p{1700000000, 5, static_cast<uint32_t>(data.size()), 60, number, data};
  return *rpcap::encode_message({version, rpcap::MessageType::Packet, 0, p});
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

struct Outcome {
  std::vector<Bytes> packets;
  std::string error;
};

// A daemon's side of one capture on `listener`: sends `data` on the data
// connection, then closes it; with `datagrams`, sends each as a UDP
// datagram instead. Then answers STATS (with zeros) and ENDCAP until the
// client closes.
void serve_capture(int listener, const Bytes& data, const std::vector<Bytes>& datagrams) {
  const bool udp = !datagrams.empty();
  {
    int control = ::accept(listener, nullptr, nullptr);
    rpcap::Header header;
    read_message(control, header);  // AUTH
    send_message(control, {0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{0, 0, true, rpcap::kByteOrderMagic, std::nullopt}});
    read_message(control, header);  // OPEN
    send_message(control, {0, rpcap::MessageType::OpenReply, 0, rpcap::OpenReplyPayload{1, 0}});
    Bytes start;
    read_message(control, header, &start);  // STARTCAP
    if (udp) {
      auto request = rpcap::decode_message(header, start);
      uint16_t client_port = std::get<rpcap::StartCaptureRequestPayload>(request->payload).data_port;
      send_message(control, {0, rpcap::MessageType::StartCaptureReply, 0, rpcap::StartCaptureReplyPayload{0, 0}});
      int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(client_port);
      to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      for (const Bytes& d : datagrams) {
        ::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      }
      ::close(fd);
    }
    uint16_t data_port = 0;
    if (!udp) {
      int data_listener = listen_loopback(data_port);
      send_message(control, {0, rpcap::MessageType::StartCaptureReply, 0, rpcap::StartCaptureReplyPayload{0, data_port}});
      int data_fd = ::accept(data_listener, nullptr, nullptr);
      ::send(data_fd, data.data(), data.size(), MSG_NOSIGNAL);
      ::close(data_fd);
      ::close(data_listener);
    }
    while (read_message(control, header)) {
      if (header.type == static_cast<uint8_t>(rpcap::MessageType::EndCaptureRequest)) {
        send_message(control, rpcap::empty_message(0, rpcap::MessageType::EndCaptureReply));
      }
      if (header.type == static_cast<uint8_t>(rpcap::MessageType::StatsRequest)) {
        send_message(control, {0, rpcap::MessageType::StatsReply, 0, rpcap::StatsPayload{}});
      }
    }
    ::close(control);
  }
}

// Runs a capture against serve_capture(data, datagrams).
Outcome capture_from(const Bytes& data, const std::vector<Bytes>& datagrams = {}) {
  uint16_t control_port = 0;
  int listener = listen_loopback(control_port);
  const bool udp = !datagrams.empty();
  std::thread daemon([listener, data, datagrams] { serve_capture(listener, data, datagrams); });
  Outcome outcome;
  {
    rpcap::CaptureOptions options;
    options.udp = udp;
    // UDP has no end of stream: the capture ends when nothing more comes.
    options.idle_timeout = udp ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(10000);
    auto source = rpcap::RemoteCapture::start({"127.0.0.1", control_port, "eth0", false}, options);
    if (!source) {
      outcome.error = "start: " + source.error().message;
    } else {
      bpfc::capture::Batch batch;
      bool more = true;
      while (more) {
        more = (*source)->next(batch);
        for (const auto& p : batch.packets) outcome.packets.emplace_back(p.data, p.data + p.caplen);
      }
      if ((*source)->error()) outcome.error = (*source)->error()->message;
    }
  }
  daemon.join();
  ::close(listener);
  return outcome;
}

}  // namespace

TEST(RpcapDataChannel, WellFormedPacketsArriveUntilTheDaemonCloses) {
  Outcome outcome = capture_from(concat({packet(1, {1, 2, 3}), packet(2, {4, 5})}));
  EXPECT_EQ(outcome.packets, (std::vector<Bytes>{{1, 2, 3}, {4, 5}}));
  EXPECT_NE(outcome.error.find("closed the data connection"), std::string::npos) << outcome.error;
}

TEST(RpcapDataChannel, HostileMessagesEndTheCaptureAfterThePacketsBeforeThem) {
  Bytes bad_caplen = packet(2, {9, 9, 9, 9});
  bad_caplen[8 + 11] = 200;  // caplen 200, four bytes of data
  Bytes cut = packet(2, {2, 2, 2});
  cut.pop_back();
  struct Case {
    Bytes data;
    const char* error;
  };
  const std::vector<Case> cases = {
      {concat({packet(1, {1}), bad_caplen}), "captured length 200"},
      {concat({packet(1, {1}), *rpcap::encode_message({0, rpcap::MessageType::StatsReply, 0, rpcap::StatsPayload{}})}),
       "instead of PACKET"},
      {concat({packet(1, {1}), packet(2, {2}, 1)}), "protocol version 1"},
      {concat({packet(1, {1}), Bytes{0, 0x07, 0, 0, 0xff, 0xff, 0xff, 0xff}}), "payload length 4294967295"},
      {concat({packet(1, {1}), cut}), "in the middle of a message"},
  };
  for (const Case& c : cases) {
    Outcome outcome = capture_from(c.data);
    EXPECT_EQ(outcome.packets, (std::vector<Bytes>{{1}})) << c.error;
    EXPECT_NE(outcome.error.find(c.error), std::string::npos) << c.error << ": " << outcome.error;
  }
}

TEST(RpcapDataChannel, DatagramsBeforeABadOneAreDelivered) {
  Outcome outcome = capture_from({}, {packet(1, {1}), packet(2, {2}), Bytes{'j', 'u', 'n', 'k'}, packet(3, {3})});
  EXPECT_EQ(outcome.packets, (std::vector<Bytes>{{1}, {2}}));
  EXPECT_NE(outcome.error.find("not one whole message"), std::string::npos) << outcome.error;
}

// Datagrams that never came (numbers 3 and 4) are counted, and `bpfc
// capture` reports them with its statistics, as text and as JSON.
TEST(RpcapDataChannel, DatagramsThatNeverCameAreReportedAsLost) {
  const std::vector<Bytes> sent = {packet(1, {1}), packet(2, {2}), packet(5, {5}), packet(6, {6})};
  for (const char* format : {"json", "text"}) {
    uint16_t control_port = 0;
    int listener = listen_loopback(control_port);
    std::thread daemon([listener, &sent] { serve_capture(listener, {}, sent); });
    auto run = bpfc::testsupport::run_process({BPFC_BINARY, "capture", "-i",
                                               "rpcap://127.0.0.1:" + std::to_string(control_port) + "/eth0", "--udp",
                                               "-c", "4", "--count-only", std::string("--stats-format=") + format});
    daemon.join();
    ::close(listener);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    if (std::string(format) == "json") {
      EXPECT_NE(run.err.find("\"captured\":4,"), std::string::npos) << run.err;
      EXPECT_NE(run.err.find("\"lost_in_transit\":2}"), std::string::npos) << run.err;
    } else {
      EXPECT_NE(run.err.find("4 packets captured\n"), std::string::npos) << run.err;
      EXPECT_NE(run.err.find("2 packets lost between the daemon and bpfc\n"), std::string::npos) << run.err;
    }
  }
}

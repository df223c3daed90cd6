// Active mode against a scripted daemon on loopback (no root): the client
// listens, the "daemon" connects to it, and the session then runs as in
// passive mode, except that the client asks the daemon to open the TCP data
// connection (STARTCAP's SERVEROPEN flag and the client's data port), and
// takes that connection only from the daemon's address. Also the
// --rpcap-listen address forms.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "bpfc/capture/rpcap/client.h"

namespace rpcap = bpfc::capture::rpcap;
using Bytes = std::vector<uint8_t>;
using namespace std::chrono_literals;

namespace {

bool read_exactly(int fd, uint8_t* out, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::recv(fd, out + got, size - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

// One message from the client, decoded (nullopt at EOF).
std::optional<rpcap::Message> read_message(int fd, Bytes& payload) {
  uint8_t bytes[rpcap::kHeaderSize];
  if (!read_exactly(fd, bytes, sizeof bytes)) return std::nullopt;
  rpcap::Header header = rpcap::decode_header(bytes);
  payload.resize(header.length);
  if (!read_exactly(fd, payload.data(), payload.size())) return std::nullopt;
  auto message = rpcap::decode_message(header, payload);
  if (!message) return std::nullopt;
  return std::move(*message);
}

void send_message(int fd, const rpcap::Message& message) {
  Bytes bytes = *rpcap::encode_message(message);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

// A TCP connection from `from` (host order) to 127.0.0.1:port; -1 on failure.
int connect_from(uint32_t from, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(from);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    ::close(fd);
    return -1;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// What the scripted active daemon saw of the client.
struct DaemonRecord {
  uint16_t start_flags = 0;
  uint16_t data_port = 0;
  bool impostor_connected = false;
  bool ended = false;
};

// Connects to the client on `port` (retrying while it is not listening yet),
// then answers AUTH, OPEN (EN10MB) and STARTCAP; for STARTCAP an impostor
// from 127.0.0.2 connects to the client's data port first, then the daemon
// from 127.0.0.1, which sends `packets` PACKET messages; then ENDCAP.
void run_active_daemon(uint16_t port, int packets, DaemonRecord& record) {
  int control = -1;
  for (int attempt = 0; attempt < 200 && control < 0; ++attempt) {
    control = connect_from(INADDR_LOOPBACK, port);
    if (control < 0) std::this_thread::sleep_for(10ms);
  }
  if (control < 0) return;
  Bytes payload;
  int data = -1;
  while (auto message = read_message(control, payload)) {
    switch (message->type) {
      case rpcap::MessageType::AuthRequest:
        send_message(control, {0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{0, 0, true, rpcap::kByteOrderMagic, std::nullopt}});
        break;
      case rpcap::MessageType::OpenRequest:
        send_message(control, {0, rpcap::MessageType::OpenReply, 0, rpcap::OpenReplyPayload{1, 0}});
        break;
      case rpcap::MessageType::StartCaptureRequest: {
        const auto& start = std::get<rpcap::StartCaptureRequestPayload>(message->payload);
        record.start_flags = start.flags;
        record.data_port = start.data_port;
        int impostor = connect_from(0x7f000002, start.data_port);
        record.impostor_connected = impostor >= 0;
        data = connect_from(INADDR_LOOPBACK, start.data_port);
        send_message(control, {0, rpcap::MessageType::StartCaptureReply, 0, rpcap::StartCaptureReplyPayload{0, 0}});
        std::vector<uint8_t> frame(60, 0);
        frame[12] = 0x08;
        for (int i = 0; i < packets && data >= 0; ++i) {
          rpcap::PacketPayload packet{1, static_cast<uint32_t>(i), 60, 60, static_cast<uint32_t>(i + 1), frame};
          send_message(data, {0, rpcap::MessageType::Packet, 0, packet});
        }
        if (impostor >= 0) ::close(impostor);
        break;
      }
      case rpcap::MessageType::EndCaptureRequest:
        record.ended = true;
        send_message(control, rpcap::empty_message(0, rpcap::MessageType::EndCaptureReply));
        break;
      default:
        break;
    }
    if (message->type == rpcap::MessageType::Close) break;
  }
  if (data >= 0) ::close(data);
  ::close(control);
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TEST(RpcapActiveMode, ListenAddressForms) {
  auto plain = rpcap::parse_listen_address("127.0.0.1:2500");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 2500);
  auto defaulted = rpcap::parse_listen_address("0.0.0.0");
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ(defaulted->port, rpcap::kDefaultActivePort);
  auto v6 = rpcap::parse_listen_address("[::1]:2003");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 2003);
  for (const char* bad : {"", ":2003", "::1:2003", "[::1", "[::1]x", "host:", "host:0", "host:65536", "host:12a"}) {
    EXPECT_FALSE(rpcap::parse_listen_address(bad).ok()) << bad;
  }
}

TEST(RpcapActiveMode, CapturesOnTheConnectionTheDaemonOpens) {
  const uint16_t port = free_port();
  DaemonRecord record;
  std::thread daemon([&] { run_active_daemon(port, 3, record); });
  std::atomic<bool> listening{false};
  auto connection = rpcap::accept_daemon({"127.0.0.1", port}, 10s, nullptr, [&] { listening = true; });
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  EXPECT_TRUE(listening.load());
  EXPECT_EQ(connection->host(), "127.0.0.1");
  rpcap::CaptureOptions options;
  options.idle_timeout = 1000ms;
  auto capture = rpcap::RemoteCapture::start(std::move(*connection), "eth0", options);
  ASSERT_TRUE(capture.ok()) << capture.error().message;
  EXPECT_EQ((*capture)->dlt(), 1u);
  bpfc::capture::Batch batch;
  size_t packets = 0;
  while (packets < 3) {
    bool more = (*capture)->next(batch);
    packets += batch.packets.size();
    if (!more) break;
  }
  EXPECT_EQ(packets, 3u);
  EXPECT_EQ((*capture)->error(), std::nullopt);
  const std::string name = (*capture)->interfaces()[0].name;
  EXPECT_TRUE(name.starts_with("rpcap://127.0.0.1:") && name.ends_with("/eth0")) << name;
  EXPECT_EQ((*capture)->close(), std::nullopt);
  daemon.join();
  EXPECT_TRUE(record.start_flags & rpcap::kStartServerOpen);
  EXPECT_FALSE(record.start_flags & rpcap::kStartDatagram);
  EXPECT_NE(record.data_port, 0);
  EXPECT_TRUE(record.impostor_connected);  // and turned away: the packets are the daemon's
  EXPECT_TRUE(record.ended);
}

TEST(RpcapActiveMode, WaitingEndsAtTheTimeoutOrTheStopFlag) {
  const uint16_t port = free_port();
  auto timed_out = rpcap::accept_daemon({"127.0.0.1", port}, 100ms);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_NE(timed_out.error().message.find("timed out"), std::string::npos) << timed_out.error().message;
  std::atomic<bool> stop{true};
  auto stopped = rpcap::accept_daemon({"127.0.0.1", port}, std::nullopt, &stop);
  ASSERT_FALSE(stopped.ok());
  EXPECT_NE(stopped.error().message.find("stopped"), std::string::npos) << stopped.error().message;
}

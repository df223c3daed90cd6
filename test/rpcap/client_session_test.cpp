// The client against a scripted daemon on loopback: version negotiation,
// errors from the daemon, and hostile replies (huge lengths, wrong types,
// wrong versions, a connection cut mid-message) end as errors, never as a
// crash, a hang or a huge allocation. Also the rpcap:// URL forms.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include "bpfc/capture/rpcap/client.h"

namespace rpcap = bpfc::capture::rpcap;
using Bytes = std::vector<uint8_t>;

namespace {

// Accepts one connection on 127.0.0.1 and runs `script` on it.
class ScriptedDaemon {
 public:
  explicit ScriptedDaemon(std::function<void(int)> script) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(listener_, 1);
    thread_ = std::thread([this, script] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      script(fd);
      ::close(fd);
    });
  }
  ~ScriptedDaemon() {
    thread_.join();
    ::close(listener_);
  }
  rpcap::RemoteAddress address(const std::string& device = "") const { return {"127.0.0.1", port_, device, false}; }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

// Reads one whole message from the client; false at EOF.
bool read_message(int fd, rpcap::Header& header) {
  uint8_t bytes[rpcap::kHeaderSize];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::recv(fd, bytes + got, sizeof bytes - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  header = rpcap::decode_header(bytes);
  std::vector<uint8_t> payload(header.length);
  got = 0;
  while (got < payload.size()) {
    ssize_t n = ::recv(fd, payload.data() + got, payload.size() - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

void send_bytes(int fd, const Bytes& bytes) { ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL); }

Bytes encoded(const rpcap::Message& message) { return *rpcap::encode_message(message); }

Bytes auth_ok() {
  return encoded({0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{0, 0, true, rpcap::kByteOrderMagic, std::nullopt}});
}

// Replies to AUTH with `auth_reply`, then to the next request with `reply`.
// Closes the connection after the reply when `then_close`, else reads
// until the client closes it.
std::function<void(int)> reply_script(Bytes auth_reply, Bytes reply = {}, bool then_close = false) {
  return [auth_reply, reply, then_close](int fd) {
    rpcap::Header header;
    if (!read_message(fd, header)) return;
    send_bytes(fd, auth_reply);
    if (reply.empty() || !read_message(fd, header)) return;
    send_bytes(fd, reply);
    while (!then_close && read_message(fd, header)) {
    }
  };
}

std::string list_error(const std::function<void(int)>& script) {
  ScriptedDaemon daemon(script);
  rpcap::ConnectOptions options;
  options.control_timeout = std::chrono::milliseconds(5000);
  auto interfaces = rpcap::list_remote_interfaces(daemon.address(), options);
  return interfaces.ok() ? "" : interfaces.error().message;
}

}  // namespace

TEST(RpcapClientSession, ListsInterfacesFromAWellBehavedDaemon) {
  rpcap::RemoteInterface eth{"eth0", "", 0, {}};
  Bytes reply = encoded({0, rpcap::MessageType::FindAllInterfacesReply, 0, rpcap::InterfaceListPayload{{eth}}});
  ScriptedDaemon daemon(reply_script(auth_ok(), reply));
  auto interfaces = rpcap::list_remote_interfaces(daemon.address());
  ASSERT_TRUE(interfaces.ok()) << interfaces.error().message;
  ASSERT_EQ(interfaces->size(), 1u);
  EXPECT_EQ((*interfaces)[0].name, "eth0");
}

TEST(RpcapClientSession, OldDaemonsWithoutVersionsAreVersionZero) {
  Bytes reply = encoded({0, rpcap::MessageType::FindAllInterfacesReply, 0, rpcap::InterfaceListPayload{}});
  EXPECT_EQ(list_error(reply_script(Bytes{0, 0x88, 0, 0, 0, 0, 0, 0}, reply)), "");
}

TEST(RpcapClientSession, NoCommonVersionIsAnError) {
  Bytes only_newer = encoded({0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{3, 5, true, std::nullopt, std::nullopt}});
  EXPECT_NE(list_error(reply_script(only_newer)).find("no common protocol version"), std::string::npos);
  Bytes inverted = encoded({0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{2, 1, true, std::nullopt, std::nullopt}});
  EXPECT_NE(list_error(reply_script(inverted)).find("minimum"), std::string::npos);
  Bytes bad_magic = encoded({0, rpcap::MessageType::AuthReply, 0, rpcap::AuthReplyPayload{0, 0, true, 0x12345678, std::nullopt}});
  EXPECT_NE(list_error(reply_script(bad_magic)).find("byte order"), std::string::npos);
}

TEST(RpcapClientSession, RepliesOfAnotherVersionAreRefused) {
  Bytes reply = encoded({1, rpcap::MessageType::FindAllInterfacesReply, 0, rpcap::InterfaceListPayload{}});
  EXPECT_NE(list_error(reply_script(auth_ok(), reply)).find("protocol version 1"), std::string::npos);
}

TEST(RpcapClientSession, TheDaemonsErrorReachesTheCaller) {
  Bytes refused = encoded({0, rpcap::MessageType::Error, 0, rpcap::ErrorPayload{18, "Authentication failed"}});
  std::string message = list_error(reply_script(refused));
  EXPECT_NE(message.find("authentication failed"), std::string::npos) << message;
  EXPECT_NE(message.find("Authentication failed"), std::string::npos) << message;
}

TEST(RpcapClientSession, HostileRepliesEndAsErrors) {
  // A 4 GiB interface list: refused from its header, nothing allocated.
  Bytes huge = {0, 0x82, 0, 1, 0xff, 0xff, 0xff, 0xff};
  EXPECT_NE(list_error(reply_script(auth_ok(), huge)), "");
  // A reply of the wrong type.
  std::string wrong_type =
      list_error(reply_script(auth_ok(), encoded(rpcap::empty_message(0, rpcap::MessageType::UpdateFilterReply))));
  EXPECT_NE(wrong_type.find("not FINDALLIF_REPLY"), std::string::npos) << wrong_type;
  // An unknown type.
  EXPECT_NE(list_error(reply_script(Bytes{0, 0x77, 0, 0, 0, 0, 0, 0})), "");
  // Cut in the middle of the payload, then the connection closes.
  Bytes cut = {0, 0x82, 0, 1, 0, 0, 0, 100, 0, 2};
  std::string message = list_error(reply_script(auth_ok(), cut, true));
  EXPECT_NE(message.find("closed the connection"), std::string::npos) << message;
  // Silence: the control timeout ends the wait.
  ScriptedDaemon silent([](int fd) {
    rpcap::Header header;
    read_message(fd, header);
    read_message(fd, header);
  });
  rpcap::ConnectOptions options;
  options.control_timeout = std::chrono::milliseconds(200);
  auto interfaces = rpcap::list_remote_interfaces(silent.address(), options);
  ASSERT_FALSE(interfaces.ok());
  EXPECT_NE(interfaces.error().message.find("timed out"), std::string::npos) << interfaces.error().message;
}

TEST(RpcapUrl, Forms) {
  auto plain = rpcap::parse_rpcap_url("rpcap://10.0.0.1/eth0");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "10.0.0.1");
  EXPECT_EQ(plain->port, rpcap::kDefaultPort);
  EXPECT_EQ(plain->device, "eth0");
  auto v6 = rpcap::parse_rpcap_url("RPCAP://[::1]:4000/lo");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 4000);
  EXPECT_EQ(rpcap::format_rpcap_url(*v6), "rpcap://[::1]:4000/lo");
  auto listing = rpcap::parse_rpcap_url("rpcap://host:2002/");
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->device, "");
  EXPECT_TRUE(rpcap::parse_rpcap_url("rpcaps://host/eth0")->tls);
  for (const char* bad : {"rpcap:///eth0", "rpcap://host:0/eth0", "rpcap://host:65536/x", "rpcap://host:/x",
                          "rpcap://::1/x", "rpcap://[::1/x", "file:///tmp/x.pcap", "rpcap://h/file:///etc/passwd",
                          "rpcap://host:12ab/x"}) {
    EXPECT_FALSE(rpcap::parse_rpcap_url(bad).ok()) << bad;
  }
}

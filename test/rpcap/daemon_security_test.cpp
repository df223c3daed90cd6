// bpfc-rpcapd under hostile clients, over raw TCP sockets: one test per
// class of libpcap rpcapd's CVEs (lengths not checked, 2019-15161; replies
// that tell users apart, 2019-15162; crypt() failing, 2019-15163; device
// names that are URLs or paths, 2019-15164 and 2024-8006), payload bounds,
// a client that stops mid-message, timeouts, the host list, and many
// clients at once. Each ends with a clean error (or close) and a daemon
// that still serves the next client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "../support/process.h"
#include "../support/sanitized_share.h"
#include "daemon_harness.h"

namespace rpcap = bpfc::capture::rpcap;
using bpfc::rpcaptest::Daemon;
using bpfc::rpcaptest::RawClient;
using bpfc::rpcaptest::RawMessage;
using namespace std::chrono_literals;

namespace {

uint8_t type(rpcap::MessageType t) { return static_cast<uint8_t>(t); }
uint16_t code(rpcap::ErrorCode c) { return static_cast<uint16_t>(c); }

std::vector<uint8_t> header_bytes(uint8_t version, uint8_t message_type, uint16_t value, uint32_t length) {
  return {version, message_type, uint8_t(value >> 8), uint8_t(value), uint8_t(length >> 24), uint8_t(length >> 16),
          uint8_t(length >> 8), uint8_t(length)};
}

void expect_error(const std::optional<RawMessage>& reply, rpcap::ErrorCode expected) {
  ASSERT_TRUE(reply) << "no reply";
  EXPECT_EQ(reply->header.type, type(rpcap::MessageType::Error));
  EXPECT_EQ(reply->header.value, code(expected));
  EXPECT_TRUE(rpcap::decode_message(reply->header, reply->payload).ok());
}

// A new client can still authenticate and list the interfaces.
void expect_serves_new_client(const Daemon& daemon) {
  RawClient client(daemon.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.null_auth());
  ASSERT_TRUE(client.send(rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest)));
  auto reply = client.receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.type, type(rpcap::MessageType::FindAllInterfacesReply));
}

class DaemonSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!bpfc::rpcaptest::daemon_test_state().bin) GTEST_SKIP() << bpfc::rpcaptest::daemon_test_state().why;
  }
};

}  // namespace

// CVE-2019-15161 class: an AUTH request whose inner lengths claim more than
// the payload holds.
TEST_F(DaemonSecurity, LengthsInsideAPayloadAreChecked) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  RawClient client(daemon.port());
  auto bytes = header_bytes(0, type(rpcap::MessageType::AuthRequest), 0, 12);
  // type password, username length 1000, password length 60000, 4 bytes.
  for (uint8_t b : std::initializer_list<uint8_t>{0, 1, 0, 0, 0x03, 0xe8, 0xea, 0x60, 'a', 'b', 'c', 'd'}) bytes.push_back(b);
  ASSERT_TRUE(client.send(bytes));
  expect_error(client.receive(), rpcap::ErrorCode::WrongMessage);
  EXPECT_TRUE(client.closed_by_peer());
  expect_serves_new_client(daemon);
}

TEST_F(DaemonSecurity, OversizedPayloadsAreRefusedBeforeTheyAreRead) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const uint64_t rss_before = daemon.memory_kib();
  for (uint8_t t : {type(rpcap::MessageType::AuthRequest), type(rpcap::MessageType::OpenRequest),
                    type(rpcap::MessageType::StartCaptureRequest), type(rpcap::MessageType::Error)}) {
    RawClient client(daemon.port());
    // 4 GiB announced, nothing sent: the answer must come without waiting.
    ASSERT_TRUE(client.send(header_bytes(0, t, 0, 0xffffffffu)));
    expect_error(client.receive(3s), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(client.closed_by_peer());
  }
  // A filter of 4097 instructions: over the kernel's limit, refused from the header.
  RawClient client(daemon.port());
  ASSERT_TRUE(client.null_auth());
  ASSERT_TRUE(client.send(header_bytes(0, type(rpcap::MessageType::UpdateFilterRequest), 0, 8 + 8 * 4097)));
  expect_error(client.receive(3s), rpcap::ErrorCode::WrongMessage);
  EXPECT_LT(daemon.memory_kib(), rss_before + bpfc::testsupport::full_or_sanitized(16, 128) * 1024);
  expect_serves_new_client(daemon);
}

// CVE-2019-15164 and CVE-2024-8006 classes: OPEN with a URL, a path or a
// savefile name; the session goes on after each refusal.
TEST_F(DaemonSecurity, DeviceNamesThatAreUrlsOrPathsAreRefused) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  RawClient client(daemon.port());
  ASSERT_TRUE(client.null_auth());
  for (const char* name : {"rpcap://10.0.0.1:2002/eth0", "file:///etc/passwd", "/etc/shadow", "../lo",
                           "/tmp/capture.pcap", "lo/../../etc", "rpcap://[::1]/lo"}) {
    ASSERT_TRUE(client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{name}}));
    expect_error(client.receive(), rpcap::ErrorCode::Open);
  }
  ASSERT_TRUE(client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"no-such-if9"}}));
  expect_error(client.receive(), rpcap::ErrorCode::Open);
  ASSERT_TRUE(client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}}));
  auto opened = client.receive();
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->header.type, type(rpcap::MessageType::OpenReply));
}

// CVE-2019-15162 class: the reply to an unknown user and to a wrong
// password are the same bytes; both come after the failure delay.
TEST_F(DaemonSecurity, UnknownUserAndWrongPasswordGetIdenticalReplies) {
  bpfc::rpcaptest::ScratchDir dir;
  const std::string hash = bpfc::rpcaptest::crypt_hash("right-Password-1");
  ASSERT_FALSE(hash.empty());
  std::ofstream(dir.file("passwd")) << "alice:" << hash << "\n";
  Daemon daemon({"--passwd-file", dir.file("passwd"), "--auth-failure-delay-ms", "300"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  auto attempt = [&](const std::string& user, const std::string& password, std::chrono::milliseconds* took) {
    RawClient client(daemon.port());
    const auto start = std::chrono::steady_clock::now();
    client.send({0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{1, user, password}});
    auto reply = client.receive();
    if (took) *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return reply ? reply->bytes : std::vector<uint8_t>{};
  };
  std::chrono::milliseconds unknown_time{}, wrong_time{};
  const auto unknown = attempt("mallory", "right-Password-1", &unknown_time);
  const auto wrong = attempt("alice", "wrong", &wrong_time);
  ASSERT_FALSE(unknown.empty());
  EXPECT_EQ(unknown, wrong);
  EXPECT_GE(unknown_time, 300ms);
  EXPECT_GE(wrong_time, 300ms);
  const auto right = attempt("alice", "right-Password-1", nullptr);
  ASSERT_GE(right.size(), 2u);
  EXPECT_EQ(right[1], type(rpcap::MessageType::AuthReply));
  // NULL authentication is refused when -n was not given.
  RawClient anonymous(daemon.port());
  anonymous.send({0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{0, "", ""}});
  expect_error(anonymous.receive(), rpcap::ErrorCode::AuthFailed);
}

// CVE-2019-15163 class: crypt() failing on a stored hash is a failed login.
TEST_F(DaemonSecurity, CryptFailureIsAFailedLogin) {
  bpfc::rpcaptest::ScratchDir dir;
  std::ofstream(dir.file("passwd")) << "broken:*0\nodd:$99$nonsense$\nshort:$6$\nlocked:!"
                                    << bpfc::rpcaptest::crypt_hash("x") << "\n";
  Daemon daemon({"--passwd-file", dir.file("passwd"), "--auth-failure-delay-ms", "0", "-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  for (const char* user : {"broken", "odd", "short", "locked"}) {
    for (const char* password : {"*0", "", "x", "$6$"}) {
      RawClient client(daemon.port());
      client.send({0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{1, user, password}});
      expect_error(client.receive(), rpcap::ErrorCode::AuthFailed);
    }
  }
  EXPECT_TRUE(daemon.alive());
  expect_serves_new_client(daemon);
}

TEST_F(DaemonSecurity, MalformedAndOutOfOrderMessagesGetAnErrorAndAClose) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  {  // an unknown message type
    RawClient client(daemon.port());
    client.send(header_bytes(0, 0x77, 0, 0));
    expect_error(client.receive(), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(client.closed_by_peer());
  }
  {  // a request before authentication
    RawClient client(daemon.port());
    client.send(rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest));
    expect_error(client.receive(), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(client.closed_by_peer());
  }
  {  // a message only a server sends
    RawClient client(daemon.port());
    ASSERT_TRUE(client.null_auth());
    client.send(header_bytes(0, type(rpcap::MessageType::Packet), 0, 0));
    expect_error(client.receive(), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(client.closed_by_peer());
  }
  {  // a STARTCAP whose filter count disagrees with its length
    RawClient client(daemon.port());
    ASSERT_TRUE(client.null_auth());
    client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
    ASSERT_TRUE(client.receive());
    auto bytes = header_bytes(0, type(rpcap::MessageType::StartCaptureRequest), 0, 20);
    for (uint8_t b : std::initializer_list<uint8_t>{0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x10, 0}) bytes.push_back(b);
    client.send(bytes);
    expect_error(client.receive(), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(client.closed_by_peer());
  }
  {  // a filter the kernel would refuse: a jump out of the program
    RawClient client(daemon.port());
    ASSERT_TRUE(client.null_auth());
    client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
    ASSERT_TRUE(client.receive());
    rpcap::StartCaptureRequestPayload start;
    start.snaplen = 100;
    start.filter.program = {bpfc::cbpf::jump(bpfc::cbpf::JMP | bpfc::cbpf::JEQ | bpfc::cbpf::K, 0, 40, 0)};
    client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start});
    expect_error(client.receive(), rpcap::ErrorCode::StartCapture);
  }
  expect_serves_new_client(daemon);
}

TEST_F(DaemonSecurity, ClientsThatStopMidMessageDoNotHurtOthers) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  {
    RawClient client(daemon.port());
    client.send(std::vector<uint8_t>{0, 8, 0});  // three bytes of a header, then gone
  }
  {
    RawClient client(daemon.port());
    auto bytes = header_bytes(0, type(rpcap::MessageType::AuthRequest), 0, 200);
    bytes.resize(bytes.size() + 50, 'x');  // a quarter of the payload, then gone
    client.send(bytes);
  }
  RawClient slow(daemon.port());  // stays, halfway through a header
  slow.send(std::vector<uint8_t>{0, 8, 0, 0});
  expect_serves_new_client(daemon);
  EXPECT_TRUE(daemon.alive());
}

TEST_F(DaemonSecurity, AuthenticationTimeoutAndHostListAreEnforced) {
  {
    Daemon daemon({"-n", "--auth-timeout", "1"});
    ASSERT_TRUE(daemon.listening()) << daemon.process().err();
    RawClient idle(daemon.port());
    expect_error(idle.receive(5s), rpcap::ErrorCode::InitTimeout);
    EXPECT_TRUE(idle.closed_by_peer(3s));
  }
  {
    Daemon daemon({"-n", "-l", "10.9.8.7,::2"});
    ASSERT_TRUE(daemon.listening()) << daemon.process().err();
    RawClient refused(daemon.port());
    expect_error(refused.receive(), rpcap::ErrorCode::HostNotAuthorized);
    EXPECT_TRUE(refused.closed_by_peer());
  }
  {
    Daemon daemon({"-n", "-l", "10.9.8.7,127.0.0.1"});
    ASSERT_TRUE(daemon.listening()) << daemon.process().err();
    expect_serves_new_client(daemon);
  }
  {  // idle after authentication, no capture running
    Daemon daemon({"-n", "--idle-timeout", "1"});
    ASSERT_TRUE(daemon.listening()) << daemon.process().err();
    RawClient idle(daemon.port());
    ASSERT_TRUE(idle.null_auth());
    expect_error(idle.receive(5s), rpcap::ErrorCode::RuntimeTimeout);
    EXPECT_TRUE(idle.closed_by_peer(3s));
  }
  auto refused = bpfc::testsupport::run_process({BPFC_RPCAPD_BINARY, "-l", "localhost", "-n"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not resolved"), std::string::npos) << refused.err;
}

TEST_F(DaemonSecurity, ManyConcurrentClientsWithBoundedMemory) {
  const int clients = bpfc::testsupport::full_or_sanitized(64, 16);
  Daemon daemon({"-n", "--max-clients", std::to_string(clients)});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const uint64_t rss_before = daemon.memory_kib();
  std::vector<std::unique_ptr<RawClient>> connected;
  for (int i = 0; i < clients; ++i) {
    connected.push_back(std::make_unique<RawClient>(daemon.port()));
    ASSERT_TRUE(connected.back()->null_auth()) << "client " << i;
  }
  // Every one of them is served, in turn and all together.
  for (auto& c : connected) {
    ASSERT_TRUE(c->send(rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest)));
  }
  for (auto& c : connected) {
    auto reply = c->receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->header.type, type(rpcap::MessageType::FindAllInterfacesReply));
  }
  // One more than the limit is told so and closed.
  RawClient extra(daemon.port());
  expect_error(extra.receive(), rpcap::ErrorCode::RemoteAccept);
  const uint64_t rss_busy = daemon.memory_kib();
  std::printf("bpfc-rpcapd and its sessions, Pss: %llu KiB idle, %llu KiB with %d clients\n",
              static_cast<unsigned long long>(rss_before), static_cast<unsigned long long>(rss_busy), clients);
  // Each client has a process of its own, whose own memory is mostly the
  // libraries' relocated data (about 0.8 MiB): under 1 MiB per client
  // (ASan's per-process state is larger).
  const uint64_t per_client_kib = bpfc::testsupport::full_or_sanitized(1024, 16384);
  EXPECT_LT(rss_busy, rss_before + static_cast<uint64_t>(clients) * per_client_kib);
  connected.clear();
  // The slots come back once those clients are gone.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    RawClient client(daemon.port());
    served = client.null_auth();
    if (!served) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served);
  EXPECT_TRUE(daemon.alive());
  // And their processes are gone.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (!daemon.session_pids().empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(daemon.session_pids().empty()) << daemon.session_pids().size() << " sessions left";
}

// A client that opens its data connection and never reads it: the daemon
// blocks on that one connection (no unbounded buffering), and ENDCAP still
// ends the capture promptly.
TEST_F(DaemonSecurity, ClientThatNeverReadsItsDataCannotStallTheSession) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  RawClient client(daemon.port());
  ASSERT_TRUE(client.null_auth());
  client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
  ASSERT_TRUE(client.receive());
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 65535;
  start.read_timeout_ms = 100;  // no filter: everything on lo, the data connection's own packets too
  client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start});
  auto reply = client.receive();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->header.type, type(rpcap::MessageType::StartCaptureReply));
  auto decoded = rpcap::decode_message(reply->header, reply->payload);
  ASSERT_TRUE(decoded.ok());
  RawClient data(std::get<rpcap::StartCaptureReplyPayload>(decoded->payload).data_port);
  ASSERT_TRUE(data.connected());
  const uint16_t sink = bpfc::rpcaptest::free_port(true);
  const auto until = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < until) {
    bpfc::rpcaptest::send_udp(sink, std::vector<std::string>(50, std::string(1400, 'z')));
  }
  const uint64_t rss = daemon.memory_kib();
  const auto asked = std::chrono::steady_clock::now();
  client.send(rpcap::empty_message(0, rpcap::MessageType::EndCaptureRequest));
  auto ended = client.receive(10s);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->header.type, type(rpcap::MessageType::EndCaptureReply));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s);
  EXPECT_LT(rss, bpfc::testsupport::full_or_sanitized(64u, 512u) * 1024) << "KiB";
  expect_serves_new_client(daemon);
}

// The TCP data connection is accepted from the control connection's host
// only: another address (127.0.0.2 on lo) is closed, the client's own works.
TEST_F(DaemonSecurity, DataConnectionFromAnotherHostIsRefused) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  RawClient client(daemon.port());
  ASSERT_TRUE(client.null_auth());
  client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
  ASSERT_TRUE(client.receive());
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 128;
  start.filter.program = {bpfc::cbpf::stmt(bpfc::cbpf::RET | bpfc::cbpf::K, 0)};
  client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start});
  auto reply = client.receive();
  ASSERT_TRUE(reply);
  auto decoded = rpcap::decode_message(reply->header, reply->payload);
  ASSERT_TRUE(decoded.ok());
  const uint16_t data_port = std::get<rpcap::StartCaptureReplyPayload>(decoded->payload).data_port;

  const int stranger = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(0x7f000002);
  ASSERT_EQ(::bind(stranger, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(data_port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(stranger, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  pollfd p{stranger, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  char byte;
  EXPECT_LE(::read(stranger, &byte, 1), 0);  // closed by the daemon
  ::close(stranger);

  RawClient data(data_port);
  ASSERT_TRUE(data.connected());
  EXPECT_FALSE(data.closed_by_peer(500ms));
  EXPECT_NE(daemon.process().err().find("not the client's"), std::string::npos);
  client.send(rpcap::empty_message(0, rpcap::MessageType::EndCaptureRequest));
  auto ended = client.receive();
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->header.type, type(rpcap::MessageType::EndCaptureReply));
}

// bpfc-rpcapd under hostile clients, over raw TCP sockets: one test per
// class of libpcap rpcapd's CVEs (lengths not checked, 2019-15161; replies
// that tell users apart, 2019-15162; crypt() failing, 2019-15163; device
// names that are URLs or paths, 2019-15164 and 2024-8006; data-channel
// address setup failing, 2023-7256; interface-list lengths, the
// pcap_findalldevs_ex() read), payload bounds, a client that stops
// mid-message, timeouts, the host list, many clients at once, a client
// that never reads its data, and one whose host vanishes (half-open). Each
// ends with a clean error (or close) and a daemon that still serves the
// next client.
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

// CVE-2023-7256 class: the daemon's address setup for a data channel fails
// (libpcap's sock_initaddress() freed its result twice on that path).
// STARTCAP for a UDP channel or a daemon-opened TCP channel without a
// port, and for a daemon-opened channel to a port where nobody listens,
// each get an error; the session goes on to a capture that starts.
TEST_F(DaemonSecurity, DataChannelAddressFailuresAreErrors) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  RawClient client(daemon.port());
  ASSERT_TRUE(client.null_auth());
  ASSERT_TRUE(client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}}));
  auto opened = client.receive();
  ASSERT_TRUE(opened);
  ASSERT_EQ(opened->header.type, type(rpcap::MessageType::OpenReply));
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 128;
  start.read_timeout_ms = 100;
  start.filter.program = {bpfc::cbpf::stmt(bpfc::cbpf::RET | bpfc::cbpf::K, 0)};
  const uint16_t nobody = bpfc::rpcaptest::free_port();
  const std::vector<std::pair<uint16_t, uint16_t>> failing = {
      {rpcap::kStartDatagram, 0}, {rpcap::kStartServerOpen, 0}, {rpcap::kStartServerOpen, nobody}};
  for (const auto& [flags, port] : failing) {
    start.flags = flags;
    start.data_port = port;
    ASSERT_TRUE(client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start}));
    expect_error(client.receive(), rpcap::ErrorCode::StartCapture);
  }
  start.flags = 0;
  start.data_port = 0;
  ASSERT_TRUE(client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start}));
  auto started = client.receive();
  ASSERT_TRUE(started);
  EXPECT_EQ(started->header.type, type(rpcap::MessageType::StartCaptureReply));
  expect_serves_new_client(daemon);
}

// The class of the out-of-bounds read in libpcap's pcap_findalldevs_ex()
// (an interface list whose lengths do not fit) is the client's: bpfc's
// decoder refuses such replies (RpcapHostile.InterfaceCountsAndLengthsMustFit,
// RpcapClientSession.HostileRepliesEndAsErrors). The daemon's side: a
// FINDALLIF request before the login, or with a payload of any length, is
// refused from its header and the connection closed, with nothing read or
// listed; the next client gets the list.
TEST_F(DaemonSecurity, HostileInterfaceListRequestsAreRefused) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  {
    RawClient early(daemon.port());
    ASSERT_TRUE(early.send(rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest)));
    expect_error(early.receive(), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(early.closed_by_peer());
  }
  for (uint32_t length : {1u, 16u, 0xffffffffu}) {
    RawClient client(daemon.port());
    ASSERT_TRUE(client.null_auth());
    auto bytes = header_bytes(0, type(rpcap::MessageType::FindAllInterfacesRequest), 0, length);
    if (length == 16) bytes.resize(bytes.size() + 16, 0xff);
    ASSERT_TRUE(client.send(bytes));
    expect_error(client.receive(3s), rpcap::ErrorCode::WrongMessage);
    EXPECT_TRUE(client.closed_by_peer()) << length;
  }
  expect_serves_new_client(daemon);
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

// A client that opens its data connection and never reads it: its session
// waits on that one connection (no unbounded buffering) while the kernel
// drops what its ring has no room for, and counts it (STATS); another
// client captures meanwhile; ENDCAP still ends the stalled capture promptly.
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
  // Unpaced, for a second: far more than the 8 MiB ring and the socket
  // buffers on the way to the client hold.
  const uint16_t flooded = bpfc::rpcaptest::free_port(true);
  bpfc::rpcaptest::UdpSink flood_sink(flooded);
  {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(flooded);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string datagram(1400, 'z');
    const auto until = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < until) {
      for (int i = 0; i < 64; ++i) {
        ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      }
    }
    ::close(fd);
  }
  const uint64_t rss = daemon.memory_kib();
  client.send(rpcap::empty_message(0, rpcap::MessageType::StatsRequest));
  auto stats_reply = client.receive(10s);
  ASSERT_TRUE(stats_reply);
  ASSERT_EQ(stats_reply->header.type, type(rpcap::MessageType::StatsReply));
  auto stats = rpcap::decode_message(stats_reply->header, stats_reply->payload);
  ASSERT_TRUE(stats.ok());
  const auto& counters = std::get<rpcap::StatsPayload>(stats->payload);
  std::printf("stalled session: %u received, %u dropped by the kernel, %u sent\n", counters.interface_received,
              counters.kernel_dropped, counters.server_captured);
  EXPECT_GT(counters.kernel_dropped, 0u);
  EXPECT_LT(counters.server_captured, counters.interface_received);
  {
    // Another client is served in full while that session waits.
    const uint16_t target = bpfc::rpcaptest::free_port(true);
    bpfc::rpcaptest::UdpSink other_sink(target);
    bpfc::rpcaptest::Background other({BPFC_BINARY, "rpcap", "capture", daemon.url(), "-c", "3", "--timeout", "20",
                                       "udp and dst port " + std::to_string(target)});
    ASSERT_TRUE(other.wait_for_stderr("listening on", 10s)) << other.err();
    bpfc::rpcaptest::send_udp(target, bpfc::rpcaptest::payloads("meanwhile", 3));
    EXPECT_EQ(other.wait(30s), 0) << other.err();
    EXPECT_NE(other.err().find("3 packets captured"), std::string::npos) << other.err();
  }
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

// A half-open connection: the client's host vanishes in the middle of a
// capture (its link goes down; nothing is closed, no FIN, no RST). The
// client sits in a network namespace of its own behind a veth pair, so
// that its link can go. The session is dropped after about
// --dead-peer-timeout (keepalive on the control connection,
// TCP_USER_TIMEOUT on the data connection), where TCP alone would
// retransmit for a quarter of an hour, and the daemon serves on.
TEST_F(DaemonSecurity, HalfOpenConnectionsAreDroppedAtTheDeadPeerTimeout) {
  for (const char* program : {"ip", "nsenter", "unshare"}) {
    if (!bpfc::testsupport::program_available(program)) GTEST_SKIP() << "needs " << program << "(8)";
  }
  using bpfc::testsupport::run_process;
  if (run_process({"ip", "link", "add", "bpfchoA", "type", "veth", "peer", "name", "bpfchoB"}).exit_code != 0) {
    GTEST_SKIP() << "no veth pairs here";
  }
  ASSERT_EQ(run_process({"ip", "addr", "add", "10.77.0.1/24", "dev", "bpfchoA"}).exit_code, 0);
  ASSERT_EQ(run_process({"ip", "link", "set", "bpfchoA", "up"}).exit_code, 0);
  const uint16_t port = bpfc::rpcaptest::free_port();
  bpfc::rpcaptest::Background daemon(
      {BPFC_RPCAPD_BINARY, "-n", "-4", "-D", "-p", std::to_string(port), "--dead-peer-timeout", "2"});
  ASSERT_TRUE(daemon.wait_for_stderr("listening on port", 10s)) << daemon.err();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  bpfc::rpcaptest::UdpSink sink(target);

  // libpcap's client, in its own namespace, once its end of the pair is in.
  bpfc::rpcaptest::ScratchDir dir;
  const std::string rpcapref = *bpfc::rpcaptest::daemon_test_state().bin + "/rpcapref";
  bpfc::rpcaptest::Background client(
      {"unshare", "-n", "sh", "-c",
       "echo $$ > \"$1\"; while [ ! -e \"$2\" ]; do sleep 0.05; done; ip link set lo up; shift 2; exec \"$@\"", "sh",
       dir.file("pid"), dir.file("go"), rpcapref, "capture", "rpcap://10.77.0.1:" + std::to_string(port) + "/lo",
       "-t", "120", "-f", "udp and dst port " + std::to_string(target)});
  std::string pid;
  for (int i = 0; i < 200 && pid.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    std::ifstream(dir.file("pid")) >> pid;
  }
  ASSERT_FALSE(pid.empty()) << client.err();
  ASSERT_EQ(run_process({"ip", "link", "set", "bpfchoB", "netns", pid}).exit_code, 0);
  ASSERT_EQ(run_process({"nsenter", "-t", pid, "-n", "sh", "-c",
                         "ip addr add 10.77.0.2/24 dev bpfchoB && ip link set bpfchoB up"})
                .exit_code,
            0);
  std::ofstream(dir.file("go")) << "go\n";
  ASSERT_TRUE(daemon.wait_for_stderr("STARTCAP_REQ", 20s)) << daemon.err() << client.err();
  const pid_t daemon_pid = bpfc::rpcaptest::daemon_pid(port);
  auto sessions = bpfc::rpcaptest::child_pids(daemon_pid);
  ASSERT_EQ(sessions.size(), 1u) << daemon.err();
  bpfc::rpcaptest::send_udp(target, bpfc::rpcaptest::payloads("before", 5));
  std::this_thread::sleep_for(300ms);

  ASSERT_EQ(run_process({"nsenter", "-t", pid, "-n", "ip", "link", "set", "bpfchoB", "down"}).exit_code, 0);
  const auto cut = std::chrono::steady_clock::now();
  auto gone = [&] {
    const auto now = bpfc::rpcaptest::child_pids(daemon_pid);
    return std::find(now.begin(), now.end(), sessions[0]) == now.end();
  };
  while (!gone() && std::chrono::steady_clock::now() - cut < 30s) {
    bpfc::rpcaptest::send_udp(target, bpfc::rpcaptest::payloads("after", 5));  // data the daemon tries to deliver
    std::this_thread::sleep_for(100ms);
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - cut);
  std::printf("the half-open session ended %lld ms after its client vanished\n", static_cast<long long>(took.count()));
  EXPECT_TRUE(gone()) << daemon.err();
  EXPECT_LT(took, 15s);
  RawClient next(port);
  EXPECT_TRUE(next.null_auth()) << daemon.err();
}

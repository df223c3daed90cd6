// bpfc-rpcapd's policies and its session, without sockets: which device
// names and filters pass, sampling as libpcap defines it, the host list,
// password files checked with crypt, and the session's answers (version
// negotiation, state errors, refusals before a payload is read).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "bpfc/capture/rpcap/server.h"
#include "rpcap_harness.h"

namespace rpcap = bpfc::capture::rpcap;
namespace cbpf = bpfc::cbpf;

namespace {

class FakeBackend : public rpcap::CaptureBackend {
 public:
  bpfc::Result<std::vector<rpcap::RemoteInterface>> list_interfaces() override {
    rpcap::RemoteInterface lo;
    lo.name = "lo";
    return std::vector<rpcap::RemoteInterface>{lo};
  }
  bpfc::Result<int32_t> open(const std::string& device) override {
    opened.push_back(device);
    return int32_t{1};
  }
  bpfc::Result<uint16_t> start(const rpcap::StartParameters& parameters) override {
    started = parameters;
    running = true;
    return uint16_t{4321};
  }
  std::optional<std::string> update_filter(const cbpf::Program& program) override {
    filter_updates.push_back(program);
    return std::nullopt;
  }
  void set_sampling(rpcap::SamplingPayload) override {}
  rpcap::StatsPayload statistics() override { return {10, 0, 1, 9}; }
  bool capturing() override { return running; }
  void end_capture() override { running = false; }

  std::vector<std::string> opened;
  std::optional<rpcap::StartParameters> started;
  std::vector<cbpf::Program> filter_updates;
  bool running = false;
};

rpcap::ServerSession::Outcome send(rpcap::ServerSession& session, const rpcap::Message& message) {
  auto bytes = rpcap::encode_message(message);
  EXPECT_TRUE(bytes.ok());
  auto header = rpcap::decode_header(std::span<const uint8_t, rpcap::kHeaderSize>(bytes->data(), 8));
  return session.handle(header, std::span<const uint8_t>(*bytes).subspan(8));
}

rpcap::Header reply_header(const rpcap::ServerSession::Outcome& outcome) {
  EXPECT_GE(outcome.reply.size(), rpcap::kHeaderSize);
  return rpcap::decode_header(std::span<const uint8_t, rpcap::kHeaderSize>(outcome.reply.data(), 8));
}

uint8_t type(rpcap::MessageType t) { return static_cast<uint8_t>(t); }

rpcap::SessionPolicy null_policy() {
  rpcap::SessionPolicy policy;
  policy.allow_null_auth = true;
  policy.auth_failure_delay = std::chrono::milliseconds(0);
  return policy;
}

rpcap::Message null_auth() {
  return {0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{0, "", ""}};
}

}  // namespace

TEST(DaemonPolicy, OnlyPlainInterfaceNamesAreOpened) {
  for (const char* ok : {"lo", "eth0", "veth-a.10", "wlp2s0", "br_0", "any"}) {
    EXPECT_EQ(rpcap::check_device_name(ok), std::nullopt) << ok;
  }
  for (const char* bad : {"", "rpcap://10.0.0.1/eth0", "file:///etc/passwd", "/etc/passwd", "../../tmp/x.pcap",
                          "x.pcap/", "eth0 ", "a\\b", "..", "averyveryverylongname0", "eth0\n"}) {
    EXPECT_NE(rpcap::check_device_name(bad), std::nullopt) << bad;
  }
  EXPECT_NE(rpcap::check_device_name(std::string("lo\0x", 4)), std::nullopt);
}

TEST(DaemonPolicy, FiltersFollowTheKernelsRules) {
  EXPECT_EQ(rpcap::check_client_filter({}), std::nullopt);
  cbpf::Program accept = {cbpf::stmt(cbpf::RET | cbpf::K, 65535)};
  EXPECT_EQ(rpcap::check_client_filter(accept), std::nullopt);
  cbpf::Program too_long(4097, cbpf::stmt(cbpf::LD | cbpf::W | cbpf::ABS, 0));
  too_long.back() = cbpf::stmt(cbpf::RET | cbpf::K, 1);
  EXPECT_NE(rpcap::check_client_filter(too_long), std::nullopt);
  cbpf::Program longest(4096, cbpf::stmt(cbpf::LD | cbpf::W | cbpf::ABS, 0));
  longest.back() = cbpf::stmt(cbpf::RET | cbpf::K, 1);
  EXPECT_EQ(rpcap::check_client_filter(longest), std::nullopt);
  cbpf::Program jump_out = {cbpf::jump(cbpf::JMP | cbpf::JEQ | cbpf::K, 0, 5, 0), cbpf::stmt(cbpf::RET | cbpf::K, 1)};
  EXPECT_NE(rpcap::check_client_filter(jump_out), std::nullopt);
  cbpf::Program no_return = {cbpf::stmt(cbpf::LD | cbpf::W | cbpf::ABS, 0)};
  EXPECT_NE(rpcap::check_client_filter(no_return), std::nullopt);
}

TEST(DaemonPolicy, SamplingOneEveryNDeliversTheNthPacket) {
  rpcap::Sampler sampler;
  sampler.configure({static_cast<uint8_t>(rpcap::SamplingMethod::OneEveryN), 3});
  std::vector<int> delivered;
  for (int i = 1; i <= 9; ++i) {
    if (sampler.admit(static_cast<uint64_t>(i))) delivered.push_back(i);
  }
  EXPECT_EQ(delivered, (std::vector<int>{3, 6, 9}));
  sampler.configure({static_cast<uint8_t>(rpcap::SamplingMethod::OneEveryN), 0});
  EXPECT_TRUE(sampler.admit(1));
  EXPECT_TRUE(sampler.admit(2));
}

TEST(DaemonPolicy, SamplingFirstAfterTDeliversOnePacketPerInterval) {
  rpcap::Sampler sampler;
  sampler.configure({static_cast<uint8_t>(rpcap::SamplingMethod::FirstAfterNMilliseconds), 10});
  // Timestamps in microseconds: 0, 5 ms, 9.999 ms, 10 ms, 15 ms, 20.5 ms.
  std::vector<uint64_t> times = {1000000, 1005000, 1009999, 1010000, 1015000, 1020500};
  std::vector<uint64_t> delivered;
  for (uint64_t t : times) {
    if (sampler.admit(t)) delivered.push_back(t);
  }
  EXPECT_EQ(delivered, (std::vector<uint64_t>{1000000, 1010000, 1020500}));
  sampler.configure({0, 0});
  EXPECT_TRUE(sampler.admit(0));
}

TEST(DaemonPolicy, HostListTakesNumericAddressesOnly) {
  auto list = rpcap::HostList::parse("127.0.0.1, ::1");
  ASSERT_TRUE(list.ok());
  sockaddr_storage v4{};
  v4.ss_family = AF_INET;
  reinterpret_cast<sockaddr_in&>(v4).sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_TRUE(list->allows(v4));
  reinterpret_cast<sockaddr_in&>(v4).sin_addr.s_addr = htonl(0x0a000001);
  EXPECT_FALSE(list->allows(v4));
  sockaddr_storage v6{};
  v6.ss_family = AF_INET6;
  reinterpret_cast<sockaddr_in6&>(v6).sin6_addr = in6addr_loopback;
  EXPECT_TRUE(list->allows(v6));
  EXPECT_FALSE(rpcap::HostList::parse("localhost").ok());
  EXPECT_FALSE(rpcap::HostList::parse("127.0.0.1,example.org").ok());
  EXPECT_TRUE(rpcap::HostList::parse("").ok());
}

TEST(DaemonPolicy, PasswordFileIsCheckedWithCrypt) {
  bpfc::rpcaptest::ScratchDir dir;
  const std::string hash = bpfc::rpcaptest::crypt_hash("s3cret");
  ASSERT_FALSE(hash.empty());
  std::ofstream(dir.file("passwd")) << "# users\nalice:" << hash << "\nbroken:*0\nempty:$6$\n";
  auto authenticator = rpcap::password_file_authenticator(dir.file("passwd"));
  ASSERT_TRUE(authenticator.ok()) << authenticator.error().message;
  EXPECT_TRUE((*authenticator)->check("alice", "s3cret"));
  EXPECT_FALSE((*authenticator)->check("alice", "wrong"));
  EXPECT_FALSE((*authenticator)->check("bob", "s3cret"));
  EXPECT_FALSE((*authenticator)->check("broken", "*0"));  // crypt's failure token is no password
  EXPECT_FALSE((*authenticator)->check("empty", ""));
  std::ofstream(dir.file("bad")) << "no-colon-here\n";
  EXPECT_FALSE(rpcap::password_file_authenticator(dir.file("bad")).ok());
}

TEST(DaemonPolicy, SystemAccountsRefuseWrongPasswordsAndUnknownUsers) {
  auto system = rpcap::system_authenticator();
  EXPECT_FALSE(system->check("root", "not-the-password-of-root-bpfc"));
  EXPECT_FALSE(system->check("no-such-user-bpfc-rpcapd", "x"));
  EXPECT_FALSE(system->check("", ""));
}

TEST(DaemonSession, NegotiatesVersionZeroAndAnswersTheCapturePath) {
  FakeBackend backend;
  rpcap::ServerSession session(null_policy(), backend);
  auto auth = send(session, null_auth());
  ASSERT_FALSE(auth.close);
  auto header = reply_header(auth);
  EXPECT_EQ(header.type, type(rpcap::MessageType::AuthReply));
  EXPECT_EQ(header.version, 0);
  // minvers 0, maxvers 0, padding, the byte order magic.
  EXPECT_EQ(std::vector<uint8_t>(auth.reply.begin() + 8, auth.reply.end()),
            (std::vector<uint8_t>{0, 0, 0, 0, 0xa1, 0xb2, 0xc3, 0xd4}));

  auto list = send(session, rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest));
  EXPECT_EQ(reply_header(list).type, type(rpcap::MessageType::FindAllInterfacesReply));
  EXPECT_EQ(reply_header(list).value, 1);

  auto bad_open = send(session, {0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"file:///x.pcap"}});
  EXPECT_EQ(reply_header(bad_open).type, type(rpcap::MessageType::Error));
  EXPECT_EQ(reply_header(bad_open).value, static_cast<uint16_t>(rpcap::ErrorCode::Open));
  EXPECT_TRUE(backend.opened.empty());

  auto early = send(session, {0, rpcap::MessageType::StartCaptureRequest, 0, rpcap::StartCaptureRequestPayload{}});
  EXPECT_EQ(reply_header(early).value, static_cast<uint16_t>(rpcap::ErrorCode::StartCapture));

  auto open = send(session, {0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
  EXPECT_EQ(reply_header(open).type, type(rpcap::MessageType::OpenReply));

  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 0;
  start.flags = rpcap::kStartPromiscuous;
  start.filter.program = {cbpf::stmt(cbpf::RET | cbpf::K, 96)};
  auto started = send(session, {0, rpcap::MessageType::StartCaptureRequest, 0, start});
  ASSERT_EQ(reply_header(started).type, type(rpcap::MessageType::StartCaptureReply));
  ASSERT_TRUE(backend.started);
  EXPECT_EQ(backend.started->snaplen, rpcap::kMaxSnaplen);
  EXPECT_TRUE(backend.started->promiscuous);
  EXPECT_EQ(backend.started->device, "lo");

  rpcap::FilterPayload invalid;
  invalid.program = {cbpf::jump(cbpf::JMP | cbpf::JEQ | cbpf::K, 0, 9, 9)};
  auto refused = send(session, {0, rpcap::MessageType::UpdateFilterRequest, 0, invalid});
  EXPECT_EQ(reply_header(refused).value, static_cast<uint16_t>(rpcap::ErrorCode::UpdateFilter));
  EXPECT_TRUE(backend.filter_updates.empty());
  EXPECT_FALSE(refused.close);

  auto stats = send(session, rpcap::empty_message(0, rpcap::MessageType::StatsRequest));
  EXPECT_EQ(reply_header(stats).type, type(rpcap::MessageType::StatsReply));
  auto end = send(session, rpcap::empty_message(0, rpcap::MessageType::EndCaptureRequest));
  EXPECT_EQ(reply_header(end).type, type(rpcap::MessageType::EndCaptureReply));
  EXPECT_FALSE(backend.running);
  auto close = send(session, rpcap::empty_message(0, rpcap::MessageType::Close));
  EXPECT_TRUE(close.close);
  EXPECT_TRUE(close.reply.empty());
}

TEST(DaemonSession, RefusesBeforeReadingPayloads) {
  FakeBackend backend;
  rpcap::ServerSession session(null_policy(), backend);
  rpcap::Header huge{0, type(rpcap::MessageType::OpenRequest), 0, 0xffffffffu};
  auto refused = session.check(huge);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->close);
  rpcap::Header unknown{0, 0x42, 0, 0};
  ASSERT_TRUE(session.check(unknown));
  rpcap::Header server_only{0, type(rpcap::MessageType::Packet), 0, 0};
  ASSERT_TRUE(session.check(server_only));
  rpcap::Header filter_too_long{0, type(rpcap::MessageType::UpdateFilterRequest), 0, 8 + 8 * 4097};
  ASSERT_TRUE(session.check(filter_too_long));
  rpcap::Header ok{0, type(rpcap::MessageType::AuthRequest), 0, 8};
  EXPECT_FALSE(session.check(ok));
}

TEST(DaemonSession, NullAuthenticationNeedsPermission) {
  FakeBackend backend;
  rpcap::SessionPolicy policy;
  policy.auth_failure_delay = std::chrono::milliseconds(0);
  rpcap::ServerSession session(policy, backend);
  auto refused = send(session, null_auth());
  EXPECT_EQ(reply_header(refused).value, static_cast<uint16_t>(rpcap::ErrorCode::AuthFailed));
  EXPECT_FALSE(session.authenticated());
  auto early = send(session, rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest));
  EXPECT_EQ(reply_header(early).value, static_cast<uint16_t>(rpcap::ErrorCode::WrongMessage));
  EXPECT_TRUE(early.close);
}

TEST(DaemonSession, WrongVersionAfterNegotiationIsRefused) {
  FakeBackend backend;
  rpcap::ServerSession session(null_policy(), backend);
  send(session, null_auth());
  auto wrong = send(session, rpcap::empty_message(3, rpcap::MessageType::FindAllInterfacesRequest));
  EXPECT_EQ(reply_header(wrong).value, static_cast<uint16_t>(rpcap::ErrorCode::WrongVersion));
}

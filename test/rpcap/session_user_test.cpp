// bpfc-rpcapd sessions after a system-account login: the session's process
// runs as the account (uid, gid and groups), with no capabilities, or with
// CAP_NET_RAW alone for members of --capture-group; root stays root; the
// daemon itself keeps its privileges and goes on serving.
//
// The accounts exist only in the daemon's private mount namespace: copies
// of /etc/passwd, /etc/shadow and /etc/group with the test's entries (and a
// known password for root) are bind-mounted over the originals there, so
// the host's accounts are never touched.
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "../support/process.h"
#include "daemon_harness.h"

namespace rpcap = bpfc::capture::rpcap;
using bpfc::rpcaptest::Background;
using bpfc::rpcaptest::RawClient;
using bpfc::rpcaptest::RawMessage;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "session-Test-7";
// bpfcsess1: not in the capture group, with a supplementary group;
// bpfcsess2: in the capture group.
constexpr uid_t kUser1 = 64201, kUser2 = 64202;
constexpr gid_t kExtraGroup = 64211;
constexpr uint64_t kCapNetRaw = 1ull << 13;

uint8_t type(rpcap::MessageType t) { return static_cast<uint8_t>(t); }

// A /proc/PID/status line's value ("Uid", "CapEff", ...), tabs as spaces,
// without the spaces around it.
std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::string value = line.substr(key.size() + 1);
    for (char& c : value) c = c == '\t' ? ' ' : c;
    const size_t start = value.find_first_not_of(' ');
    if (start == std::string::npos) return "";
    return value.substr(start, value.find_last_not_of(' ') - start + 1);
  }
  return "";
}

uint64_t capabilities(pid_t pid, const std::string& set) { return std::stoull(status_field(pid, set), nullptr, 16); }

std::string ids(unsigned id) {
  const std::string one = std::to_string(id);
  return one + " " + one + " " + one + " " + one;
}

// A copy of `path` with the lines of `replaced` users dropped and `lines`
// added.
std::string edited(const std::string& path, const std::vector<std::string>& replaced,
                   const std::vector<std::string>& lines) {
  std::ifstream in(path);
  std::string out, line;
  while (std::getline(in, line)) {
    bool drop = false;
    for (const auto& name : replaced) drop = drop || line.rfind(name + ":", 0) == 0;
    if (!drop) out += line + "\n";
  }
  for (const auto& added : lines) out += added + "\n";
  return out;
}

class SessionUser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (the daemon changes users)";
    if (!bpfc::testsupport::program_available("unshare")) GTEST_SKIP() << "needs unshare(1) (util-linux)";
    static const std::optional<std::string> isolated = bpfc::rpcaptest::enter_private_loopback();
    if (isolated) GTEST_SKIP() << *isolated;
    hash_ = bpfc::rpcaptest::crypt_hash(kPassword);
    ASSERT_FALSE(hash_.empty());
    std::ofstream(dir_.file("passwd")) << edited(
        "/etc/passwd", {"bpfcsess1", "bpfcsess2", "bpfclocked"},
        {"bpfcsess1:x:64201:64201:bpfc test:/nonexistent:/usr/sbin/nologin",
         "bpfcsess2:x:64202:64202:bpfc test:/nonexistent:/usr/sbin/nologin",
         "bpfclocked:x:64203:64203:bpfc test:/nonexistent:/usr/sbin/nologin"});
    std::ofstream(dir_.file("shadow")) << edited("/etc/shadow", {"root", "bpfcsess1", "bpfcsess2", "bpfclocked"},
                                                 {"root:" + hash_ + ":19000:0:99999:7:::",
                                                  "bpfcsess1:" + hash_ + ":19000:0:99999:7:::",
                                                  "bpfcsess2:" + hash_ + ":19000:0:99999:7:::",
                                                  "bpfclocked:*:19000:0:99999:7:::"});
    std::ofstream(dir_.file("group")) << edited(
        "/etc/group", {"bpfcsess1", "bpfcsess2", "bpfccapture", "bpfcextra"},
        {"bpfcsess1:x:64201:", "bpfcsess2:x:64202:", "bpfccapture:x:64210:bpfcsess2", "bpfcextra:x:64211:bpfcsess1"});
  }

  // bpfc-rpcapd with the test's accounts; false when it does not listen.
  bool start_daemon(const std::vector<std::string>& flags) {
    port_ = bpfc::rpcaptest::free_port();
    std::vector<std::string> argv = {
        "unshare", "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$1\" /etc/passwd && mount --bind \"$2\" /etc/shadow && mount --bind \"$3\" /etc/group && "
        "shift 3 && exec \"$@\"",
        "sh", dir_.file("passwd"), dir_.file("shadow"), dir_.file("group"), BPFC_RPCAPD_BINARY, "-b", "127.0.0.1",
        "-4", "-D", "--auth-failure-delay-ms", "0", "-p", std::to_string(port_)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    daemon_ = std::make_unique<Background>(argv);
    return bpfc::rpcaptest::listening_socket(port_, 10s);
  }

  // The daemon's answer to a password login.
  static std::optional<RawMessage> login(RawClient& client, const std::string& user,
                                         const std::string& password = kPassword) {
    const uint16_t password_auth = static_cast<uint16_t>(rpcap::AuthType::Password);
    client.send({0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{password_auth, user, password}});
    return client.receive();
  }
  // Whether `user` logs in with the test's password (an AUTH reply).
  static bool logs_in(RawClient& client, const std::string& user) {
    auto reply = login(client, user);
    return reply && reply->header.type == type(rpcap::MessageType::AuthReply);
  }

  // The daemon's session processes (its children).
  std::vector<pid_t> sessions() const { return bpfc::rpcaptest::child_pids(bpfc::rpcaptest::daemon_pid(port_)); }
  // A session process that is not one of `before`, or -1.
  pid_t new_session(const std::vector<pid_t>& before) const {
    for (pid_t pid : sessions()) {
      if (std::find(before.begin(), before.end(), pid) == before.end()) return pid;
    }
    return -1;
  }

  bpfc::rpcaptest::ScratchDir dir_;
  std::string hash_;
  uint16_t port_ = 0;
  std::unique_ptr<Background> daemon_;
};

}  // namespace

TEST_F(SessionUser, ASystemLoginRunsTheSessionAsTheUserWithoutCapabilities) {
  ASSERT_TRUE(start_daemon({})) << daemon_->err();
  RawClient client(port_);
  ASSERT_TRUE(logs_in(client, "bpfcsess1")) << daemon_->err();
  const auto running = sessions();
  ASSERT_EQ(running.size(), 1u);
  const pid_t session = running[0];
  EXPECT_EQ(status_field(session, "Uid"), ids(kUser1));
  EXPECT_EQ(status_field(session, "Gid"), ids(kUser1));
  EXPECT_EQ(status_field(session, "Groups"), std::to_string(kUser1) + " " + std::to_string(kExtraGroup));
  EXPECT_EQ(capabilities(session, "CapEff"), 0u);
  EXPECT_EQ(capabilities(session, "CapPrm"), 0u);
  EXPECT_EQ(status_field(session, "NoNewPrivs"), "1");
  // The daemon keeps its own.
  const pid_t daemon = bpfc::rpcaptest::daemon_pid(port_);
  EXPECT_EQ(status_field(daemon, "Uid"), ids(0));
  EXPECT_NE(capabilities(daemon, "CapEff"), 0u);

  // Like libpcap's rpcapd after its setuid(): the user may list and open,
  // but not capture.
  client.send(rpcap::empty_message(0, rpcap::MessageType::FindAllInterfacesRequest));
  auto reply = client.receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.type, type(rpcap::MessageType::FindAllInterfacesReply));
  client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
  reply = client.receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.type, type(rpcap::MessageType::OpenReply));
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 128;
  client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start});
  reply = client.receive();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->header.type, type(rpcap::MessageType::Error));
  auto decoded = rpcap::decode_message(reply->header, reply->payload);
  ASSERT_TRUE(decoded.ok());
  const std::string refusal = std::get<rpcap::ErrorPayload>(decoded->payload).text;
  EXPECT_NE(refusal.find("lo: permission denied: this session's user may not capture"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("--capture-group"), std::string::npos) << refusal;

  // Root logging in stays root, in a session of its own.
  RawClient admin(port_);
  ASSERT_TRUE(logs_in(admin, "root")) << daemon_->err();
  const pid_t root_session = new_session(running);
  ASSERT_GT(root_session, 0);
  EXPECT_EQ(status_field(root_session, "Uid"), ids(0));
  EXPECT_EQ(capabilities(root_session, "CapEff"), capabilities(daemon, "CapEff"));
  // The first session is unchanged by the second.
  EXPECT_EQ(status_field(session, "Uid"), ids(kUser1));
}

TEST_F(SessionUser, CaptureGroupMembersKeepCapNetRawAloneAndCapture) {
  ASSERT_TRUE(start_daemon({"--capture-group", "bpfccapture"})) << daemon_->err();
  RawClient outsider(port_);
  ASSERT_TRUE(logs_in(outsider, "bpfcsess1")) << daemon_->err();
  const auto first = sessions();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(capabilities(first[0], "CapEff"), 0u);

  RawClient member(port_);
  ASSERT_TRUE(logs_in(member, "bpfcsess2")) << daemon_->err();
  const pid_t session = new_session(first);
  ASSERT_GT(session, 0);
  EXPECT_EQ(status_field(session, "Uid"), ids(kUser2));
  EXPECT_EQ(status_field(session, "Gid"), ids(kUser2));
  EXPECT_EQ(capabilities(session, "CapEff"), kCapNetRaw);
  EXPECT_EQ(capabilities(session, "CapPrm"), kCapNetRaw);
  EXPECT_EQ(capabilities(session, "CapInh"), 0u);
  EXPECT_EQ(status_field(session, "NoNewPrivs"), "1");
  member.close();
  outsider.close();

  // And the member captures, through bpfc's client.
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  bpfc::rpcaptest::UdpSink sink(target);
  Background capture({BPFC_BINARY, "rpcap", "capture", "rpcap://127.0.0.1:" + std::to_string(port_) + "/lo", "--auth",
                      "bpfcsess2", "-c", "3", "--timeout", "20", "udp and dst port " + std::to_string(target)},
                     {std::string("BPFC_RPCAP_PASSWORD=") + kPassword});
  ASSERT_TRUE(capture.wait_for_stderr("listening on", 10s)) << capture.err() << daemon_->err();
  bpfc::rpcaptest::send_udp(target, bpfc::rpcaptest::payloads("member", 3));
  EXPECT_EQ(capture.wait(30s), 0) << capture.err();
  EXPECT_NE(capture.err().find("3 packets captured"), std::string::npos) << capture.err();
}

// libpcap's client logging in with a system account: a member of the
// capture group captures, anyone else is told why not.
TEST_F(SessionUser, LibpcapsClientLogsInWithASystemAccount) {
  std::string why;
  const auto bin = bpfc::rpcaptest::oracle_bin_dir(why);
  if (!bin) GTEST_SKIP() << why;
  ASSERT_TRUE(start_daemon({"--capture-group", "bpfccapture"})) << daemon_->err();
  const std::string url = "rpcap://127.0.0.1:" + std::to_string(port_) + "/lo";
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  bpfc::rpcaptest::UdpSink sink(target);
  Background member({*bin + "/rpcapref", "capture", url, "--auth", std::string("bpfcsess2:") + kPassword, "-c", "3",
                     "-t", "20", "-f", "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(daemon_->wait_for_stderr("STARTCAP_REQ", 10s)) << daemon_->err() << member.err();
  bpfc::rpcaptest::send_udp(target, bpfc::rpcaptest::payloads("libpcap-member", 3));
  EXPECT_EQ(member.wait(30s), 0) << member.err() << daemon_->err();
  EXPECT_NE(member.out().find("captured 3"), std::string::npos) << member.out();

  auto outsider = bpfc::testsupport::run_process(
      {*bin + "/rpcapref", "capture", url, "--auth", std::string("bpfcsess1:") + kPassword, "-c", "1", "-t", "5"});
  EXPECT_EQ(outsider.exit_code, 1) << outsider.out;
  EXPECT_NE(outsider.err.find("this session's user may not capture"), std::string::npos) << outsider.err;
}

// CVE-2019-15162 with system accounts: an unknown user, a wrong password
// and a locked account get the same bytes, and no session changes user.
TEST_F(SessionUser, FailedSystemLoginsGetIdenticalReplies) {
  ASSERT_TRUE(start_daemon({})) << daemon_->err();
  auto reply_to = [&](const std::string& user, const std::string& password) {
    RawClient client(port_);
    auto reply = login(client, user, password);
    return reply ? reply->bytes : std::vector<uint8_t>{};
  };
  const auto unknown = reply_to("no-such-user-bpfc", kPassword);
  const auto wrong = reply_to("bpfcsess1", "not-the-password");
  const auto locked = reply_to("bpfclocked", kPassword);  // an account without a password ("*")
  ASSERT_FALSE(unknown.empty());
  EXPECT_EQ(unknown, wrong);
  EXPECT_EQ(unknown, locked);
  EXPECT_EQ(unknown[1], type(rpcap::MessageType::Error));
  for (pid_t session : sessions()) EXPECT_EQ(status_field(session, "Uid"), ids(0));
}

TEST_F(SessionUser, PasswordFileLoginsKeepTheDaemonsPrivileges) {
  std::ofstream(dir_.file("logins")) << "appliance:" << hash_ << "\n";
  ASSERT_TRUE(start_daemon({"--passwd-file", dir_.file("logins")})) << daemon_->err();
  RawClient client(port_);
  ASSERT_TRUE(logs_in(client, "appliance")) << daemon_->err();
  const auto running = sessions();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(status_field(running[0], "Uid"), ids(0));
}

TEST_F(SessionUser, CaptureGroupMistakesAreRefusedAtStart) {
  auto missing = bpfc::testsupport::run_process({BPFC_RPCAPD_BINARY, "-p", "1", "--capture-group", "no-such-group-bpfc"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("--capture-group: there is no group 'no-such-group-bpfc'"), std::string::npos)
      << missing.err;
  std::ofstream(dir_.file("logins")) << "appliance:" << hash_ << "\n";
  auto with_file = bpfc::testsupport::run_process(
      {BPFC_RPCAPD_BINARY, "-p", "1", "--capture-group", "root", "--passwd-file", dir_.file("logins")});
  EXPECT_EQ(with_file.exit_code, 1);
  EXPECT_NE(with_file.err.find("--capture-group applies to system accounts"), std::string::npos) << with_file.err;
}

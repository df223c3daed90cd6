// bpfc's rpcap client against libpcap's rpcapd, in a private network
// namespace on 127.0.0.1: the interfaces it lists are libpcap's client's,
// the packets it receives (TCP and UDP data channels) are the ones tcpdump
// captures locally on the same traffic, a filter update takes effect
// mid-capture, the statistics count what was sent, and the daemon's
// refusals (authentication, device) reach the user.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <thread>
#include <set>
#include <fstream>
#include <sstream>

#include "../support/process.h"
#include "bpfc/capture/rpcap/client.h"
#include "bpfc/driver/compile.h"
#include "rpcap_harness.h"

namespace rpcap = bpfc::capture::rpcap;
using bpfc::rpcaptest::Background;
using bpfc::rpcaptest::payloads;
using bpfc::rpcaptest::UdpSink;
using namespace std::chrono_literals;

namespace {

struct InteropState {
  std::optional<std::string> bin;
  std::string why;
};

InteropState& state() {
  static InteropState s;
  return s;
}

// Builds the oracle (before leaving the host's network: its build script may
// need the package manager), then moves into a private namespace.
class InteropEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    state().bin = bpfc::rpcaptest::oracle_bin_dir(state().why);
    if (!state().bin) return;
    if (auto problem = bpfc::rpcaptest::enter_private_loopback()) {
      state().bin.reset();
      state().why = *problem;
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new InteropEnvironment);

class RpcapInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!state().bin) GTEST_SKIP() << state().why;
  }

  std::string tool(const std::string& name) const { return *state().bin + "/" + name; }

  // libpcap's rpcapd on 127.0.0.1 with `flags`; the port is port_.
  void start_daemon(std::vector<std::string> flags = {"-n"}) {
    port_ = bpfc::rpcaptest::free_port();
    std::vector<std::string> argv = {tool("rpcapd")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const char* flag : {"-b", "127.0.0.1", "-4", "-p"}) argv.push_back(flag);
    argv.push_back(std::to_string(port_));
    daemon_ = std::make_unique<Background>(argv);
    ASSERT_TRUE(daemon_->started());
    ASSERT_TRUE(bpfc::rpcaptest::wait_listening(port_, 10s)) << daemon_->err();
  }
  void TearDown() override {
    if (daemon_) daemon_->terminate();
  }

  std::string url(const std::string& device = "lo") const {
    return "rpcap://127.0.0.1:" + std::to_string(port_) + "/" + device;
  }
  rpcap::RemoteAddress address(const std::string& device = "lo") const {
    return {"127.0.0.1", port_, device, false};
  }

  // bpfc rpcap capture and tcpdump side by side on the same traffic.
  void expect_same_packets_as_tcpdump(const std::vector<std::string>& extra) {
    start_daemon();
    uint16_t target = bpfc::rpcaptest::free_port(true);
    UdpSink sink(target);
    std::string filter = "udp and dst port " + std::to_string(target);
    const int count = 12;
    bpfc::rpcaptest::ScratchDir dir;
    std::string ours = dir.file("bpfc.pcap");
    std::string theirs = dir.file("tcpdump.pcap");
    Background tcpdump({"tcpdump", "-i", "lo", "-U", "-c", std::to_string(count), "-w", theirs, filter});
    std::vector<std::string> argv = {BPFC_BINARY, "rpcap", "capture", url(), "-c", std::to_string(count),
                                     "--timeout", "20", "-w", ours};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(filter);
    Background bpfc(argv);
    ASSERT_TRUE(tcpdump.wait_for_stderr("listening on", 10s)) << tcpdump.err();
    ASSERT_TRUE(bpfc.wait_for_stderr("listening on", 10s)) << bpfc.err();
    bpfc::rpcaptest::send_udp(target, payloads("p", count));
    auto bpfc_status = bpfc.wait(30s);
    auto tcpdump_status = tcpdump.wait(30s);
    ASSERT_EQ(bpfc_status, 0) << bpfc.err();
    ASSERT_EQ(tcpdump_status, 0) << tcpdump.err();
    EXPECT_NE(bpfc.err().find("12 packets captured"), std::string::npos) << bpfc.err();

    auto expected = bpfc::rpcaptest::read_savefile(theirs);
    auto got = bpfc::rpcaptest::read_savefile(ours);
    ASSERT_EQ(got.error, "");
    ASSERT_EQ(expected.packets.size(), static_cast<size_t>(count));
    EXPECT_EQ(got.linktype, expected.linktype);
    ASSERT_EQ(got.packets.size(), expected.packets.size());
    for (size_t i = 0; i < got.packets.size(); ++i) {
      EXPECT_EQ(got.packets[i].data, expected.packets[i].data) << "packet " << i;
      EXPECT_EQ(got.packets[i].wirelen, expected.packets[i].wirelen) << "packet " << i;
      int64_t skew = (got.packets[i].seconds - expected.packets[i].seconds) * 1000000 +
                     (got.packets[i].microseconds - expected.packets[i].microseconds);
      EXPECT_LT(std::abs(skew), 1000000) << "packet " << i;
    }
  }

  uint16_t port_ = 0;
  std::unique_ptr<Background> daemon_;
};

std::set<std::string> lines_first_field(const std::string& text, const std::string& strip_prefix) {
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string name = line.substr(0, line.find('\t'));
    if (name.rfind(strip_prefix, 0) == 0) name = name.substr(strip_prefix.size());
    names.insert(name);
  }
  return names;
}

// The destination UDP port of an Ethernet/IPv4/UDP packet.
uint16_t udp_destination(const bpfc::capture::Packet& packet) {
  const uint8_t* ip = packet.data + 14;
  size_t header = (ip[0] & 0x0f) * 4u;
  return static_cast<uint16_t>(ip[header + 2] << 8 | ip[header + 3]);
}

bpfc::cbpf::Program compiled(const std::string& expression) {
  bpfc::CompileOptions options;  // EN10MB: what lo is
  auto program = bpfc::compile_cbpf(expression, options);
  EXPECT_TRUE(program.ok());
  return program.ok() ? *program : bpfc::cbpf::Program{};
}

// Packets until `want` have come or the source goes idle.
std::vector<uint16_t> receive_ports(rpcap::RemoteCapture& source, size_t want) {
  std::vector<uint16_t> ports;
  bpfc::capture::Batch batch;
  while (ports.size() < want) {
    bool more = source.next(batch);
    for (const auto& packet : batch.packets) ports.push_back(udp_destination(packet));
    if (!more) break;
  }
  return ports;
}

// The local ports of unconnected UDP sockets bound to 127.0.0.1 in this
// network namespace (/proc/net/udp: "sl local rem st ...", hex addresses).
std::set<uint16_t> unconnected_udp_ports() {
  std::set<uint16_t> ports;
  std::ifstream in("/proc/net/udp");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote;
    fields >> slot >> local >> remote;
    if (local.rfind("0100007F:", 0) == 0 && remote == "00000000:0000") {
      ports.insert(static_cast<uint16_t>(std::stoul(local.substr(9), nullptr, 16)));
    }
  }
  return ports;
}

}  // namespace

TEST_F(RpcapInterop, ListsTheInterfacesLibpcapsClientLists) {
  start_daemon();
  auto ours = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "list", url("")});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  auto theirs = bpfc::testsupport::run_process({tool("rpcapref"), "list", url("")});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  std::set<std::string> our_names = lines_first_field(ours.out, "");
  EXPECT_EQ(our_names, lines_first_field(theirs.out, url("")));
  EXPECT_TRUE(our_names.count("lo")) << ours.out;
}

TEST_F(RpcapInterop, ListsOverIpv6) {
  port_ = bpfc::rpcaptest::free_port();
  daemon_ = std::make_unique<Background>(
      std::vector<std::string>{tool("rpcapd"), "-n", "-b", "::1", "-p", std::to_string(port_)});
  std::string source = "rpcap://[::1]:" + std::to_string(port_) + "/";
  // Poll with the client itself: the daemon listens on ::1 only.
  bpfc::testsupport::ProcessResult ours;
  for (int attempt = 0; attempt < 100; ++attempt) {
    ours = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "list", source});
    if (ours.exit_code == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(ours.exit_code, 0) << ours.err << daemon_->err();
  auto theirs = bpfc::testsupport::run_process({tool("rpcapref"), "list", source});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  EXPECT_EQ(lines_first_field(ours.out, ""), lines_first_field(theirs.out, source));
  EXPECT_TRUE(lines_first_field(ours.out, "").count("lo")) << ours.out;
}

TEST_F(RpcapInterop, TcpDataChannelDeliversWhatTcpdumpCaptures) { expect_same_packets_as_tcpdump({}); }

TEST_F(RpcapInterop, UdpDataChannelDeliversWhatTcpdumpCaptures) { expect_same_packets_as_tcpdump({"--udp"}); }

TEST_F(RpcapInterop, InterruptEndsTheCaptureWithACompleteFile) {
  start_daemon();
  uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background bpfc({BPFC_BINARY, "rpcap", "capture", url(), "-w", dir.file("out.pcap"),
                   "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(bpfc.wait_for_stderr("listening on", 10s)) << bpfc.err();
  bpfc::rpcaptest::send_udp(target, payloads("i", 5));
  std::this_thread::sleep_for(1s);
  bpfc.send_signal(SIGINT);
  EXPECT_EQ(bpfc.wait(10s), 0) << bpfc.err();
  EXPECT_NE(bpfc.err().find("5 packets captured"), std::string::npos) << bpfc.err();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("out.pcap"));
  EXPECT_EQ(file.error, "");
  EXPECT_EQ(file.packets.size(), 5u);
}

TEST_F(RpcapInterop, FilterUpdateTakesEffectMidCapture) {
  start_daemon();
  uint16_t first = bpfc::rpcaptest::free_port(true);
  uint16_t second = bpfc::rpcaptest::free_port(true);
  UdpSink sink_first(first), sink_second(second);
  rpcap::CaptureOptions options;
  options.idle_timeout = 1500ms;
  auto source = rpcap::RemoteCapture::start(address(), options, [&](const rpcap::RemoteFilterTarget& target) {
    EXPECT_FALSE(target.linux_socket_filter);  // libpcap's daemon says nothing of it
    bpfc::CompileOptions compile;
    compile.linktype = target.dlt;
    compile.snaplen = target.snaplen;
    return bpfc::compile_cbpf("udp and dst port " + std::to_string(first), compile);
  });
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ((*source)->dlt(), 1u);
  bpfc::rpcaptest::send_udp(first, payloads("a", 3));
  bpfc::rpcaptest::send_udp(second, payloads("b", 3));
  EXPECT_EQ(receive_ports(**source, 3), std::vector<uint16_t>(3, first));

  ASSERT_EQ((*source)->update_filter(compiled("udp and dst port " + std::to_string(second))), std::nullopt);
  bpfc::rpcaptest::send_udp(first, payloads("a", 4));
  bpfc::rpcaptest::send_udp(second, payloads("b", 4));
  // Everything until the source goes idle: only the second port's four.
  EXPECT_EQ(receive_ports(**source, 100), std::vector<uint16_t>(4, second));
  EXPECT_EQ((*source)->error(), std::nullopt);
  EXPECT_EQ((*source)->close(), std::nullopt);
}

TEST_F(RpcapInterop, UdpDataChannelDropsDatagramsFromOtherHosts) {
  start_daemon();
  uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  std::set<uint16_t> before = unconnected_udp_ports();
  rpcap::CaptureOptions options;
  options.udp = true;
  options.idle_timeout = 1500ms;
  std::string filter = "udp and dst port " + std::to_string(target);
  auto source = rpcap::RemoteCapture::start(address(), options, [&](const rpcap::RemoteFilterTarget&) { return bpfc::Result(compiled(filter)); });
  ASSERT_TRUE(source.ok()) << source.error().message;
  std::set<uint16_t> after = unconnected_udp_ports();
  std::vector<uint16_t> data_ports;
  for (uint16_t port : after) {
    if (!before.count(port)) data_ports.push_back(port);
  }
  ASSERT_EQ(data_ports.size(), 1u) << "cannot tell the client's data port";
  // A well-formed PACKET message (an Ethernet/IPv4/UDP frame to port 9999)
  // from 127.0.0.2, which is not the daemon's address.
  std::vector<uint8_t> frame(14 + 20 + 8, 0);
  frame[12] = 0x08;
  frame[14] = 0x45;
  frame[14 + 9] = 17;
  frame[14 + 20 + 2] = 0x27;
  frame[14 + 20 + 3] = 0x0f;
  rpcap::PacketPayload forged{1, 0, static_cast<uint32_t>(frame.size()), static_cast<uint32_t>(frame.size()), 1, frame};
  auto bytes = rpcap::encode_message({0, rpcap::MessageType::Packet, 0, forged});
  ASSERT_TRUE(bytes.ok());
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(0x7f000002);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(data_ports[0]);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::sendto(fd, bytes->data(), bytes->size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(bytes->size()));
  ::close(fd);
  bpfc::rpcaptest::send_udp(target, payloads("real", 3));
  EXPECT_EQ(receive_ports(**source, 100), std::vector<uint16_t>(3, target));
  auto stats = (*source)->stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->foreign_datagrams, 1u);
}

TEST_F(RpcapInterop, StatsCountWhatTheDaemonSentAndSamplingIsAccepted) {
  start_daemon();
  uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  rpcap::CaptureOptions options;
  options.idle_timeout = 1500ms;
  std::string filter = "udp and dst port " + std::to_string(target);
  auto source = rpcap::RemoteCapture::start(address(), options, [&](const rpcap::RemoteFilterTarget&) { return bpfc::Result(compiled(filter)); });
  ASSERT_TRUE(source.ok()) << source.error().message;
  // The daemon takes SETSAMPLING (libpcap's applies it on Windows only):
  // one packet in every one, i.e. all of them.
  EXPECT_EQ((*source)->set_sampling(rpcap::SamplingMethod::OneEveryN, 1), std::nullopt);
  bpfc::rpcaptest::send_udp(target, payloads("s", 7));
  EXPECT_EQ(receive_ports(**source, 100).size(), 7u);
  auto stats = (*source)->stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->daemon.server_captured, 7u);
  EXPECT_GE(stats->daemon.interface_received, 7u);
  EXPECT_EQ(stats->daemon.kernel_dropped, 0u);
  EXPECT_EQ(stats->packets_received, 7u);
  EXPECT_EQ(stats->packets_lost, 0u);
}

TEST_F(RpcapInterop, NullAuthenticationRefusedWithoutDashN) {
  start_daemon({});
  auto ours = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "list", url("")});
  EXPECT_EQ(ours.exit_code, 1);
  EXPECT_NE(ours.err.find("NULL authentication not permitted"), std::string::npos) << ours.err;
}

// libpcap's daemon says nothing of how it runs filters: they are compiled
// as libpcap's client compiles them, where the kernel's packet metadata
// cannot be read (what bpfc-rpcapd's capability exchange adds).
TEST_F(RpcapInterop, LinuxExtensionFiltersAreRefusedForLibpcapsDaemon) {
  start_daemon({"-n"});
  auto ours = bpfc::testsupport::run_process(
      {BPFC_BINARY, "rpcap", "capture", url(), "-c", "1", "--timeout", "5", "udp and ifindex 1"});
  EXPECT_EQ(ours.exit_code, 1) << ours.err;
  EXPECT_NE(ours.err.find("'ifindex' not supported"), std::string::npos) << ours.err;
}

TEST_F(RpcapInterop, WrongPasswordIsRefused) {
  start_daemon({});
  Background bpfc({BPFC_BINARY, "rpcap", "list", url(""), "--auth", "no-such-user-bpfc"},
                  {"BPFC_RPCAP_PASSWORD=wrong"});
  auto status = bpfc.wait(20s);
  EXPECT_EQ(status, 1) << bpfc.err();
  EXPECT_NE(bpfc.err().find("authentication failed"), std::string::npos) << bpfc.err();
}

// libpcap's rpcapd checks a system account (getpwnam, then /etc/shadow with
// crypt) and setuid()s the session to it. The account exists only in the
// daemon's private mount namespace: copies of /etc/passwd and /etc/shadow
// with one more entry are bind-mounted over the originals there, so the
// host's accounts are never touched.
TEST_F(RpcapInterop, PasswordAuthenticationCaptures) {
  if (!bpfc::testsupport::program_available("unshare") || !bpfc::testsupport::program_available("setpriv")) {
    GTEST_SKIP() << "needs unshare(1) and setpriv(1) (util-linux)";
  }
  const std::string user = "bpfcrpcapauth";
  const std::string hash = bpfc::rpcaptest::crypt_hash("rpcap-Test-1");
  ASSERT_FALSE(hash.empty());
  bpfc::rpcaptest::ScratchDir dir;
  auto with_line = [](const std::string& path, const std::string& line) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string out = text.str();
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + line + "\n";
  };
  const std::string passwd = dir.file("passwd");
  const std::string shadow = dir.file("shadow");
  std::ofstream(passwd) << with_line("/etc/passwd", user + ":x:64123:64123:bpfc test:/nonexistent:/usr/sbin/nologin");
  std::ofstream(shadow) << with_line("/etc/shadow", user + ":" + hash + ":19000:0:99999:7:::");
  port_ = bpfc::rpcaptest::free_port();
  // After login the session setuid()s to the user; no_setuid_fixup keeps its
  // capabilities so that it can still capture.
  daemon_ = std::make_unique<Background>(std::vector<std::string>{
      "unshare", "--mount", "--propagation", "private", "sh", "-c",
      "mount --bind \"$1\" /etc/passwd && mount --bind \"$2\" /etc/shadow && shift 2 && exec \"$@\"", "sh", passwd,
      shadow, "setpriv", "--securebits", "+no_setuid_fixup", tool("rpcapd"), "-b", "127.0.0.1", "-4", "-p",
      std::to_string(port_)});
  ASSERT_TRUE(bpfc::rpcaptest::wait_listening(port_, 10s)) << daemon_->err();
  uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  Background bpfc({BPFC_BINARY, "rpcap", "capture", url(), "--auth", user, "-c", "3", "--timeout", "20",
                   "udp and dst port " + std::to_string(target)},
                  {"BPFC_RPCAP_PASSWORD=rpcap-Test-1"});
  ASSERT_TRUE(bpfc.wait_for_stderr("listening on", 10s)) << bpfc.err() << daemon_->err();
  bpfc::rpcaptest::send_udp(target, payloads("auth", 3));
  EXPECT_EQ(bpfc.wait(30s), 0) << bpfc.err();
  EXPECT_NE(bpfc.err().find("3 packets captured"), std::string::npos) << bpfc.err();
  // The same account with a wrong password is refused.
  auto wrong = bpfc::testsupport::run_process({"env", "BPFC_RPCAP_PASSWORD=not-it", BPFC_BINARY, "rpcap", "list",
                                               url(""), "--auth", user});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.err;
  EXPECT_NE(wrong.err.find("authentication failed"), std::string::npos) << wrong.err;
}

TEST_F(RpcapInterop, OutputsThatFailAreReportedOnce) {
  start_daemon();
  uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  Background bpfc({BPFC_BINARY, "rpcap", "capture", url(), "-c", "2", "--timeout", "20", "-w", "/dev/full",
                   "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(bpfc.wait_for_stderr("listening on", 10s)) << bpfc.err();
  bpfc::rpcaptest::send_udp(target, payloads("full", 2));
  EXPECT_EQ(bpfc.wait(30s), 1) << bpfc.err();
  std::string err = bpfc.err();
  size_t first = err.find("/dev/full: write error: No space left on device");
  EXPECT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("/dev/full: write error", first + 1), std::string::npos) << err;
  // Standard output on a full device: the listing fails with one message.
  auto listed = bpfc::testsupport::run_process({"sh", "-c", std::string(BPFC_BINARY) + " rpcap list " + url("") + " >/dev/full"});
  EXPECT_EQ(listed.exit_code, 1) << listed.err;
  EXPECT_NE(listed.err.find("error writing to standard output: No space left on device"), std::string::npos)
      << listed.err;
}

TEST_F(RpcapInterop, TheDaemonsRefusalOfADeviceIsReported) {
  start_daemon();
  auto ours = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "capture", url("nosuchdevice0"), "-c", "1"});
  EXPECT_EQ(ours.exit_code, 1);
  EXPECT_NE(ours.err.find("the daemon refused OPEN_REQ"), std::string::npos) << ours.err;
  EXPECT_NE(ours.err.find("nosuchdevice0"), std::string::npos) << ours.err;
}

// `bpfc replay` refusals: each a clear message and exit status 1 (2 for a
// bad command line), before anything is sent.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "replay_namespace.h"

namespace bpfc::replaytest {
namespace {

using clitest::ScratchDir;

class ReplayErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    BPFC_NEED_NAMESPACE();
    input_ = scratch_.file("one.pcap");
    clitest::write_pcap(input_, DLT_EN10MB, {{0, clitest::Bytes(60, 0xab), 0}});
  }

  void expect_refusal(const std::vector<std::string>& args, const std::string& message, int status = 1) {
    std::vector<std::string> command = {"replay"};
    command.insert(command.end(), args.begin(), args.end());
    ProcessResult result = bpfc(command);
    EXPECT_EQ(result.exit_code, status) << testing::PrintToString(args) << ": " << result.err;
    EXPECT_NE(result.err.find(message), std::string::npos) << testing::PrintToString(args) << ": " << result.err;
    // Refused before the socket opens (no statistics), or with nothing sent.
    if (result.err.find(" bytes) sent on ") != std::string::npos) {
      EXPECT_NE(result.err.find("0 packets (0 bytes) sent on"), std::string::npos) << "nothing may be sent: " << result.err;
    }
  }

  ScratchDir scratch_;
  std::string input_;
};

TEST_F(ReplayErrors, NoSuchInterface) {
  expect_refusal({"-i", "nosuch0", "-r", input_}, "no such interface 'nosuch0'");
  expect_refusal({"-i", "a-name-longer-than-ifnamsiz", "-r", input_}, "no such interface");
}

TEST_F(ReplayErrors, InterfaceDownOrWithoutCarrier) {
  ASSERT_EQ(ip({"link", "add", "down0", "type", "veth", "peer", "name", "down1"}).exit_code, 0);
  expect_refusal({"-i", "down0", "-r", input_}, "interface 'down0' is down");
  // Up, but its peer is down: no carrier, nothing would arrive.
  ASSERT_EQ(ip({"link", "set", "down0", "up"}).exit_code, 0);
  expect_refusal({"-i", "down0", "-r", input_}, "no carrier");
}

TEST_F(ReplayErrors, UnreadableFile) {
  expect_refusal({"-i", kNear, "-r", scratch_.file("missing.pcap")}, "missing.pcap: No such file or directory");
  clitest::write_file(scratch_.file("text.pcap"), "not a savefile at all");
  expect_refusal({"-i", kNear, "-r", scratch_.file("text.pcap")}, "not a pcap or pcapng savefile");
}

TEST_F(ReplayErrors, LinkTypeThatIsNotTheInterfaces) {
  const std::string raw = scratch_.file("raw.pcap");
  clitest::write_pcap(raw, DLT_RAW, {{0, clitest::ipv4(17, clitest::udp(1, 2)), 0}});
  expect_refusal({"-i", kNear, "-r", raw}, "holds RAW (LINKTYPE 101) packets, but interface 'rp0' sends EN10MB");
  // pcapng: the interface block says it.
  clitest::PcapngBuilder pcapng;
  pcapng.interface(101);
  pcapng.packet(0, 0, clitest::ipv4(17, clitest::udp(1, 2)));
  clitest::write_file(scratch_.file("raw.pcapng"), pcapng.str());
  expect_refusal({"-i", kNear, "-r", scratch_.file("raw.pcapng")}, "holds RAW (LINKTYPE 101) packets");
}

TEST_F(ReplayErrors, WithoutCapNetRaw) {
  if (!testsupport::program_available("setpriv")) GTEST_SKIP() << "setpriv (util-linux) is not installed";
  ProcessResult result = run_process({"setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", bpfc_binary(),
                                      "replay", "-i", kNear, "-r", input_});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("needs CAP_NET_RAW"), std::string::npos) << result.err;
}

TEST_F(ReplayErrors, BadCommandLine) {
  expect_refusal({"-i", kNear, "-r", input_, "--timing=fast"}, "invalid timing 'fast'", 2);
  expect_refusal({"-i", kNear, "-r", input_, "--timing=0"}, "invalid timing '0'", 2);
  expect_refusal({"-i", kNear, "-r", input_, "--method=carrier-pigeon"}, "send method", 2);
  expect_refusal({"-r", input_}, "-i", 2);
}

}  // namespace
}  // namespace bpfc::replaytest

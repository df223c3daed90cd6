// The printing flags of `bpfc filter` as a command line: what they refuse
// and what they promise beyond the comparison with tcpdump.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../cli/savefile_fixtures.h"
#include "../support/process.h"
#include "capture_files.h"

namespace bpfc::dissecttest {
namespace {

testsupport::ProcessResult bpfc(std::vector<std::string> args) {
  args.insert(args.begin(), BPFC_BINARY);
  return testsupport::run_process(args);
}

std::string one_packet_capture(const clitest::ScratchDir& dir, const Bytes& frame) {
  std::string path = dir.file("one.pcap");
  write_capture(path, {Layout::PcapMicro, false}, 1, {{1700000000LL * 1000000000, frame, 0}});
  return path;
}

TEST(PrintFlags, PrintingFlagsWithWriteAreAUsageError) {
  clitest::ScratchDir dir;
  std::string input = one_packet_capture(dir, clitest::ethernet(0x0800, clitest::ipv4(17, clitest::udp(1, 2))));
  for (const char* flag : {"-e", "-v", "-x", "-xx", "-X", "-XX", "-A", "-t", "-tttt"}) {
    testsupport::ProcessResult result = bpfc({"filter", "-r", input, "-w", dir.file("out.pcap"), flag});
    EXPECT_EQ(result.exit_code, 2) << flag;
    EXPECT_NE(result.err.find("with -w nothing is printed"), std::string::npos) << flag << ": " << result.err;
  }
  // --nano applies to both.
  EXPECT_EQ(bpfc({"filter", "-r", input, "-w", dir.file("out.pcap"), "--nano"}).exit_code, 0);
  // --count prints the count only.
  for (const char* flag : {"-e", "-x", "-ttt", "--json"}) {
    testsupport::ProcessResult result = bpfc({"filter", "-r", input, "--count", flag});
    EXPECT_EQ(result.exit_code, 2) << flag;
    EXPECT_NE(result.err.find("with --count only the count is printed"), std::string::npos) << flag << ": "
                                                                                            << result.err;
  }
}

TEST(PrintFlags, MoreThanFiveTsAreAUsageError) {
  clitest::ScratchDir dir;
  std::string input = one_packet_capture(dir, clitest::ethernet(0x0800, clitest::ipv4(17, clitest::udp(1, 2))));
  testsupport::ProcessResult result = bpfc({"filter", "-r", input, "-tttttt"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("-t can be given at most 5 times"), std::string::npos) << result.err;
}

// -A prints payload as it is, trailing spaces included (tcpdump does too);
// bpfc's own lines never end in a space.
TEST(PrintFlags, AsciiKeepsPayloadSpacesButLinesDoNotEndInSpaces) {
  clitest::ScratchDir dir;
  Bytes payload = clitest::text_bytes("hello   \nworld  ");
  std::string input =
      one_packet_capture(dir, clitest::ethernet(0x0800, clitest::ipv4(17, clitest::udp(1, 2, payload))));
  testsupport::ProcessResult result = bpfc({"filter", "-r", input, "-A", "-t"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("hello   \nworld  \n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 16\n"), 0u) << result.out;
  // An unknown ethertype: tcpdump ends that line with ": ".
  std::string unknown = one_packet_capture(dir, clitest::ethernet(0x88b5, {1, 2, 3}));
  result = bpfc({"filter", "-r", unknown, "-t"});
  EXPECT_EQ(result.out, "66:77:88:99:aa:bb > 00:11:22:33:44:55, Unknown Ethertype (0x88b5), length 17:\n");
}

TEST(PrintFlags, HelpShowsThePrintingFlagsWithExamples) {
  testsupport::ProcessResult result = bpfc({"help", "filter"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* text : {"Printing (without -w)", "-e", "-v", "-x", "-X", "-A", "-t", "--json",
                                  "bpfc filter -r in.pcap -X 'tcp port 80'"}) {
    EXPECT_NE(result.out.find(text), std::string::npos) << text << "\n" << result.out;
  }
}

}  // namespace
}  // namespace bpfc::dissecttest

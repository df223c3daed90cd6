// bpfc filter --json: one valid JSON object per packet, whose fields say
// what the summary line shows, and whose summary is that line (compared with
// tcpdump -n -q -t where tcpdump is installed).
#include <stdlib.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../cli/savefile_fixtures.h"
#include "../support/process.h"
#include "capture_files.h"
#include "generated_packets.h"
#include "protocol_packets.h"

namespace bpfc::dissecttest {
namespace {

using nlohmann::json;

testsupport::ProcessResult bpfc(std::vector<std::string> args) {
  args.insert(args.begin(), BPFC_BINARY);
  return testsupport::run_process(args);
}

std::vector<json> parse_lines(const std::string& out) {
  std::vector<json> objects;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    json object = json::parse(line, nullptr, false);
    EXPECT_FALSE(object.is_discarded()) << "not JSON: " << line;
    objects.push_back(object);
  }
  return objects;
}

std::string write_frames(const clitest::ScratchDir& dir, const std::vector<Bytes>& frames, bool nanosecond = false) {
  std::string path = dir.file(nanosecond ? "frames-ns.pcap" : "frames.pcap");
  write_capture(path, {nanosecond ? Layout::PcapNano : Layout::PcapMicro, false}, 1,
                as_captured(frames, interesting_caplens()));
  return path;
}

TEST(JsonOutput, FieldsOfATaggedUdpPacket) {
  clitest::ScratchDir dir;
  Bytes frame = clitest::ethernet(0x0800, with_checksums(clitest::ipv4(17, clitest::udp(5353, 53, clitest::text_bytes("query")))), {0x2005, 7});
  std::string path = dir.file("one.pcap");
  write_capture(path, {Layout::PcapNano, true}, 1, {{1700000000LL * 1000000000 + 123456789, frame, 0}});
  testsupport::ProcessResult result = bpfc({"filter", "-r", path, "--json", "--nano"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<json> objects = parse_lines(result.out);
  ASSERT_EQ(objects.size(), 1u);
  const json& o = objects[0];
  EXPECT_EQ(o["time"], "2023-11-14T22:13:20.123456789Z");
  // (A JSON library reads the number as a double; the text has every digit.)
  EXPECT_NE(result.out.find("\"epoch\":1700000000.123456789,"), std::string::npos) << result.out;
  EXPECT_EQ(o["caplen"], frame.size());
  EXPECT_EQ(o["len"], frame.size());
  EXPECT_EQ(o["link"], "EN10MB");
  EXPECT_EQ(o["eth_src"], "66:77:88:99:aa:bb");
  EXPECT_EQ(o["eth_dst"], "00:11:22:33:44:55");
  EXPECT_EQ(o["ethertype"], 0x0800);
  EXPECT_EQ(o["vlan"], json::array({5, 7}));
  EXPECT_EQ(o["network"], "IPv4");
  EXPECT_EQ(o["src"], "10.0.0.1");
  EXPECT_EQ(o["dst"], "10.0.0.2");
  EXPECT_EQ(o["ip_proto"], 17);
  EXPECT_EQ(o["transport"], "udp");
  EXPECT_EQ(o["sport"], 5353);
  EXPECT_EQ(o["dport"], 53);
  EXPECT_EQ(o["length"], 5);
  EXPECT_EQ(o["summary"], "IP 10.0.0.1.5353 > 10.0.0.2.53: UDP, length 5");
  // Microseconds without --nano.
  result = bpfc({"filter", "-r", path, "--json"});
  objects = parse_lines(result.out);
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0]["time"], "2023-11-14T22:13:20.123456Z");
  EXPECT_NE(result.out.find("\"epoch\":1700000000.123456,"), std::string::npos) << result.out;
}

TEST(JsonOutput, FieldsOfIpv6TcpIcmpAndArp) {
  clitest::ScratchDir dir;
  std::vector<Bytes> frames = {
      clitest::ethernet(0x86dd, clitest::ipv6(6, clitest::tcp(40000, 443, 0x18, clitest::text_bytes("abc")))),
      clitest::ethernet(0x0800, clitest::ipv4(1, clitest::icmp(8, 0, Bytes(12, 0)))),
      clitest::ethernet(0x0806, clitest::arp_request(0x0a000001, 0x0a000002)),
      clitest::ethernet(0x0800, clitest::ipv4(4, clitest::ipv4(6, clitest::tcp(1, 2, 0x02), 0xc0000201, 0xc0000202))),
  };
  std::string path = dir.file("some.pcap");
  std::vector<CapturedPacket> packets;
  for (const Bytes& frame : frames) packets.push_back({1700000000LL * 1000000000, frame, 0});
  write_capture(path, {Layout::Pcapng, false}, 1, packets);
  testsupport::ProcessResult result = bpfc({"filter", "-r", path, "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<json> o = parse_lines(result.out);
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0]["network"], "IPv6");
  EXPECT_EQ(o[0]["src"], "2001:db8::1");
  EXPECT_EQ(o[0]["dst"], "2001:db8::2");
  EXPECT_EQ(o[0]["transport"], "tcp");
  EXPECT_EQ(o[0]["dport"], 443);
  EXPECT_EQ(o[0]["length"], 3);
  EXPECT_EQ(o[1]["transport"], "icmp");
  EXPECT_EQ(o[1]["length"], 16);
  EXPECT_FALSE(o[1].contains("sport"));
  EXPECT_EQ(o[2]["network"], "ARP");
  EXPECT_EQ(o[2]["src"], "10.0.0.1");
  EXPECT_EQ(o[2]["dst"], "10.0.0.2");
  EXPECT_FALSE(o[2].contains("ip_proto"));
  // A tunnel: the inner datagram's addresses and ports.
  EXPECT_EQ(o[3]["src"], "192.0.2.1");
  EXPECT_EQ(o[3]["transport"], "tcp");
  EXPECT_EQ(o[3]["sport"], 1);
}

// Every packet of the generated captures gives one JSON object, and the
// summaries, one after another, are tcpdump -n -q -t's output.
TEST(JsonOutput, SummariesAreTcpdumpLines) {
  if (!testsupport::program_available("tcpdump")) GTEST_SKIP() << "tcpdump is not installed: nothing to compare with";
  setenv("TZ", "UTC", 1);
  clitest::ScratchDir dir;
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{{}, {"-e"}, {"-v"}}) {
    // (-v: without the protocols whose -v decoding bpfc leaves out.)
    std::vector<Bytes> frames = ethernet_frames();
    for (const Bytes& frame : flags == std::vector<std::string>{"-v"} ? further_protocol_frames_for_verbose()
                                                                      : further_protocol_frames()) {
      frames.push_back(frame);
    }
    std::string path = write_frames(dir, frames);
    std::vector<std::string> ours = {"filter", "-r", path, "--json"};
    ours.insert(ours.end(), flags.begin(), flags.end());
    testsupport::ProcessResult result = bpfc(ours);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::string summaries;
    size_t packets = 0;
    for (const json& object : parse_lines(result.out)) {
      summaries += object["summary"].get<std::string>() + "\n";
      ++packets;
    }
    std::vector<std::string> theirs_args = {"tcpdump", "-n", "-q", "-t", "-r", path};
    theirs_args.insert(theirs_args.end(), flags.begin(), flags.end());
    testsupport::ProcessResult theirs = testsupport::run_process(theirs_args);
    std::string expected;
    std::istringstream in(theirs.out);
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      expected += line + "\n";
    }
    EXPECT_EQ(packets, as_captured(frames, interesting_caplens()).size());
    size_t differ = std::mismatch(summaries.begin(), summaries.end(), expected.begin(), expected.end()).first -
                    summaries.begin();
    EXPECT_TRUE(summaries == expected) << "the summaries differ from tcpdump -t's lines with " << flags.size()
                                       << " flags at: " << summaries.substr(differ > 100 ? differ - 100 : 0, 200)
                                       << "\n tcpdump: " << expected.substr(differ > 100 ? differ - 100 : 0, 200);
  }
}

TEST(JsonOutput, StringsAreEscaped) {
  // A VRRP simple password shows in quotes (-v); a ^X escape with a backslash-free byte.
  clitest::ScratchDir dir;
  Bytes vrrp = {0x21, 1, 100, 1, 1, 1, 0, 0, 10, 0, 0, 9, 'a', '"', 'b', '\\', 0x01, 0, 0, 0};
  Bytes datagram = clitest::ipv4(112, vrrp);
  datagram[8] = 255;
  std::string path = dir.file("vrrp.pcap");
  write_capture(path, {Layout::PcapMicro, false}, 1, {{0, clitest::ethernet(0x0800, datagram), 0}});
  testsupport::ProcessResult result = bpfc({"filter", "-r", path, "--json", "-v"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<json> o = parse_lines(result.out);
  ASSERT_EQ(o.size(), 1u);
  std::string summary = o[0]["summary"];
  EXPECT_NE(summary.find("auth \"a\"b\\^A\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("\n    10.0.0.1 > 10.0.0.2: VRRPv2"), std::string::npos) << summary;
}

TEST(JsonOutput, TextOnlyFlagsAreAUsageError) {
  clitest::ScratchDir dir;
  std::string path = write_frames(dir, {clitest::ethernet(0x0800, clitest::ipv4(17, clitest::udp(1, 2)))});
  for (const char* flag : {"-x", "-XX", "-A", "-t", "-tttt"}) {
    testsupport::ProcessResult result = bpfc({"filter", "-r", path, "--json", flag});
    EXPECT_EQ(result.exit_code, 2) << flag;
    EXPECT_NE(result.err.find("--json prints fields, not text"), std::string::npos) << result.err;
  }
  EXPECT_EQ(bpfc({"filter", "-r", path, "--json", "-w", dir.file("out.pcap")}).exit_code, 2);
}

}  // namespace
}  // namespace bpfc::dissecttest

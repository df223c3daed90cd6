// `bpfc filter` without -w prints one line per packet like `tcpdump -n -q`.
// The lines are compared with tcpdump's own on savefiles holding the cases
// bpfc dissects (Ethernet and VLAN tags, raw IP, Linux SLL/SLL2, NULL/LOOP;
// IPv4/IPv6, TCP, UDP, ICMP, ICMPv6, ARP, fragments, unknown protocols and
// ethertypes), whole and cut short by a capture length, and on the corpus
// savefiles wherever bpfc's line is one of those forms.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

const std::string kPcapsDir = BPFC_TEST_DIR "/corpus/pcaps";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// tcpdump's lines (with the hex dumps it prints even under -q for some
// packets it cannot decode), without the trailing spaces it leaves on some
// lines and bpfc never does.
std::vector<std::string> tcpdump_lines(const std::string& text) {
  std::vector<std::string> lines = lines_of(text);
  for (std::string& line : lines) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
  }
  return lines;
}

// Summary lines are in local time, as tcpdump's: both run in UTC here.
class SummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
    setenv("TZ", "UTC", 1);
  }
};

struct Comparison {
  size_t compared = 0;
  std::vector<std::string> differences;
};

// Runs both on `path` and compares line by line; `normalize` rewrites both
// lines first, `compare_line` says which lines bpfc promises to match.
template <typename Normalize, typename Select>
Comparison compare_with_tcpdump(const std::string& path, Normalize normalize, Select compare_line,
                                const std::vector<std::string>& extra = {}) {
  Comparison comparison;
  std::vector<std::string> bpfc_args = {"filter", "-r", path};
  std::vector<std::string> tcpdump_args = {"-n", "-q", "-r", path};
  bpfc_args.insert(bpfc_args.end(), extra.begin(), extra.end());
  tcpdump_args.insert(tcpdump_args.begin(), extra.begin(), extra.end());
  ProcessResult ours = bpfc(bpfc_args);
  ProcessResult theirs = tcpdump(tcpdump_args);
  if (ours.exit_code != 0) {
    comparison.differences.push_back("bpfc failed: " + ours.err);
    return comparison;
  }
  std::vector<std::string> our_lines = lines_of(ours.out);
  std::vector<std::string> their_lines = tcpdump_lines(theirs.out);
  if (our_lines.size() != their_lines.size()) {
    comparison.differences.push_back(path + ": bpfc printed " + std::to_string(our_lines.size()) +
                                     " lines, tcpdump " + std::to_string(their_lines.size()) + "\n" + theirs.err);
    return comparison;
  }
  for (size_t i = 0; i < our_lines.size(); ++i) {
    if (!compare_line(our_lines[i])) continue;
    ++comparison.compared;
    std::string a = normalize(our_lines[i]), b = normalize(their_lines[i]);
    if (a != b) comparison.differences.push_back(path + " packet " + std::to_string(i + 1) + ":\n  bpfc:    " + a + "\n  tcpdump: " + b);
  }
  return comparison;
}

std::string unchanged(const std::string& line) { return line; }
bool every_line(const std::string&) { return true; }

void expect_same(const Comparison& comparison, size_t minimum_compared) {
  EXPECT_GE(comparison.compared, minimum_compared);
  std::string report;
  for (size_t i = 0; i < comparison.differences.size() && i < 20; ++i) report += comparison.differences[i] + "\n";
  EXPECT_TRUE(comparison.differences.empty()) << comparison.differences.size() << " differences:\n" << report;
}

// Every packet whole, then cut to each of `caplens` shorter than itself.
std::vector<PcapPacket> with_truncations(const std::vector<Bytes>& packets, const std::vector<size_t>& caplens) {
  std::vector<PcapPacket> out;
  int64_t ts = 1700000000LL * 1000000000 + 123456000;
  for (const Bytes& packet : packets) out.push_back({ts += 1000007000, packet, 0});
  for (const Bytes& packet : packets) {
    for (size_t caplen : caplens) {
      if (caplen >= packet.size()) continue;
      out.push_back({ts += 7000, Bytes(packet.begin(), packet.begin() + static_cast<long>(caplen)),
                     static_cast<uint32_t>(packet.size())});
    }
  }
  return out;
}

const std::vector<size_t> kCaplens = {1, 4, 14, 16, 18, 20, 24, 30, 34, 38, 40, 42, 46, 50, 54, 58, 62, 70, 78, 90};

Bytes be16_bytes(uint16_t a, uint16_t b) {
  Bytes out;
  put16(out, a);
  put16(out, b);
  return out;
}

// IPv4 and IPv6 packets of every kind the summary dissects.
std::vector<Bytes> ip_packets() {
  std::vector<Bytes> p;
  Bytes inner_udp = ipv4(17, udp(5353, 53, text_bytes("abcd")));
  p.push_back(ipv4(6, tcp(1234, 80, 0x02, text_bytes("hello"))));
  p.push_back(ipv4(17, udp(1234, 53, text_bytes("0123456789abcdef"))));
  Bytes bad_udp_length = udp(1234, 9999, text_bytes("ab"));
  bad_udp_length[4] = 0, bad_udp_length[5] = 100;
  p.push_back(ipv4(17, bad_udp_length));
  Bytes short_udp_length = bad_udp_length;
  short_udp_length[5] = 4;
  p.push_back(ipv4(17, short_udp_length));
  p.push_back(ipv4(1, icmp(8, 0, concat(be16_bytes(7, 9), Bytes(20, 'p')))));
  p.push_back(ipv4(1, icmp(0, 0, concat(be16_bytes(7, 9), Bytes(20, 'p')))));
  for (uint8_t code = 0; code < 17; ++code) p.push_back(ipv4(1, icmp(3, code, concat(be16_bytes(0, 1400), inner_udp))));
  p.push_back(ipv4(1, icmp(3, 3, concat(Bytes(4, 0), ipv4(6, tcp(1, 443, 0x10))))));
  p.push_back(ipv4(1, icmp(3, 3, concat(Bytes(4, 0), ipv4(132, udp(1, 443))))));
  for (uint8_t code = 0; code < 5; ++code) p.push_back(ipv4(1, icmp(5, code, concat({10, 0, 0, 254}, inner_udp))));
  for (uint8_t code = 0; code < 3; ++code) p.push_back(ipv4(1, icmp(11, code, concat(Bytes(4, 0), inner_udp))));
  p.push_back(ipv4(1, icmp(12, 0, concat({5, 0, 0, 0}, inner_udp))));
  p.push_back(ipv4(1, icmp(12, 1, concat({5, 0, 0, 0}, inner_udp))));
  p.push_back(ipv4(1, icmp(13, 0, concat(be16_bytes(3, 4), Bytes(12, 0)))));
  p.push_back(ipv4(1, icmp(14, 0, concat(be16_bytes(3, 4), {0, 0x38, 0xce, 0xfc, 0, 0, 0, 1, 0x05, 0x26, 0x5b, 0xff}))));
  p.push_back(ipv4(1, icmp(18, 0, {0, 0, 0, 0, 255, 255, 255, 0})));
  p.push_back(ipv4(1, icmp(9, 0, {2, 2, 0x07, 0x08, 10, 0, 0, 1, 0, 0, 0, 5, 10, 0, 0, 2, 0, 0, 0, 6})));
  p.push_back(ipv4(1, icmp(9, 0, {1, 2, 0x1c, 0x20, 10, 0, 0, 1, 0, 0, 0, 5})));
  for (uint8_t type : {4, 10, 15, 16, 17, 42}) p.push_back(ipv4(1, icmp(type, 0, Bytes(4, 0))));
  p.push_back(ipv4(253, Bytes(20, 'z')));
  p.push_back(ipv4(17, Bytes(8, 0), 0x0a000001, 0x0a000002, 0x0010));  // a later fragment
  p.push_back(ipv4(6, tcp(1, 2, 0x02), 0x0a000001, 0x0a000002, 0x2000));  // first of several
  p.push_back(ipv4(4, inner_udp));
  p.push_back(ipv4(41, ipv6(17, udp(1, 2, text_bytes("xyz")))));
  p.push_back(ipv4(58, Bytes(8, 0)));
  Bytes short_tcp_header = tcp(1, 2, 0x02, text_bytes("x"));
  short_tcp_header[12] = 0x30;
  p.push_back(ipv4(6, short_tcp_header));
  Bytes long_tcp_header = tcp(1, 2, 0x02);
  long_tcp_header[12] = 0x80;
  p.push_back(ipv4(6, long_tcp_header));
  Bytes total_length_too_big = ipv4(6, tcp(1, 2, 0x02));
  total_length_too_big[2] = 0x03, total_length_too_big[3] = 0xe8;
  p.push_back(total_length_too_big);
  Bytes total_length_too_small = ipv4(6, tcp(1, 2, 0x02));
  total_length_too_small[3] = 10;
  p.push_back(total_length_too_small);
  Bytes header_length_too_small = ipv4(6, tcp(1, 2, 0x02));
  header_length_too_small[0] = 0x44;
  p.push_back(header_length_too_small);

  Bytes target = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Bytes inner6 = ipv6(17, udp(1, 5353, text_bytes("q")));
  p.push_back(ipv6(6, tcp(1234, 80, 0x18, text_bytes("data"))));
  p.push_back(ipv6(17, udp(1234, 53, text_bytes("data"))));
  p.push_back(ipv6(58, icmp(128, 0, concat(be16_bytes(1, 2), text_bytes("xx")))));
  p.push_back(ipv6(58, icmp(129, 0, concat(be16_bytes(1, 2), text_bytes("xx")))));
  p.push_back(ipv6(58, icmp(135, 0, concat(Bytes(4, 0), target))));
  p.push_back(ipv6(58, icmp(136, 0, concat(Bytes(4, 0), target))));
  p.push_back(ipv6(58, icmp(133, 0, Bytes(4, 0))));
  p.push_back(ipv6(58, icmp(134, 0, Bytes(12, 0))));
  p.push_back(ipv6(58, icmp(137, 0, concat(Bytes(4, 0), concat(target, ipv6_address(9))))));
  p.push_back(ipv6(58, icmp(2, 0, concat(be16_bytes(0, 1280), inner6))));
  for (uint8_t code = 0; code < 8; ++code) p.push_back(ipv6(58, icmp(1, code, concat(Bytes(4, 0), inner6))));
  p.push_back(ipv6(58, icmp(1, 4, concat(Bytes(4, 0), ipv6(6, tcp(1, 22, 0x02))))));
  for (uint8_t code = 0; code < 3; ++code) p.push_back(ipv6(58, icmp(3, code, concat(Bytes(4, 0), inner6))));
  for (uint8_t code = 0; code < 5; ++code) p.push_back(ipv6(58, icmp(4, code, concat({0, 0, 0, 7}, inner6))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0, 10, 0, 0}, Bytes(16, 0)))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0, 10, 0, 0}, concat(Bytes(16, 0), concat({2, 0x7d, 0, 1}, Bytes(16, 0)))))));
  p.push_back(ipv6(58, icmp(131, 0, concat({0, 10, 0, 0}, target))));
  p.push_back(ipv6(58, icmp(143, 0, concat({0, 0, 0, 2}, Bytes(40, 0)))));
  p.push_back(ipv6(58, icmp(144, 0, {0x12, 0x34, 0, 0})));
  for (uint8_t type : {141, 145, 200, 250, 100}) p.push_back(ipv6(58, icmp(type, 0, text_bytes("abcdefgh"))));
  p.push_back(ipv6(58, {}));
  p.push_back(ipv6(59, {}));
  p.push_back(ipv6(0, concat({17, 0, 1, 4, 0, 0, 0, 0}, udp(1, 2, text_bytes("hop")))));
  p.push_back(ipv6(60, concat({6, 0, 1, 4, 0, 0, 0, 0}, tcp(1, 2, 0x02, text_bytes("dst")))));
  p.push_back(ipv6(44, concat({17, 0, 0, 1, 0, 0, 0, 99}, udp(1, 2, text_bytes("frag")))));
  p.push_back(ipv6(44, concat({17, 0, 1, 0, 0, 0, 0, 99}, text_bytes("later fragment"))));
  p.push_back(ipv6(1, icmp(8, 0, Bytes(4, 0))));
  p.push_back(ipv6(4, inner_udp));
  Bytes payload_too_long = ipv6(17, udp(1, 2, text_bytes("abc")));
  payload_too_long[5] = 100;
  p.push_back(payload_too_long);
  return p;
}

TEST_F(SummaryTest, EthernetLinesMatchTcpdump) {
  ScratchDir dir;
  std::vector<Bytes> packets;
  for (const Bytes& ip : ip_packets()) packets.push_back(ethernet(ip[0] >> 4 == 6 ? 0x86dd : 0x0800, ip));
  Bytes arp = arp_request(0x0a000001, 0x0a000002);
  packets.push_back(ethernet(0x0806, arp));
  Bytes reply = arp;
  reply[7] = 2;
  packets.push_back(ethernet(0x0806, reply));
  Bytes with_target = arp;
  with_target[18] = 0xaa;
  packets.push_back(ethernet(0x0806, with_target));
  for (uint8_t operation : {3, 4, 8, 9, 10, 77}) {
    Bytes other = with_target;
    other[7] = operation;
    packets.push_back(ethernet(operation == 3 || operation == 4 ? 0x8035 : 0x0806, other));
  }
  Bytes ipv6_arp = arp;
  ipv6_arp[2] = 0x86, ipv6_arp[3] = 0xdd;
  packets.push_back(ethernet(0x0806, ipv6_arp));
  packets.push_back(ethernet(0x0806, concat(arp, Bytes(18, 0))));  // with Ethernet padding
  packets.push_back(ethernet(0x88b5, {1, 2, 3, 4}));
  packets.push_back(ethernet(0x0800, ipv4(6, tcp(1, 80, 0x02)), {5}));
  packets.push_back(ethernet(0x86dd, ipv6(17, udp(1, 80)), {5, 7}));
  packets.push_back(ethernet(0x88b5, text_bytes("abc"), {5}));
  packets.push_back(ethernet(0x0800, ipv4(17, udp(68, 67)), {}, Bytes(6, 0xff)));
  write_pcap(dir.file("ether.pcap"), DLT_EN10MB, with_truncations(packets, kCaplens));
  expect_same(compare_with_tcpdump(dir.file("ether.pcap"), unchanged, every_line), 1000);
}

TEST_F(SummaryTest, RawIpLinesMatchTcpdump) {
  ScratchDir dir;
  std::vector<Bytes> packets = ip_packets();
  packets.push_back({0x50, 0, 0, 0});
  for (int dlt : {DLT_RAW, DLT_IPV4, DLT_IPV6}) {
    std::string path = dir.file("raw" + std::to_string(dlt) + ".pcap");
    write_pcap(path, dlt, with_truncations(packets, kCaplens));
    expect_same(compare_with_tcpdump(path, unchanged, every_line), 1000);
  }
}

Bytes sll_header(uint16_t packet_type, uint16_t protocol, uint16_t address_length = 6) {
  Bytes b;
  put16(b, packet_type);
  put16(b, 1);
  put16(b, address_length);
  b = concat(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
  put16(b, protocol);
  return b;
}

Bytes sll2_header(uint16_t protocol, uint8_t packet_type, uint32_t interface) {
  Bytes b;
  put16(b, protocol);
  put16(b, 0);
  put32(b, interface);
  put16(b, 1);
  b.push_back(packet_type);
  b.push_back(6);
  return concat(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
}

TEST_F(SummaryTest, LinuxCookedLinesMatchTcpdump) {
  ScratchDir dir;
  std::vector<Bytes> sll, sll2;
  uint16_t packet_type = 0;
  for (const Bytes& ip : ip_packets()) {
    uint16_t protocol = ip[0] >> 4 == 6 ? 0x86dd : 0x0800;
    sll.push_back(concat(sll_header(packet_type % 5, protocol), ip));
    sll2.push_back(concat(sll2_header(protocol, static_cast<uint8_t>(packet_type % 5), 1000 + packet_type), ip));
    ++packet_type;
  }
  Bytes arp = arp_request(0x0a000001, 0x0a000002);
  sll.push_back(concat(sll_header(1, 0x0806), arp));
  sll2.push_back(concat(sll2_header(0x0806, 1, 2000), arp));
  sll.push_back(concat(sll_header(4, 0x88b5), text_bytes("abcd")));
  sll.push_back(concat(sll_header(3, 0x88b5, 4), text_bytes("abcd")));
  sll2.push_back(concat(sll2_header(0x88b5, 2, 2001), text_bytes("abcd")));
  Bytes tagged = {0x00, 0x05, 0x08, 0x00};
  sll.push_back(concat(concat(sll_header(0, 0x8100), tagged), ipv4(17, udp(1, 2))));
  sll2.push_back(concat(concat(sll2_header(0x8100, 0, 2002), tagged), ipv4(17, udp(1, 2))));
  sll.push_back(concat(sll_header(9, 0x8100), {0x00, 0x05, 0x88, 0xb5, 'a', 'b', 'c'}));
  write_pcap(dir.file("sll.pcap"), DLT_LINUX_SLL, with_truncations(sll, kCaplens));
  expect_same(compare_with_tcpdump(dir.file("sll.pcap"), unchanged, every_line), 1000);
  // tcpdump shows an SLL2 interface by the name the index has on the machine
  // reading the file ("?" when it has none); bpfc shows "ifN". The word is
  // left out of the comparison.
  write_pcap(dir.file("sll2.pcap"), DLT_LINUX_SLL2, with_truncations(sll2, kCaplens));
  const std::regex interface_word(R"(^(\S+ )\S+ +)");
  auto without_interface = [&](const std::string& line) { return std::regex_replace(line, interface_word, "$1"); };
  expect_same(compare_with_tcpdump(dir.file("sll2.pcap"), without_interface, every_line), 1000);
  ProcessResult ours = bpfc({"filter", "-r", dir.file("sll2.pcap"), "-c", "1"});
  EXPECT_NE(ours.out.find(" if1000 In  IP "), std::string::npos) << ours.out;
}

TEST_F(SummaryTest, LoopbackLinesMatchTcpdump) {
  ScratchDir dir;
  auto family = [](uint32_t value, bool big_endian) {
    Bytes b(4);
    for (int i = 0; i < 4; ++i) b[static_cast<size_t>(big_endian ? 3 - i : i)] = static_cast<uint8_t>(value >> (8 * i));
    return b;
  };
  std::vector<Bytes> null_packets, loop_packets;
  for (const Bytes& ip : ip_packets()) {
    uint32_t af = ip[0] >> 4 == 6 ? 30 : 2;
    null_packets.push_back(concat(family(af, false), ip));
    null_packets.push_back(concat(family(ip[0] >> 4 == 6 ? 24 : 2, true), ip));
    loop_packets.push_back(concat(family(ip[0] >> 4 == 6 ? 28 : 2, true), ip));
  }
  null_packets.push_back(concat(family(99, false), text_bytes("abc")));
  null_packets.push_back(concat(family(6, false), text_bytes("abc")));
  write_pcap(dir.file("null.pcap"), DLT_NULL, with_truncations(null_packets, kCaplens));
  expect_same(compare_with_tcpdump(dir.file("null.pcap"), unchanged, every_line), 1000);
  write_pcap(dir.file("loop.pcap"), DLT_LOOP, with_truncations(loop_packets, kCaplens));
  expect_same(compare_with_tcpdump(dir.file("loop.pcap"), unchanged, every_line), 1000);
}

TEST_F(SummaryTest, NanosecondTimestampsMatchTcpdumpNano) {
  ScratchDir dir;
  std::vector<PcapPacket> packets = {
      {1700000000LL * 1000000000 + 123456789, ethernet(0x0800, ipv4(6, tcp(1, 2, 0x02))), 0},
      {1700000001LL * 1000000000 + 5, ethernet(0x0800, ipv4(17, udp(1, 2))), 0}};
  write_pcap(dir.file("nano.pcap"), DLT_EN10MB, packets, true);
  expect_same(compare_with_tcpdump(dir.file("nano.pcap"), unchanged, every_line, {"--nano"}), 2);
  // Without --nano both print microseconds (truncated, not rounded).
  expect_same(compare_with_tcpdump(dir.file("nano.pcap"), unchanged, every_line), 2);
  ProcessResult ours = bpfc({"filter", "-r", dir.file("nano.pcap"), "--nano", "-c", "1"});
  EXPECT_EQ(ours.out.substr(0, 19), "22:13:20.123456789 ") << ours.out;
}

TEST_F(SummaryTest, TimestampsAreLocalTime) {
  ScratchDir dir;
  write_pcap(dir.file("t.pcap"), DLT_EN10MB, {{1700000000LL * 1000000000, ethernet(0x88b5, {1}), 0}});
  setenv("TZ", "Asia/Kolkata", 1);  // UTC+5:30, no daylight saving time
  ProcessResult ours = bpfc({"filter", "-r", dir.file("t.pcap")});
  setenv("TZ", "UTC", 1);
  EXPECT_EQ(ours.out.substr(0, 16), "03:43:20.000000 ") << ours.out;
}

// The forms bpfc dissects; other lines (protocols tcpdump decodes further)
// are not compared.
bool is_dissected_form(const std::string& line) {
  static const std::regex forms(
      R"((: tcp \d+)|(: UDP, (bad )?length)|(: ICMP )|(: ICMP6, )|( ARP, )|(Unknown Ethertype)|(: ip-proto-\d+$))");
  return std::regex_search(line, forms);
}

TEST_F(SummaryTest, CorpusSavefileLinesMatchTcpdumpWhereBpfcDissects) {
  size_t compared = 0, files = 0;
  std::vector<std::string> differences;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapsDir)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    LibpcapReading reading = read_with_libpcap(path.string());
    if (!reading.opened) continue;
    if (reading.dlt != DLT_EN10MB && reading.dlt != DLT_RAW && reading.dlt != DLT_LINUX_SLL &&
        reading.dlt != DLT_NULL && reading.dlt != DLT_LOOP) {
      continue;
    }
    Comparison comparison = compare_with_tcpdump(path.string(), unchanged, is_dissected_form);
    ++files;
    compared += comparison.compared;
    differences.insert(differences.end(), comparison.differences.begin(), comparison.differences.end());
  }
  std::cout << "[cli] summary lines: " << compared << " corpus packets compared with tcpdump -n -q in " << files
            << " savefiles\n";
  expect_same(Comparison{compared, differences}, 50);
}

}  // namespace
}  // namespace bpfc::clitest

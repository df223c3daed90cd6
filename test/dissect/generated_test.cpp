// `bpfc filter` prints generated captures exactly as `tcpdump -n -q` does:
// Ethernet (with VLAN tags), Linux cooked (SLL, SLL2), BSD loopback and raw
// IP captures of IPv4/IPv6 with TCP, UDP, ICMP, ICMPv6 and ARP, each packet
// whole and cut short at many capture lengths, with right and wrong
// checksums; in pcap (µs and ns) and pcapng, little- and big-endian; with
// every printing flag: -e, -v, -vv, -x, -xx, -X, -XX, -A, -AA and each
// time format. The only differences allowed are the ones
// tcpdump_comparison.h names.
#include <stdlib.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../cli/savefile_fixtures.h"
#include "../support/process.h"
#include "capture_files.h"
#include "generated_packets.h"
#include "protocol_packets.h"
#include "tcpdump_comparison.h"
#include "../support/sanitized_share.h"

namespace bpfc::dissecttest {
namespace {

constexpr uint32_t kLinktypeNull = 0;
constexpr uint32_t kLinktypeEthernet = 1;
constexpr uint32_t kLinktypeRaw = 101;
constexpr uint32_t kLinktypeLoop = 108;
constexpr uint32_t kLinktypeSll = 113;
constexpr uint32_t kLinktypeIpv4 = 228;
constexpr uint32_t kLinktypeIpv6 = 229;
constexpr uint32_t kLinktypeSll2 = 276;

// Every flag tcpdump users reach for, alone and in a few combinations.
const std::vector<std::vector<std::string>> kFlagSets = {
    {},       {"-e"},   {"-v"},  {"-vv"},   {"-vvv"},   {"-x"},    {"-xx"},
    {"-X"},   {"-XX"},  {"-A"},  {"-AA"},   {"-t"},     {"-tt"},   {"-ttt"},
    {"-tttt"}, {"-ttttt"}, {"-e", "-v", "-x"}, {"-e", "-XX", "-tt"}, {"-v", "-X", "-ttt"},
    {"--nano", "-ttttt"}, {"-x", "-A"}, {"-X", "-x"},
};

// The sanitizer build, which looks for memory errors in the printers, runs
// the combinations (every printer and layer they reach) and a few single
// flags: a third of the printouts, so the thresholds on compared lines
// shrink with them.
const std::vector<std::vector<std::string>> kSanitizedFlagSets = {
    {}, {"-vvv"}, {"-AA"}, {"-e", "-v", "-x"}, {"-e", "-XX", "-tt"}, {"-v", "-X", "-ttt"},
    {"--nano", "-ttttt"}, {"-x", "-A"},
};
const std::vector<std::vector<std::string>>& flag_sets() {
  return testsupport::kSanitizedBuild ? kSanitizedFlagSets : kFlagSets;
}
size_t min_lines(size_t full) { return testsupport::full_or_sanitized(full, full / 5); }

// The byte orders and layouts of the files only matter to the readers
// (test_capture checks them); the sanitizer build, which looks for memory
// errors in the printers, reads two of them to keep its run short.
std::vector<CaptureFormat> formats_to_compare() {
#ifdef BPFC_SANITIZED_BUILD
  return {{Layout::PcapMicro, false}, {Layout::Pcapng, true}};
#else
  return all_capture_formats();
#endif
}

bool shows_payload_as_text(const std::vector<std::string>& flags) {
  bool ascii = false, hex = false;
  for (const std::string& flag : flags) {
    ascii |= flag == "-A" || flag == "-AA";
    hex |= flag.rfind("-x", 0) == 0 || flag.rfind("-X", 0) == 0;
  }
  return ascii && !hex;  // -x and -X outrank -A
}

class GeneratedCaptures : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testsupport::program_available("tcpdump")) GTEST_SKIP() << "tcpdump is not installed: nothing to compare with";
    // Local time with an offset and daylight saving time, spelled as a POSIX
    // rule so that no time zone database is needed.
    setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
  }

  // Writes `packets` in `format` and compares the printouts under every
  // flag set; returns the number of lines compared.
  size_t compare_all(uint32_t linktype, const std::vector<CapturedPacket>& packets, const CaptureFormat& format,
                     const std::vector<std::vector<std::string>>& flag_sets, Differences differences = {}) {
    clitest::ScratchDir dir;
    std::string path = dir.file("capture-" + format.name());
    write_capture(path, format, linktype, packets);
    // For looking at a difference by hand: BPFC_KEEP_CAPTURES=DIR keeps a copy.
    if (const char* keep = std::getenv("BPFC_KEEP_CAPTURES")) {
      write_capture(std::string(keep) + "/" + std::to_string(linktype) + "-" + format.name(), format, linktype,
                    packets);
    }
    size_t lines = 0;
    for (const std::vector<std::string>& flags : flag_sets) {
      differences.payload_as_text = shows_payload_as_text(flags);
      ComparisonResult result = compare_with_tcpdump(path, flags, differences);
      EXPECT_TRUE(result.identical) << format.name() << ": " << result.report;
      lines += result.lines;
    }
    return lines;
  }
};

TEST_F(GeneratedCaptures, EthernetInEveryFormatAndByteOrderWithEveryFlag) {
  std::vector<CapturedPacket> packets = as_captured(ethernet_frames(), interesting_caplens());
  size_t lines = 0;
  for (const CaptureFormat& format : formats_to_compare()) {
    lines += compare_all(kLinktypeEthernet, packets, format, flag_sets());
  }
  EXPECT_GT(lines, min_lines(300000));
}

std::vector<Bytes> datagrams_with_and_without_checksums() {
  std::vector<Bytes> all;
  for (const Bytes& datagram : ip_datagrams()) {
    all.push_back(datagram);
    all.push_back(with_checksums(datagram));
  }
  return all;
}

TEST_F(GeneratedCaptures, RawIpWithEveryFlag) {
  std::vector<Bytes> datagrams = datagrams_with_and_without_checksums();
  datagrams.push_back({0x50, 0, 0, 0});
  std::vector<CapturedPacket> packets = as_captured(datagrams, interesting_caplens());
  for (uint32_t linktype : {kLinktypeRaw, kLinktypeIpv4, kLinktypeIpv6}) {
    EXPECT_GT(compare_all(linktype, packets, {Layout::PcapMicro, false}, flag_sets()), min_lines(100000));
  }
}

Bytes sll_header(uint16_t packet_type, uint16_t protocol, uint16_t address_length = 6) {
  Bytes b;
  clitest::put16(b, packet_type);
  clitest::put16(b, 1);
  clitest::put16(b, address_length);
  b = clitest::concat(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
  clitest::put16(b, protocol);
  return b;
}

Bytes sll2_header(uint16_t protocol, uint8_t packet_type, uint8_t address_length = 6) {
  Bytes b;
  clitest::put16(b, protocol);
  clitest::put16(b, 0);
  clitest::put32(b, 1);  // interface 1: "lo" on any Linux machine tcpdump runs on
  clitest::put16(b, 1);
  b.push_back(packet_type);
  b.push_back(address_length);
  return clitest::concat(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
}

TEST_F(GeneratedCaptures, LinuxCookedWithEveryFlag) {
  std::vector<Bytes> sll, sll2;
  uint16_t n = 0;
  for (const Bytes& datagram : datagrams_with_and_without_checksums()) {
    uint16_t protocol = datagram[0] >> 4 == 6 ? 0x86dd : 0x0800;
    sll.push_back(clitest::concat(sll_header(n % 6, protocol, n % 7 == 0 ? 4 : 6), datagram));
    sll2.push_back(clitest::concat(sll2_header(protocol, static_cast<uint8_t>(n % 6)), datagram));
    ++n;
  }
  for (const Bytes& arp : arp_packets()) {
    sll.push_back(clitest::concat(sll_header(1, 0x0806), arp));
    sll2.push_back(clitest::concat(sll2_header(0x0806, 1), arp));
  }
  Bytes tagged = {0xa0, 0x05, 0x08, 0x00};
  Bytes datagram = with_checksums(clitest::ipv4(17, clitest::udp(1, 2)));
  sll.push_back(clitest::concat(clitest::concat(sll_header(0, 0x8100), tagged), datagram));
  sll2.push_back(clitest::concat(clitest::concat(sll2_header(0x8100, 0), tagged), datagram));
  for (uint16_t unknown : {0x88b5, 0x88b6}) {
    sll.push_back(clitest::concat(sll_header(4, unknown), clitest::text_bytes("abcd")));
    sll2.push_back(clitest::concat(sll2_header(unknown, 2), clitest::text_bytes("abcd")));
  }
  sll.push_back(clitest::concat(sll_header(3, 0x88b5, 4), clitest::text_bytes("abcd")));
  // Not ethertypes: Novell's raw 802.3 (IPX), 802.2 LLC, and others.
  Bytes ipx = {0xff, 0xff, 0, 40, 0, 4, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 0x04, 0x55, 0, 0, 0, 2, 6, 5, 4, 3, 2, 1, 0x04, 0x55};
  ipx.resize(40, 0x20);
  for (const Bytes& llc : {Bytes{0xf0, 0xf0, 0x03, 'n', 'b'}, Bytes{0xf0, 0xf1, 0x01, 0x02},
                           Bytes{0x44, 0x44, 0x03, 0, 0, 0}, clitest::concat({0xe0, 0xe0, 0x03}, ipx),
                           clitest::concat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, datagram)}) {
    sll.push_back(clitest::concat(sll_header(0, 0x0004), llc));
    sll2.push_back(clitest::concat(sll2_header(0x0004, 0), llc));
  }
  sll.push_back(clitest::concat(sll_header(0, 0x0001), ipx));
  sll2.push_back(clitest::concat(sll2_header(0x0001, 0), ipx));
  sll.push_back(clitest::concat(sll_header(0, 0x0007), clitest::text_bytes("other")));
  sll.push_back(clitest::concat(clitest::concat(sll_header(0, 0x8100), {0, 7, 0, 5}), {0xf0, 0xf0, 0x03, 'v'}));
  sll.push_back(clitest::concat(sll_header(9, 0x8100), {0x00, 0x05, 0x88, 0xb5, 'a', 'b', 'c'}));
  EXPECT_GT(compare_all(kLinktypeSll, as_captured(sll, interesting_caplens()), {Layout::PcapMicro, false}, flag_sets()),
            min_lines(100000));
  Differences sll2_differences;
  sll2_differences.sll2_interface_1 = true;
  EXPECT_GT(compare_all(kLinktypeSll2, as_captured(sll2, interesting_caplens()), {Layout::Pcapng, true}, flag_sets(),
                        sll2_differences),
            min_lines(100000));
}

Bytes family(uint32_t value, bool big_endian) {
  Bytes b(4);
  for (int i = 0; i < 4; ++i) b[static_cast<size_t>(big_endian ? 3 - i : i)] = static_cast<uint8_t>(value >> (8 * i));
  return b;
}

TEST_F(GeneratedCaptures, BsdLoopbackWithEveryFlag) {
  std::vector<Bytes> null_packets, loop_packets;
  for (const Bytes& datagram : datagrams_with_and_without_checksums()) {
    bool v6 = datagram[0] >> 4 == 6;
    null_packets.push_back(clitest::concat(family(v6 ? 30 : 2, false), datagram));
    null_packets.push_back(clitest::concat(family(v6 ? 24 : 2, true), datagram));
    loop_packets.push_back(clitest::concat(family(v6 ? 28 : 2, true), datagram));
  }
  null_packets.push_back(clitest::concat(family(99, false), clitest::text_bytes("abc")));
  null_packets.push_back(clitest::concat(family(6, false), clitest::text_bytes("abc")));
  Bytes ipx = {0xff, 0xff, 0, 32, 0, 4, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 0x04, 0x51, 0, 0, 0, 2, 6, 5, 4, 3, 2, 1, 0x40, 0x03};
  ipx.resize(32, 0);
  null_packets.push_back(clitest::concat(family(23, false), ipx));
  EXPECT_GT(compare_all(kLinktypeNull, as_captured(null_packets, interesting_caplens()), {Layout::PcapNano, true},
                        flag_sets()),
            min_lines(100000));
  EXPECT_GT(compare_all(kLinktypeLoop, as_captured(loop_packets, interesting_caplens()), {Layout::Pcapng, false},
                        flag_sets()),
            min_lines(100000));
}

// Times at the edges of tcpdump's arithmetic: the epoch itself (which its
// -ttt/-ttttt take for "no reference yet"), the last second before 2038,
// the first after (its low 32 bits look negative: "[Error converting time]"),
// beyond 2106, and going backwards, in every time format.
TEST_F(GeneratedCaptures, TimestampEdgesInEveryFormat) {
  Bytes frame = clitest::ethernet(0x0800, with_checksums(clitest::ipv4(17, clitest::udp(1, 2))));
  const int64_t second = 1000000000;
  std::vector<CapturedPacket> packets;
  const int64_t times[] = {0,
                           5,
                           second * 86399,
                           second * int64_t{0x7fffffff} + 999999999,
                           second * int64_t{0x80000000} + 1000,
                           second * int64_t{0x100000005},
                           second * 1700000000,
                           second * 100,
                           second * 1700000000 + 1};
  for (int64_t time : times) {
    packets.push_back({time, frame, 0});
  }
  std::vector<std::vector<std::string>> time_flags = {{},       {"-t"},    {"-tt"},      {"-ttt"},
                                                      {"-tttt"}, {"-ttttt"}, {"--nano", "-ttt"}, {"--nano", "-tttt"}};
  for (Layout layout : {Layout::PcapNano, Layout::Pcapng}) {
    compare_all(kLinktypeEthernet, packets, {layout, false}, time_flags);
  }
}

// MPLS, GRE, AH/ESP/IPComp, VRRP, PIM, PPPoE, LLC/SNAP, IPX, DECnet and
// IPv6 extension headers, whole and cut short, in every format.
TEST_F(GeneratedCaptures, FurtherProtocolsWithEveryFlag) {
  std::vector<std::vector<std::string>> quiet_flags;
  for (const auto& flags : flag_sets()) {
    bool verbose = false;
    for (const std::string& flag : flags) verbose |= flag.rfind("-v", 0) == 0;
    if (!verbose) quiet_flags.push_back(flags);
  }
  std::vector<CapturedPacket> packets = as_captured(further_protocol_frames(), interesting_caplens());
  size_t lines = 0;
  for (const CaptureFormat& format : formats_to_compare()) {
    lines += compare_all(kLinktypeEthernet, packets, format, quiet_flags);
  }
  EXPECT_GT(lines, min_lines(100000));
  // -v, for what bpfc decodes verbosely as tcpdump does.
  std::vector<std::vector<std::string>> verbose_flags = {{"-v"}, {"-vv"}, {"-e", "-v", "-x"}};
  EXPECT_GT(compare_all(kLinktypeEthernet, as_captured(further_protocol_frames_for_verbose(), interesting_caplens()),
                        {Layout::PcapMicro, false}, verbose_flags),
            10000u);
}

}  // namespace
}  // namespace bpfc::dissecttest

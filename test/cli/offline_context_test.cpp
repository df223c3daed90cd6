// `bpfc filter` compiles for the savefile it reads, as tcpdump -r does
// (pcap_open_offline + pcap_compile): on DLT_NULL and DLT_LOOP captures the
// address family in the link header is tested against the values of the
// systems that write such files (AF_INET6 is 24, 28 or 30 on the BSDs and
// macOS), in the byte order the file says. tcpdump's quic_vn.pcap (DLT_NULL,
// recorded on macOS) is the case that showed it: `ip6` keeps all its packets.
//
// The captures are generated here in both byte orders; the reference is
// libpcap's own pcap_offline_filter() on the same files.
#include <pcap/pcap.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

constexpr uint32_t kDltNull = 0;
constexpr uint32_t kDltLoop = 108;

// Appends `v` as the file's byte order writes it (big-endian or not).
void put32(std::string& out, uint32_t v, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big_endian ? 24 - 8 * i : 8 * i;
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}
void put16(std::string& out, uint16_t v, bool big_endian) {
  out.push_back(static_cast<char>(big_endian ? v >> 8 : v & 0xff));
  out.push_back(static_cast<char>(big_endian ? v & 0xff : v >> 8));
}
void put_be16(std::string& out, uint16_t v) { put16(out, v, true); }

// An IPv4 or IPv6 packet from 10.0.0.1 / ::1 with a TCP or UDP header;
// `tag` makes every packet distinct (the IPv4 ID, the source port).
std::string ip_packet(int version, uint8_t protocol, uint16_t tag) {
  std::string transport;
  put_be16(transport, static_cast<uint16_t>(1000 + tag));  // source port
  put_be16(transport, 80);                                  // destination port
  if (protocol == 6) {
    transport.append(8, '\0');             // sequence, acknowledgment
    transport.push_back(0x50);             // data offset 5
    transport.push_back(0x02);             // SYN
    transport.append(6, '\0');
  } else {
    put_be16(transport, 8);
    transport.append(2, '\0');
  }
  std::string ip;
  if (version == 4) {
    ip.push_back(0x45);
    ip.push_back(0);
    put_be16(ip, static_cast<uint16_t>(20 + transport.size()));
    put_be16(ip, tag);
    ip.append(2, '\0');
    ip.push_back(64);
    ip.push_back(static_cast<char>(protocol));
    ip.append(2, '\0');
    ip += std::string("\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
  } else {
    ip.push_back(0x60);
    ip.append(3, '\0');
    put_be16(ip, static_cast<uint16_t>(transport.size()));
    ip.push_back(static_cast<char>(protocol));
    ip.push_back(64);
    ip.append(15, '\0');
    ip.push_back(1);  // ::1
    ip.append(15, '\0');
    ip.push_back(2);  // ::2
  }
  return ip + transport;
}

struct LoopbackPacket {
  uint32_t family;  // the AF_ value in the link header
  int version;      // of the IP packet after it
  uint8_t protocol;
  bool other_order = false;  // DLT_NULL: the family in the file's other byte order
};

// A pcap savefile of `dlt` in the given byte order. DLT_NULL's family is
// written in the file's byte order (the capturing host wrote both), unless
// a packet asks for the other; DLT_LOOP's is always big-endian.
std::string loopback_savefile(uint32_t dlt, bool big_endian, const std::vector<LoopbackPacket>& packets) {
  std::string file;
  put32(file, 0xa1b2c3d4, big_endian);
  put16(file, 2, big_endian);
  put16(file, 4, big_endian);
  put32(file, 0, big_endian);
  put32(file, 0, big_endian);
  put32(file, 65535, big_endian);
  put32(file, dlt, big_endian);
  uint16_t tag = 0;
  for (const LoopbackPacket& p : packets) {
    std::string record;
    put32(record, p.family, dlt == kDltLoop || (big_endian != p.other_order));
    record += ip_packet(p.version, p.protocol, ++tag);
    put32(file, 1700000000 + tag, big_endian);
    put32(file, 0, big_endian);
    put32(file, static_cast<uint32_t>(record.size()), big_endian);
    put32(file, static_cast<uint32_t>(record.size()), big_endian);
    file += record;
  }
  return file;
}

// The packets of a savefile, as libpcap reads them.
std::vector<std::string> read_packets(const std::string& path) {
  std::vector<std::string> packets;
  char error[PCAP_ERRBUF_SIZE];
  pcap_t* handle = pcap_open_offline(path.c_str(), error);
  if (handle == nullptr) {
    ADD_FAILURE() << "libpcap cannot read " << path << ": " << error;
    return packets;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    packets.emplace_back(reinterpret_cast<const char*>(data), header->caplen);
  }
  pcap_close(handle);
  return packets;
}

// What tcpdump -r FILE EXPR keeps: pcap_compile() on the savefile's own
// handle, then pcap_offline_filter() on each packet.
std::vector<std::string> libpcap_keeps(const std::string& path, const std::string& expression) {
  std::vector<std::string> kept;
  char error[PCAP_ERRBUF_SIZE];
  pcap_t* handle = pcap_open_offline(path.c_str(), error);
  if (handle == nullptr) {
    ADD_FAILURE() << "libpcap cannot read " << path << ": " << error;
    return kept;
  }
  bpf_program program{};
  if (pcap_compile(handle, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    ADD_FAILURE() << "libpcap refuses '" << expression << "': " << pcap_geterr(handle);
    pcap_close(handle);
    return kept;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    if (pcap_offline_filter(&program, header, data) != 0) {
      kept.emplace_back(reinterpret_cast<const char*>(data), header->caplen);
    }
  }
  pcap_freecode(&program);
  pcap_close(handle);
  return kept;
}

std::vector<std::string> bpfc_keeps(const std::string& path, const std::string& expression) {
  ScratchFile output("", ".pcap");
  ProcessResult result = bpfc({"filter", "-r", path, "-w", output.path(), expression});
  EXPECT_EQ(result.exit_code, 0) << expression << ": " << result.err;
  return read_packets(output.path());
}

// Every family a loopback capture may hold, for IPv4 and IPv6 over TCP and
// UDP, in the file's byte order.
std::vector<LoopbackPacket> mixed_families() {
  std::vector<LoopbackPacket> packets;
  for (uint8_t protocol : {uint8_t{6}, uint8_t{17}}) {
    packets.push_back({2, 4, protocol});
    for (uint32_t af6 : {24u, 28u, 30u, 10u}) packets.push_back({af6, 6, protocol});
    packets.push_back({7, 4, protocol});  // no family libpcap knows
  }
  return packets;
}

const std::vector<std::string> kExpressions = {
    "ip",         "ip6",           "tcp",          "udp",       "ip6 and tcp", "ip and udp", "port 80",
    "tcp port 1001", "host 10.0.0.1", "ip6 host ::1", "not ip6",   "ip or ip6",   "link proto \\ip6",
};

struct Capture {
  const char* name;
  uint32_t dlt;
  bool big_endian;
};

void PrintTo(const Capture& capture, std::ostream* out) { *out << capture.name; }

class OfflineContext : public ::testing::TestWithParam<Capture> {};

TEST_P(OfflineContext, FilterKeepsWhatLibpcapKeepsForTheSavefile) {
  const Capture& capture = GetParam();
  ScratchFile file(loopback_savefile(capture.dlt, capture.big_endian, mixed_families()), ".pcap");
  for (const std::string& expression : kExpressions) {
    const std::vector<std::string> expected = libpcap_keeps(file.path(), expression);
    EXPECT_EQ(bpfc_keeps(file.path(), expression), expected)
        << capture.name << ": bpfc filter -r F '" << expression << "' keeps other packets than libpcap ("
        << expected.size() << " packets)";
  }
}

INSTANTIATE_TEST_SUITE_P(LoopbackCaptures, OfflineContext,
                         ::testing::Values(Capture{"NULL_little_endian", kDltNull, false},
                                           Capture{"NULL_big_endian", kDltNull, true},
                                           Capture{"LOOP_little_endian", kDltLoop, false},
                                           Capture{"LOOP_big_endian", kDltLoop, true}),
                         [](const auto& info) { return std::string(info.param.name); });

// quic_vn.pcap's shape: IPv6 over DLT_NULL from macOS (AF_INET6 30), in a
// file of either byte order: `ip6` keeps every packet.
TEST(OfflineContext, MacosNullCaptureKeepsEveryIpv6Packet) {
  for (bool big_endian : {false, true}) {
    std::vector<LoopbackPacket> packets(25, LoopbackPacket{30, 6, 17});
    ScratchFile file(loopback_savefile(kDltNull, big_endian, packets), ".pcap");
    EXPECT_EQ(libpcap_keeps(file.path(), "ip6").size(), 25u);
    EXPECT_EQ(bpfc_keeps(file.path(), "ip6").size(), 25u) << (big_endian ? "big" : "little") << "-endian file";
  }
}

// A DLT_NULL file rewritten on a host of the other byte order holds the
// family in the order opposite to the file's. libpcap since 1.11 tests both
// orders (the corpus' link_proto_ip6_offline_* listings, which bpfc follows);
// 1.10.3 tests only the file's and drops these packets.
TEST(OfflineContext, NullFamilyInTheOtherByteOrderIsStillRecognized) {
  for (bool big_endian : {false, true}) {
    std::vector<LoopbackPacket> packets = {{30, 6, 6, true}, {24, 6, 17, true}, {2, 4, 6, true}, {10, 6, 6, true}};
    ScratchFile file(loopback_savefile(kDltNull, big_endian, packets), ".pcap");
    EXPECT_EQ(bpfc_keeps(file.path(), "ip6").size(), 2u);
    EXPECT_EQ(bpfc_keeps(file.path(), "ip").size(), 1u);
    EXPECT_EQ(bpfc_keeps(file.path(), "tcp").size(), 2u);
  }
}

// bpfc compile --context: the offline programs test the BSD values, the dead
// handle's (the default) this host's AF_INET6.
TEST(OfflineContext, CompileContextOptionSelectsTheProgram) {
  auto dead = bpfc({"compile", "-y", "NULL", "ip6"});
  auto offline = bpfc({"compile", "-y", "NULL", "--context=offline", "ip6"});
  auto swapped = bpfc({"compile", "-y", "NULL", "--context=offline-swapped", "ip6"});
  ASSERT_EQ(dead.exit_code, 0) << dead.err;
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  ASSERT_EQ(swapped.exit_code, 0) << swapped.err;
  EXPECT_EQ(dead.out.find("#0x1e"), std::string::npos) << dead.out;
  EXPECT_NE(offline.out.find("jeq      #0x1e "), std::string::npos) << offline.out;
  EXPECT_NE(offline.out.find("#0x1c000000"), std::string::npos) << offline.out;
  // Both orders in both contexts; only which comes first differs.
  EXPECT_NE(offline.out, swapped.out);
  EXPECT_LT(swapped.out.find("#0x1e000000"), swapped.out.find("#0x1e "));
}

TEST(OfflineContext, UnknownContextIsAUsageError) {
  auto result = bpfc({"compile", "--context=live", "ip"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("live"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("offline-swapped"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace bpfc::clitest

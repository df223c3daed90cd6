// `bpfc filter` end to end: options, inputs and outputs, format conversion,
// link types, compile errors, damaged inputs and exit statuses. Every file
// bpfc writes is read back with libpcap.
#include <fcntl.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "savefile_fixtures.h"

namespace bpfc::clitest {
namespace {

const std::string kPcapsDir = BPFC_TEST_DIR "/corpus/pcaps";
constexpr int64_t kSecond = 1000000000;
constexpr int64_t kStart = 1700000000 * kSecond;

size_t count_lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

std::string counts(uint64_t read, uint64_t matched) {
  return std::to_string(read) + (read == 1 ? " packet" : " packets") + " read, " + std::to_string(matched) +
         " matched\n";
}

// A mixed Ethernet capture: TCP to port 80 and 22, UDP, ICMP, ARP, IPv6,
// VLAN-tagged and broadcast frames.
std::vector<PcapPacket> mixed_packets() {
  std::vector<Bytes> frames = {
      ethernet(0x0800, ipv4(6, tcp(40000, 80, 0x02))),
      ethernet(0x0800, ipv4(6, tcp(80, 40000, 0x12, text_bytes("HTTP/1.1 200 OK")))),
      ethernet(0x0800, ipv4(17, udp(5353, 53, text_bytes("query")))),
      ethernet(0x0800, ipv4(1, icmp(8, 0, {0, 1, 0, 1}))),
      ethernet(0x0806, arp_request(0x0a000001, 0x0a000002), {}, Bytes(6, 0xff)),
      ethernet(0x86dd, ipv6(17, udp(1000, 2000, Bytes(200, 'x')))),
      ethernet(0x0800, ipv4(6, tcp(50000, 22, 0x10, Bytes(300, 's'))), {42}),
      ethernet(0x86dd, ipv6(58, icmp(128, 0, {0, 1, 0, 2}))),
      ethernet(0x0800, ipv4(6, tcp(40001, 80, 0x02))),
      ethernet(0x88b5, Bytes(46, 0)),
  };
  std::vector<PcapPacket> packets;
  int64_t ts = kStart;
  for (Bytes& frame : frames) packets.push_back({ts += 1234567000, std::move(frame), 0});
  return packets;
}

void expect_same_packets(const std::vector<PcapPacket>& actual, const std::vector<PcapPacket>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].timestamp_ns, expected[i].timestamp_ns) << "packet " << i;
    EXPECT_EQ(actual[i].wirelen, expected[i].wirelen != 0 ? expected[i].wirelen : expected[i].data.size())
        << "packet " << i;
    EXPECT_EQ(actual[i].data, expected[i].data) << "packet " << i;
  }
}

std::vector<PcapPacket> pick(const std::vector<PcapPacket>& packets, std::initializer_list<size_t> indexes) {
  std::vector<PcapPacket> picked;
  for (size_t i : indexes) picked.push_back(packets[i]);
  return picked;
}

// Reads what bpfc wrote; the file must be complete and clean.
std::vector<PcapPacket> read_output(const std::string& path) {
  LibpcapReading reading = read_with_libpcap(path);
  EXPECT_TRUE(reading.opened) << path << ": " << reading.error;
  EXPECT_EQ(reading.error, "") << path;
  return reading.packets;
}

class FilterCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    packets_ = mixed_packets();
    write_pcap(dir_.file("mixed.pcap"), DLT_EN10MB, packets_);
  }
  std::string in() const { return dir_.file("mixed.pcap"); }
  std::string out(const std::string& name = "out.pcap") const { return dir_.file(name); }

  ScratchDir dir_;
  std::vector<PcapPacket> packets_;
};

TEST_F(FilterCommand, WritesTheKeptPacketsAndCounts) {
  ProcessResult r = bpfc({"filter", "-r", in(), "-w", out(), "tcp", "port", "80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, counts(10, 3));
  expect_same_packets(read_output(out()), pick(packets_, {0, 1, 8}));
  LibpcapReading reading = read_with_libpcap(out());
  EXPECT_EQ(reading.dlt, DLT_EN10MB);
  EXPECT_EQ(reading.snaplen, 262144);
}

TEST_F(FilterCommand, InputReadRatherThanMappedKeepsTheSamePackets) {
  ProcessResult r = bpfc({"filter", "--no-mmap", "-r", in(), "-w", out(), "tcp", "port", "80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(10, 3));
  expect_same_packets(read_output(out()), pick(packets_, {0, 1, 8}));
}

TEST_F(FilterCommand, KeepsWhatTcpdumpKeeps) {
  if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
  for (const char* expression : {"tcp", "udp or icmp", "vlan and tcp", "ether broadcast", "ip6", "len > 100",
                                 "tcp[tcpflags] & tcp-syn != 0", "not ip"}) {
    ProcessResult ours = bpfc({"filter", "-r", in(), "-w", out("ours.pcap"), expression});
    ProcessResult theirs = tcpdump({"-r", in(), "-w", out("theirs.pcap"), expression});
    ASSERT_EQ(ours.exit_code, 0) << expression << ": " << ours.err;
    ASSERT_EQ(theirs.exit_code, 0) << expression << ": " << theirs.err;
    expect_same_packets(read_output(out("ours.pcap")), read_output(out("theirs.pcap")));
    // pcap to pcap: the very same bytes as tcpdump's file.
    EXPECT_EQ(read_file(out("ours.pcap")), read_file(out("theirs.pcap"))) << expression;
  }
}

TEST_F(FilterCommand, NoExpressionKeepsEverything) {
  ProcessResult r = bpfc({"filter", "-r", in(), "-w", out()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(10, 10));
  expect_same_packets(read_output(out()), packets_);
  EXPECT_EQ(read_file(out()), read_file(in()));
}

TEST_F(FilterCommand, WithoutOutputPrintsOneLinePerKeptPacket) {
  setenv("TZ", "UTC", 1);
  ProcessResult r = bpfc({"filter", "-r", in(), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 3u);  // the VLAN-tagged one needs "vlan and tcp"
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "22:13:21.234567 IP 10.0.0.1.40000 > 10.0.0.2.80: tcp 0");
  EXPECT_EQ(r.err, counts(10, 3));
}

TEST_F(FilterCommand, CountStopsAfterThatManyMatches) {
  ProcessResult r = bpfc({"filter", "-r", in(), "-w", out(), "-c", "2", "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(2, 2));
  expect_same_packets(read_output(out()), pick(packets_, {0, 1}));
  r = bpfc({"filter", "-r", in(), "-c", "3", "tcp"});
  EXPECT_EQ(count_lines(r.out), 3u);
  EXPECT_EQ(r.err, counts(9, 3));
  EXPECT_EQ(bpfc({"filter", "-r", in(), "-c", "0"}).exit_code, 2);
}

TEST_F(FilterCommand, ExpressionFromAFileWithComments) {
  write_file(dir_.file("filter.txt"), "# web traffic\ntcp port 80  # both directions\n  and not tcp[13] = 0x12\n");
  ProcessResult r = bpfc({"filter", "-r", in(), "-w", out(), "-F", dir_.file("filter.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_packets(read_output(out()), pick(packets_, {0, 8}));
  // Only comments: keeps everything.
  write_file(dir_.file("comments.txt"), "# nothing\n");
  r = bpfc({"filter", "-r", in(), "-w", out(), "-F", dir_.file("comments.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(10, 10));
  // From stdin.
  r = bpfc({"filter", "-r", in(), "-w", out(), "-F", "-"}, "icmp or icmp6\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_packets(read_output(out()), pick(packets_, {3, 7}));
  EXPECT_EQ(bpfc({"filter", "-r", in(), "-F", dir_.file("filter.txt"), "udp"}).exit_code, 2);
  r = bpfc({"filter", "-r", in(), "-F", dir_.file("missing.txt")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.txt"), std::string::npos) << r.err;
}

TEST_F(FilterCommand, SeveralInputsAreReadInOrder) {
  std::vector<PcapPacket> second = {{kStart + 100 * kSecond, ethernet(0x0800, ipv4(17, udp(1, 2))), 0}};
  write_pcap(dir_.file("second.pcap"), DLT_EN10MB, second);
  ProcessResult r = bpfc({"filter", "-r", dir_.file("second.pcap"), "-r", in(), "-w", out(), "udp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(11, 3));
  std::vector<PcapPacket> expected = second;
  for (size_t i : {2, 5}) expected.push_back(packets_[i]);
  expect_same_packets(read_output(out()), expected);
}

TEST_F(FilterCommand, ReadsStandardInputAndWritesStandardOutput) {
  ProcessResult r = bpfc({"filter", "-r", "-", "-w", "-", "udp"}, read_file(in()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_file(out(), r.out);
  expect_same_packets(read_output(out()), pick(packets_, {2, 5}));
  EXPECT_EQ(r.err, counts(10, 2));
  // A pcapng stream on stdin too.
  ASSERT_EQ(bpfc({"filter", "-r", in(), "-w", out("all.pcapng"), "--format", "pcapng"}).exit_code, 0);
  r = bpfc({"filter", "-r", "-", "-w", "-", "icmp"}, read_file(out("all.pcapng")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_file(out("icmp.pcapng"), r.out);
  expect_same_packets(read_output(out("icmp.pcapng")), pick(packets_, {3}));
  EXPECT_EQ(bpfc({"filter", "-r", "-", "-r", "-"}).exit_code, 2);
}

TEST_F(FilterCommand, ConvertsBetweenFormats) {
  ProcessResult r = bpfc({"filter", "-r", in(), "-w", out("a.pcapng"), "--format", "pcapng", "ip or ip6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(out("a.pcapng")).substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  std::vector<PcapPacket> ip = pick(packets_, {0, 1, 2, 3, 5, 7, 8});
  expect_same_packets(read_output(out("a.pcapng")), ip);
  // The output format defaults to the input's: pcapng stays pcapng...
  r = bpfc({"filter", "-r", out("a.pcapng"), "-w", out("b.pcapng"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(out("b.pcapng")).substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  expect_same_packets(read_output(out("b.pcapng")), pick(packets_, {0, 1, 8}));
  // ...and back to pcap on request.
  r = bpfc({"filter", "-r", out("b.pcapng"), "-w", out("c.pcap"), "--format", "pcap"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_packets(read_output(out("c.pcap")), pick(packets_, {0, 1, 8}));
  EXPECT_EQ(bpfc({"filter", "-r", in(), "--format", "pcapng"}).exit_code, 2);
  EXPECT_EQ(bpfc({"filter", "-r", in(), "-w", out(), "--format", "erf"}).exit_code, 2);
}

uint32_t magic_of(const std::string& path) {
  std::string bytes = read_file(path);
  if (bytes.size() < 4) return 0;
  uint32_t magic = 0;
  for (int i = 3; i >= 0; --i) magic = magic << 8 | static_cast<uint8_t>(bytes[static_cast<size_t>(i)]);
  return magic;
}

TEST_F(FilterCommand, TimestampPrecisionFollowsTheInputOrNano) {
  constexpr uint32_t kMicroMagic = 0xa1b2c3d4, kNanoMagic = 0xa1b23c4d;
  ASSERT_EQ(bpfc({"filter", "-r", in(), "-w", out()}).exit_code, 0);
  EXPECT_EQ(magic_of(out()), kMicroMagic);
  ASSERT_EQ(bpfc({"filter", "-r", in(), "-w", out("nano.pcap"), "--nano"}).exit_code, 0);
  EXPECT_EQ(magic_of(out("nano.pcap")), kNanoMagic);
  expect_same_packets(read_output(out("nano.pcap")), packets_);

  std::vector<PcapPacket> precise = {{kStart + 123456789, ethernet(0x0800, ipv4(17, udp(1, 2))), 0},
                                     {kStart + kSecond + 1, ethernet(0x0800, ipv4(6, tcp(1, 2, 0x02))), 0}};
  write_pcap(dir_.file("precise.pcap"), DLT_EN10MB, precise, true);
  ASSERT_EQ(bpfc({"filter", "-r", dir_.file("precise.pcap"), "-w", out("kept.pcap")}).exit_code, 0);
  EXPECT_EQ(magic_of(out("kept.pcap")), kNanoMagic);
  expect_same_packets(read_output(out("kept.pcap")), precise);
  // Through pcapng and back, still to the nanosecond.
  ASSERT_EQ(bpfc({"filter", "-r", dir_.file("precise.pcap"), "-w", out("p.pcapng"), "--format", "pcapng"}).exit_code,
            0);
  expect_same_packets(read_output(out("p.pcapng")), precise);
  ASSERT_EQ(bpfc({"filter", "-r", out("p.pcapng"), "-w", out("back.pcap"), "--format", "pcap"}).exit_code, 0);
  EXPECT_EQ(magic_of(out("back.pcap")), kNanoMagic);
  expect_same_packets(read_output(out("back.pcap")), precise);
}

TEST_F(FilterCommand, LinktypeOptionOverridesTheFiles) {
  // Raw IP packets in a file that claims Ethernet.
  std::vector<PcapPacket> raw = {{kStart, ipv4(17, udp(1, 53)), 0}, {kStart + kSecond, ipv4(6, tcp(1, 80, 0x02)), 0}};
  write_pcap(dir_.file("mislabelled.pcap"), DLT_EN10MB, raw);
  ProcessResult r = bpfc({"filter", "-r", dir_.file("mislabelled.pcap"), "-w", out(), "udp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(2, 0));
  r = bpfc({"filter", "-r", dir_.file("mislabelled.pcap"), "-y", "RAW", "-w", out(), "udp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(2, 1));
  expect_same_packets(read_output(out()), {raw[0]});
  EXPECT_EQ(read_with_libpcap(out()).dlt, DLT_RAW);  // relabelled
  setenv("TZ", "UTC", 1);
  r = bpfc({"filter", "-r", dir_.file("mislabelled.pcap"), "-y", "raw", "tcp"});
  EXPECT_EQ(r.out, "22:13:21.000000 IP 10.0.0.1.1 > 10.0.0.2.80: tcp 0\n");
  r = bpfc({"filter", "-r", dir_.file("mislabelled.pcap"), "-y", "NO_SUCH_TYPE"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown link type"), std::string::npos) << r.err;
}

// An Ethernet interface and a raw-IP interface in one pcapng file, which
// libpcap refuses to read and bpfc handles with one program per link type.
std::string two_linktype_pcapng() {
  PcapngBuilder file;
  file.interface(1);    // LINKTYPE_ETHERNET
  file.interface(101);  // LINKTYPE_RAW
  file.packet(0, 1700000000000000, ethernet(0x0800, ipv4(17, udp(1, 53))));
  file.packet(1, 1700000001000000, ipv4(17, udp(2, 53)));
  file.packet(0, 1700000002000000, ethernet(0x0800, ipv4(6, tcp(3, 80, 0x02))));
  file.packet(1, 1700000003000000, ipv4(6, tcp(4, 80, 0x02)));
  file.packet(1, 1700000004000000, ipv6(17, udp(5, 53)));
  return file.str();
}

TEST_F(FilterCommand, CompilesOncePerLinkTypeOfAPcapngFile) {
  write_file(dir_.file("two.pcapng"), two_linktype_pcapng());
  setenv("TZ", "UTC", 1);
  ProcessResult r = bpfc({"filter", "-r", dir_.file("two.pcapng"), "udp", "port", "53"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "22:13:20.000000 IP 10.0.0.1.1 > 10.0.0.2.53: UDP, length 0\n"
            "22:13:21.000000 IP 10.0.0.1.2 > 10.0.0.2.53: UDP, length 0\n"
            "22:13:24.000000 IP6 2001:db8::1.5 > 2001:db8::2.53: UDP, length 0\n");
  EXPECT_EQ(r.err, counts(5, 3));
  // pcapng output keeps both interfaces; bpfc reads it back.
  r = bpfc({"filter", "-r", dir_.file("two.pcapng"), "-w", out("tcp.pcapng"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = bpfc({"filter", "-r", out("tcp.pcapng")});
  EXPECT_EQ(r.out,
            "22:13:22.000000 IP 10.0.0.1.3 > 10.0.0.2.80: tcp 0\n"
            "22:13:23.000000 IP 10.0.0.1.4 > 10.0.0.2.80: tcp 0\n");
  // A pcap file holds one link type: refused before the output is created,
  // for the interfaces a pcapng file describes up front as for pcap inputs.
  r = bpfc({"filter", "-r", dir_.file("two.pcapng"), "-w", out("two.pcap"), "--format", "pcap", "tcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--format pcapng"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(out("two.pcap")));
  write_pcap(dir_.file("raw.pcap"), DLT_RAW, {{kStart, ipv4(6, tcp(1, 80, 0x02)), 0}});
  r = bpfc({"filter", "-r", in(), "-r", dir_.file("raw.pcap"), "-w", out("both.pcap"), "tcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("use --format pcapng"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("raw.pcap: interface 0 has link type RAW"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(out("both.pcap")));
  r = bpfc({"filter", "-r", in(), "-r", dir_.file("raw.pcap"), "-w", out("both.pcapng"), "--format", "pcapng", "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(11, 4));
}

TEST_F(FilterCommand, CompileErrorsShowTheCaret) {
  ProcessResult r = bpfc({"filter", "-r", in(), "-w", out(), "tcp", "port", "http2x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("bpfc: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("\n    tcp port http2x\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out()));  // refused before any output
  // The same error as `bpfc compile` for that link type.
  ProcessResult compiled = bpfc({"compile", "tcp", "port", "http2x"});
  EXPECT_EQ(r.err, compiled.err);

  // With several link types, the message says which one failed.
  write_file(dir_.file("two.pcapng"), two_linktype_pcapng());
  r = bpfc({"filter", "-r", dir_.file("two.pcapng"), "vlan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("interface 1 has link type RAW"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'vlan' not supported on DLT_RAW"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("    vlan\n    ^^^^"), std::string::npos) << r.err;
}

TEST_F(FilterCommand, FilesThatCannotBeOpenedOrCreated) {
  ProcessResult r = bpfc({"filter", "-r", dir_.file("missing.pcap")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "bpfc: " + dir_.file("missing.pcap") + ": No such file or directory\n");
  // A missing input is found before anything is read or written.
  r = bpfc({"filter", "-r", in(), "-r", dir_.file("missing.pcap"), "-w", out()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "bpfc: " + dir_.file("missing.pcap") + ": No such file or directory\n");
  EXPECT_FALSE(std::filesystem::exists(out()));
  r = bpfc({"filter", "-r", in(), "-w", dir_.file("no/such/dir/out.pcap")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("can't create " + dir_.file("no/such/dir/out.pcap")), std::string::npos) << r.err;
  // Writing over an input would destroy it while it is read.
  std::string before = read_file(in());
  r = bpfc({"filter", "-r", in(), "-w", in(), "tcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refusing to overwrite an input file"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(in()), before);
  EXPECT_EQ(bpfc({"filter", "tcp"}).exit_code, 2);  // no -r
}

TEST_F(FilterCommand, NotSavefiles) {
  write_file(dir_.file("empty.pcap"), "");
  ProcessResult r = bpfc({"filter", "-r", dir_.file("empty.pcap"), "-w", out()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "bpfc: " + dir_.file("empty.pcap") + ": empty file: not a pcap or pcapng savefile\n");
  EXPECT_FALSE(std::filesystem::exists(out()));
  write_file(dir_.file("text.pcap"), "GET / HTTP/1.1\r\n\r\n");
  r = bpfc({"filter", "-r", dir_.file("text.pcap")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a pcap or pcapng savefile"), std::string::npos) << r.err;
  write_file(dir_.file("short.pcap"), read_file(in()).substr(0, 10));
  r = bpfc({"filter", "-r", dir_.file("short.pcap")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("short.pcap: "), std::string::npos) << r.err;
  r = bpfc({"filter", "-r", "-"}, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("standard input: empty file"), std::string::npos) << r.err;
  r = bpfc({"filter", "-r", kPcapsDir + "/pcap-invalid-version-2.pcap"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unsupported pcap savefile version 2.5"), std::string::npos) << r.err;
}

// The byte offset of record `index` of a pcap file written by write_pcap.
uint64_t record_offset(const std::vector<PcapPacket>& packets, size_t index) {
  uint64_t offset = 24;
  for (size_t i = 0; i < index; ++i) offset += 16 + packets[i].data.size();
  return offset;
}

void set_le32(std::string& bytes, uint64_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[offset + static_cast<uint64_t>(i)] = static_cast<char>(value >> (8 * i));
}

// A damaged input: exit status 3, "bpfc: FILE: byte offset N: ...", the
// packets before the damage filtered, the output complete and readable.
void expect_damage(const ProcessResult& r, const std::string& name, uint64_t offset, const std::string& message,
                   const std::string& output, const std::vector<PcapPacket>& kept) {
  EXPECT_EQ(r.exit_code, 3) << r.err;
  std::string expected = "bpfc: " + name + ": byte offset " + std::to_string(offset) + ": ";
  EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in:\n" << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "expected '" << message << "' in:\n" << r.err;
  expect_same_packets(read_output(output), kept);
}

TEST_F(FilterCommand, TruncatedLastRecord) {
  std::string bytes = read_file(in());
  write_file(dir_.file("cut.pcap"), bytes.substr(0, bytes.size() - 10));
  ProcessResult r = bpfc({"filter", "-r", dir_.file("cut.pcap"), "-w", out()});
  expect_damage(r, dir_.file("cut.pcap"), record_offset(packets_, 9), "truncated", out(),
                pick(packets_, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_NE(r.err.find(counts(9, 9)), std::string::npos) << r.err;
  // A record header cut short, in the middle of the file's last header.
  write_file(dir_.file("cut-header.pcap"), bytes.substr(0, record_offset(packets_, 9) + 7));
  r = bpfc({"filter", "-r", dir_.file("cut-header.pcap"), "-w", out(), "tcp"});
  expect_damage(r, dir_.file("cut-header.pcap"), record_offset(packets_, 9), "truncated", out(),
                pick(packets_, {0, 1, 8}));
  // The same from a pipe, into a pcapng output.
  r = bpfc({"filter", "-r", "-", "-w", out("cut.pcapng"), "udp"}, bytes.substr(0, bytes.size() - 10));
  expect_damage(r, "standard input", record_offset(packets_, 9), "truncated", out("cut.pcapng"),
                pick(packets_, {2, 5}));
  // Summary lines stop at the damage too.
  r = bpfc({"filter", "-r", dir_.file("cut.pcap")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(count_lines(r.out), 9u);
}

TEST_F(FilterCommand, CaptureLengthsBeyondTheLimits) {
  std::string bytes = read_file(in());
  // A caplen above 256 KiB: corrupt, as libpcap says.
  std::string huge = bytes;
  set_le32(huge, record_offset(packets_, 4) + 8, 300000);
  set_le32(huge, record_offset(packets_, 4) + 12, 300000);
  write_file(dir_.file("huge.pcap"), huge);
  ProcessResult r = bpfc({"filter", "-r", dir_.file("huge.pcap"), "-w", out()});
  expect_damage(r, dir_.file("huge.pcap"), record_offset(packets_, 4), "300000", out(),
                pick(packets_, {0, 1, 2, 3}));
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;

  // A caplen above the snaplen is cut to the snaplen, as libpcap does: a
  // warning (once, with the count), not an error.
  std::vector<PcapPacket> long_packets = {{kStart, ethernet(0x0800, ipv4(17, udp(1, 2, Bytes(100, 'a')))), 0},
                                          {kStart + 1, ethernet(0x0800, ipv4(17, udp(1, 2, Bytes(90, 'b')))), 0},
                                          {kStart + 2, ethernet(0x0800, ipv4(17, udp(1, 2))), 0}};
  write_pcap(dir_.file("long.pcap"), DLT_EN10MB, long_packets, false, 64);
  r = bpfc({"filter", "-r", dir_.file("long.pcap"), "-w", out("long-out.pcap"), "udp"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.err), 2u) << r.err;
  EXPECT_NE(r.err.find("bpfc: warning: " + dir_.file("long.pcap") + ": byte offset 24: 2 packets"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(counts(3, 3)), std::string::npos) << r.err;
  // What libpcap itself makes of the input is what bpfc kept.
  expect_same_packets(read_output(out("long-out.pcap")), read_with_libpcap(dir_.file("long.pcap")).packets);
}

TEST_F(FilterCommand, DamagedPcapngBlocks) {
  ASSERT_EQ(bpfc({"filter", "-r", in(), "-w", out("all.pcapng"), "--format", "pcapng"}).exit_code, 0);
  std::string bytes = read_file(out("all.pcapng"));
  // Walk the blocks: offsets of the packet blocks.
  std::vector<uint64_t> packet_blocks;
  for (uint64_t offset = 0; offset + 8 <= bytes.size();) {
    uint32_t type = 0, length = 0;
    for (int i = 3; i >= 0; --i) {
      type = type << 8 | static_cast<uint8_t>(bytes[offset + static_cast<uint64_t>(i)]);
      length = length << 8 | static_cast<uint8_t>(bytes[offset + 4 + static_cast<uint64_t>(i)]);
    }
    if (type == 6) packet_blocks.push_back(offset);
    offset += length;
  }
  ASSERT_EQ(packet_blocks.size(), 10u);

  // A truncated last block.
  write_file(dir_.file("cut.pcapng"), bytes.substr(0, bytes.size() - 5));
  ProcessResult r = bpfc({"filter", "-r", dir_.file("cut.pcapng"), "-w", out("cut-out.pcapng")});
  expect_damage(r, dir_.file("cut.pcapng"), packet_blocks[9], "truncated", out("cut-out.pcapng"),
                pick(packets_, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
  // A block length that is not a multiple of 4, into a pcap output.
  std::string odd = bytes;
  set_le32(odd, packet_blocks[3] + 4, 94);
  write_file(dir_.file("odd.pcapng"), odd);
  r = bpfc({"filter", "-r", dir_.file("odd.pcapng"), "-w", out("odd.pcap"), "--format", "pcap"});
  expect_damage(r, dir_.file("odd.pcapng"), packet_blocks[3], "not a multiple of 4", out("odd.pcap"),
                pick(packets_, {0, 1, 2}));
  // A block length that disagrees with its trailer.
  std::string mismatched = bytes;
  set_le32(mismatched, packet_blocks[5] + 4, 400);
  write_file(dir_.file("mismatch.pcapng"), mismatched);
  r = bpfc({"filter", "-r", dir_.file("mismatch.pcapng"), "-w", out("m.pcapng"), "ip or ip6 or arp"});
  expect_damage(r, dir_.file("mismatch.pcapng"), packet_blocks[5], "don't match", out("m.pcapng"),
                pick(packets_, {0, 1, 2, 3, 4}));
  // A length that runs past the end of the file.
  std::string overlong = bytes;
  set_le32(overlong, packet_blocks[9] + 4, 100000);
  write_file(dir_.file("overlong.pcapng"), overlong);
  r = bpfc({"filter", "-r", dir_.file("overlong.pcapng"), "-w", out("o.pcapng")});
  expect_damage(r, dir_.file("overlong.pcapng"), packet_blocks[9], "truncated", out("o.pcapng"),
                pick(packets_, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST_F(FilterCommand, UnknownPcapngBlocksAreCopiedThrough) {
  PcapngBuilder file;
  file.interface(1);
  file.packet(0, 1700000000000000, ethernet(0x0800, ipv4(17, udp(1, 53))));
  Bytes bytes = file.bytes();
  // A block of an unassigned type between the packets.
  Bytes unknown = {0xd0, 0xba, 0xad, 0x0b, 16, 0, 0, 0, 'a', 'b', 'c', 'd', 16, 0, 0, 0};
  bytes.insert(bytes.end(), unknown.begin(), unknown.end());
  PcapngBuilder second;
  second.packet(0, 1700000001000000, ethernet(0x0800, ipv4(6, tcp(1, 80, 0x02))));
  Bytes rest = second.bytes();
  bytes.insert(bytes.end(), rest.begin() + 28, rest.end());  // without the second SHB
  write_file(dir_.file("unknown.pcapng"), std::string(bytes.begin(), bytes.end()));
  ProcessResult r = bpfc({"filter", "-r", dir_.file("unknown.pcapng"), "-w", out("u.pcapng")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, counts(2, 2));
  EXPECT_EQ(read_output(out("u.pcapng")).size(), 2u);
  EXPECT_NE(read_file(out("u.pcapng")).find(std::string("\xd0\xba\xad\x0b\x10\0\0\0abcd", 12)), std::string::npos);
}

TEST_F(FilterCommand, BrokenPipeEndsQuietly) {
  // Enough output to fill a pipe many times over.
  std::vector<std::string> args = {"filter"};
  for (int i = 0; i < 2000; ++i) {
    args.push_back("-r");
    args.push_back(in());
  }
  std::string command;
  for (const std::string& arg : args) command += " '" + arg + "'";
  // Savefile output and summary lines, whether the shell ignores SIGPIPE or
  // not: a reader that goes away ends the job with status 0, as tcpdump's,
  // and the counts say the job stopped there.
  for (const char* output : {" -w -", ""}) {
    for (const char* ignore : {"", "trap '' PIPE; "}) {
      ProcessResult r = testsupport::run_process(
          {"bash", "-c", std::string(ignore) + "'" + bpfc_binary() + "'" + command + output + " 2>" + dir_.file("err.txt") +
                             " | head -c 100 >/dev/null; echo ${PIPESTATUS[0]}"});
      EXPECT_EQ(r.out, "0\n") << output << ignore;
      std::string err = read_file(dir_.file("err.txt"));
      EXPECT_TRUE(std::regex_match(err, std::regex("\\d+ packets read, \\d+ matched before the reader of standard "
                                                   "output went away\n")))
          << output << ignore << ": " << err;
    }
  }
}

}  // namespace
}  // namespace bpfc::clitest

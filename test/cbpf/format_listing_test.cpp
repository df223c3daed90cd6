// format_insn / format_listing against libpcap's bpf_image() and tcpdump -d.
#include <gtest/gtest.h>

#include "../runtime/cbpf_program_generator.h"
#include "../runtime/libpcap_oracle.h"
#include "bpfc/cbpf/format.h"
#include "format_tcpdump.h"

namespace bpfc::cbpf {
namespace {

using testing::ProgramGenerator;

// Numeric expressions only: nothing here may need a name lookup.
struct TcpdumpCase {
  const char* dlt;
  const char* expr;
};
const TcpdumpCase kTcpdumpCases[] = {
    {"EN10MB", "ip"},
    {"EN10MB", "tcp port 80"},
    {"EN10MB", "ip protochain 6"},  // backward ja
    {"EN10MB", "ip6 protochain 17"},
    {"EN10MB", "vlan 100 and tcp"},
    {"EN10MB", "ip[2:2] & 1 = 0 and len - 1 > 5"},
    {"EN10MB", "ip[0] * ip[1] / 3 % 7 = 2 and ip[0] << 2 >> 1 = 4 and ip[0] ^ 0xff = 3"},
    {"EN10MB", "ip[1] - ip[2] = 1 or - ip[0] = 4 or ip[3] | 2 = 3"},
    {"EN10MB", "tcp[13] & 7 != 0 and icmp[0] = 8 or udp[8:4] = 0xdeadbeef"},
    {"EN10MB", "greater 100 and less 1000"},
    {"EN10MB", "portrange 1000-2000 or net 10.0.0.0/8 or host 192.168.1.1"},
    {"EN10MB", "ether host 00:11:22:33:44:55 or ether proto 0x88cc"},
    {"EN10MB", "mpls 100 and ip"},
    {"EN10MB", "pppoes 5 and udp"},
    {"EN10MB", "arp or rarp or ip multicast or ether[len - 4:4] = 0"},
    {"LINUX_SLL", "ip and udp dst port 53"},
    {"RAW", "ip and tcp[tcpflags] & (tcp-syn|tcp-fin) != 0"},
    {"IEEE802_11_RADIO", "wlan type mgt subtype beacon"},
    {"NULL", "ip6"},
};

TEST(FormatListing, MatchesBpfImageOnRandomInstructions) {
  ProgramGenerator gen(99);
  for (int i = 0; i < 200000; ++i) {
    const Insn insn = gen.any_insn();
    const uint32_t pc = gen.chance(80) ? gen.below(300) : gen.below(100000);
    ASSERT_EQ(format_insn(insn, pc), testing::libpcap_image(insn, static_cast<int>(pc)))
        << "code 0x" << std::hex << insn.code << " jt " << std::dec << int(insn.jt) << " jf "
        << int(insn.jf) << " k 0x" << std::hex << insn.k;
  }
}

TEST(FormatListing, MatchesBpfImageOnEveryOpcode) {
  for (uint32_t code = 0; code <= 0xffff; ++code) {
    for (uint32_t k : {0u, 15u, 0x80000000u, 0xfffff02cu}) {
      const Insn insn{static_cast<uint16_t>(code), 3, 250, k};
      ASSERT_EQ(format_insn(insn, 7), testing::libpcap_image(insn, 7)) << "code 0x" << std::hex << code;
    }
  }
}

TEST(FormatListing, LibpcapMasterStyle) {
  EXPECT_EQ(format_insn(stmt(MISC | TAX, 0), 6, ListingStyle::Libpcap1_11), "(006) tax");
  EXPECT_EQ(format_insn(stmt(MISC | TAX, 0), 6, ListingStyle::Libpcap1_10), "(006) tax      ");
  EXPECT_EQ(format_insn(stmt(RET | RET_A, 0), 48, ListingStyle::Libpcap1_11), "(048) ret");
  EXPECT_EQ(format_insn(stmt(LDX | W | LEN, 0), 39, ListingStyle::Libpcap1_11),
            "(039) ldx      #pktlen");
  EXPECT_EQ(format_insn(stmt(LDX | W | LEN, 0), 39, ListingStyle::Libpcap1_10),
            "(039) unimp    0x81");
  EXPECT_EQ(format_insn(stmt(ALU | ADD | K, 15), 4, ListingStyle::Libpcap1_11),
            "(004) add      #15");
}

TEST(FormatListing, MatchesTcpdumpD) {
  if (!testing::tcpdump_available()) GTEST_SKIP() << "/usr/bin/tcpdump is not installed";
  for (const TcpdumpCase& c : kTcpdumpCases) {
    for (bool optimize : {true, false}) {
      const auto program = testing::libpcap_compile(c.dlt, c.expr, optimize);
      ASSERT_TRUE(program) << c.expr;
      const auto expected = testing::tcpdump_output(optimize ? "-d" : "-O -d", c.dlt, c.expr);
      ASSERT_TRUE(expected) << "tcpdump failed on " << c.expr;
      EXPECT_EQ(format_listing(*program), *expected) << c.dlt << " " << c.expr;
    }
  }
}

TEST(FormatListing, MatchesTcpdumpDdAndDdd) {
  if (!testing::tcpdump_available()) GTEST_SKIP() << "/usr/bin/tcpdump is not installed";
  for (const TcpdumpCase& c : kTcpdumpCases) {
    const auto program = testing::libpcap_compile(c.dlt, c.expr, true);
    ASSERT_TRUE(program) << c.expr;
    const auto c_array = testing::tcpdump_output("-dd", c.dlt, c.expr);
    const auto decimal = testing::tcpdump_output("-ddd", c.dlt, c.expr);
    ASSERT_TRUE(c_array && decimal) << "tcpdump failed on " << c.expr;
    EXPECT_EQ(format_c_array(*program), *c_array) << c.dlt << " " << c.expr;
    EXPECT_EQ(format_decimal(*program), *decimal) << c.dlt << " " << c.expr;
  }
}

TEST(FormatListing, LongProgramsKeepCountingPastThreeDigits) {
  std::string expr = "tcp port 1";
  for (int port = 2; port <= 150; ++port) expr += " or tcp port " + std::to_string(port);
  const auto program = testing::libpcap_compile("EN10MB", expr, false);
  ASSERT_TRUE(program);
  ASSERT_GT(program->size(), 1000u);
  if (!testing::tcpdump_available()) GTEST_SKIP() << "/usr/bin/tcpdump is not installed";
  const auto expected = testing::tcpdump_output("-O -d", "EN10MB", expr);
  ASSERT_TRUE(expected);
  EXPECT_EQ(format_listing(*program), *expected);
}

TEST(FormatDump, Layout) {
  const Program p = {stmt(LD | H | ABS, 12), jump(JMP | JEQ | K, 0x800, 0, 1), stmt(RET | K, 262144),
                     stmt(RET | K, 0)};
  EXPECT_EQ(format_c_array(p),
            "{ 0x28, 0, 0, 0x0000000c },\n"
            "{ 0x15, 0, 1, 0x00000800 },\n"
            "{ 0x6, 0, 0, 0x00040000 },\n"
            "{ 0x6, 0, 0, 0x00000000 },\n");
  EXPECT_EQ(format_decimal(p), "4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n");
  EXPECT_EQ(format_decimal({}), "0\n");
  EXPECT_EQ(format_c_array({}), "");
}

}  // namespace
}  // namespace bpfc::cbpf

// `asm`, `verify` and `run`, alone and chained with `compile`; and the
// printed layouts against tcpdump's own -d/-dd/-ddd output.
#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

// Numeric filters only: tcpdump must never need a resolver here.
const std::vector<std::string> kFilters = {
    "tcp port 80", "ip and udp", "icmp or arp", "vlan 100 and ip6", "tcp[tcpflags] & tcp-syn != 0",
    "net 10.0.0.0/8 and not host 10.1.2.3", "len > 100 and ether[0] & 1 = 0", "ip6 and tcp portrange 1000-2000"};

TEST(Asm, ConvertsBetweenLayoutsLosslessly) {
  for (const std::string& filter : kFilters) {
    auto listing = bpfc({"compile", "-d", filter});
    auto c_array = bpfc({"compile", "-dd", filter});
    auto decimal = bpfc({"compile", "-ddd", filter});
    ASSERT_EQ(listing.exit_code, 0) << filter << ": " << listing.err;
    EXPECT_EQ(bpfc({"asm"}, listing.out).out, listing.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-dd", "-"}, listing.out).out, c_array.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-ddd"}, c_array.out).out, decimal.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-d"}, decimal.out).out, listing.out) << filter;
  }
}

TEST(Asm, RefusesGarbageWithStatusOne) {
  auto r = bpfc({"asm"}, "this is not a program\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("<stdin>:1:1: error: expected ", 0), 0u) << r.err;
  EXPECT_EQ(bpfc({"asm", "/nonexistent/program"}).exit_code, 1);
}

TEST(TcpdumpLayout, AsmReproducesTcpdumpOutputExactly) {
  if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
  for (const std::string& filter : kFilters) {
    auto listing = tcpdump({"-y", "EN10MB", "-d", filter});
    auto c_array = tcpdump({"-y", "EN10MB", "-dd", filter});
    auto decimal = tcpdump({"-y", "EN10MB", "-ddd", filter});
    ASSERT_EQ(listing.exit_code, 0) << filter << ": " << listing.err;
    EXPECT_EQ(bpfc({"asm", "-d"}, listing.out).out, listing.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-dd"}, listing.out).out, c_array.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-ddd"}, listing.out).out, decimal.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-d"}, c_array.out).out, listing.out) << filter;
    EXPECT_EQ(bpfc({"asm", "-d"}, decimal.out).out, listing.out) << filter;
  }
}

TEST(TcpdumpLayout, SameProgramPrintsIdentically) {
  if (!tcpdump_available()) GTEST_SKIP() << "tcpdump is not installed";
  // Programs both compilers produce alike: accept-all, with any snaplen.
  for (const char* flag : {"-d", "-dd", "-ddd"}) {
    EXPECT_EQ(bpfc({"compile", flag, ""}).out, tcpdump({"-y", "EN10MB", flag, ""}).out) << flag;
    EXPECT_EQ(bpfc({"compile", "-s", "1514", flag, ""}).out, tcpdump({"-y", "EN10MB", "-s", "1514", flag, ""}).out)
        << flag;
  }
}

TEST(Verify, AcceptsCompiledPrograms) {
  for (const std::string& filter : kFilters) {
    auto compiled = bpfc({"compile", "-ddd", filter});
    auto libpcap_rules = bpfc({"verify"}, compiled.out);
    EXPECT_EQ(libpcap_rules.exit_code, 0) << filter << ": " << libpcap_rules.err;
    EXPECT_NE(libpcap_rules.out.find("valid"), std::string::npos);
    EXPECT_EQ(bpfc({"verify", "--kernel", "-"}, compiled.out).exit_code, 0) << filter;
  }
}

TEST(Verify, ReportsTheFirstBadInstruction) {
  // A jump past the end of the program, at instruction 1.
  const std::string bad = "3\n40 0 0 12\n21 5 0 2048\n6 0 0 0\n";
  auto r = bpfc({"verify"}, bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("instruction 1"), std::string::npos) << r.err;
  // A program that does not end in a return.
  auto no_return = bpfc({"verify", "--kernel"}, "1\n40 0 0 12\n");
  EXPECT_EQ(no_return.exit_code, 1);
  EXPECT_NE(no_return.err.find("instruction 0"), std::string::npos) << no_return.err;
}

// Ethernet + IPv4 + UDP from 10.0.0.1:1024 to 10.0.0.2:53.
const std::string kUdpDns =
    "ffffffffffff001122334455080045000024000000004011000a0a0000010a000002"
    "040000350010000001020304050607";
// Ethernet + ARP request.
const std::string kArp =
    "ffffffffffff001122334455"
    "080600010800060400010011223344550a0000010000000000000a000002";

TEST(Run, PrintsTheVerdictPerPacket) {
  auto r = bpfc({"run", "-e", "udp port 53", kUdpDns, kArp});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "262144\n0\n");
  auto snap = bpfc({"run", "-s", "96", "-e", "udp", kUdpDns});
  EXPECT_EQ(snap.out, "96\n");
  // Separators are allowed, packets may come from stdin one per line.
  auto stdin_run = bpfc({"run", "-e", "arp", "-"}, "# comment\n" + kUdpDns + "\n\n" + kArp + "\n");
  EXPECT_EQ(stdin_run.out, "0\n262144\n") << stdin_run.err;
  EXPECT_EQ(bpfc({"run", "-e", "ether[0:2] = 0xffff", "ff:ff:00"}).out, "262144\n");
}

TEST(Run, TruncatedPacketsAndWireLength) {
  // The UDP port lies beyond a 20-byte capture: the load fails, verdict 0.
  EXPECT_EQ(bpfc({"run", "-e", "udp port 53", kUdpDns.substr(0, 40)}).out, "0\n");
  EXPECT_EQ(bpfc({"run", "-e", "len > 1000", "--wirelen", "1500", kArp}).out, "262144\n");
  EXPECT_EQ(bpfc({"run", "-e", "len > 1000", kArp}).out, "0\n");
}

TEST(Run, RunsProgramFiles) {
  auto compiled = bpfc({"compile", "-dd", "arp"});
  char name[] = "/tmp/bpfc-prog-XXXXXX";
  int fd = mkstemp(name);
  ASSERT_EQ(write(fd, compiled.out.data(), compiled.out.size()), static_cast<ssize_t>(compiled.out.size()));
  close(fd);
  auto r = bpfc({"run", "-p", name, kUdpDns, kArp});
  std::remove(name);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n262144\n");
}

// As libpcap refuses to install a program bpf_validate() rejects, `run -p`
// refuses to run one, pointing at the instruction; asm has nothing to convert
// in an empty input.
TEST(Run, RefusesInvalidPrograms) {
  auto jump_past_end = bpfc({"run", "-p", "-", "00"}, "3\n40 0 0 12\n21 5 0 2048\n6 0 0 0\n");
  EXPECT_EQ(jump_past_end.exit_code, 1);
  EXPECT_EQ(jump_past_end.out, "");
  EXPECT_TRUE(jump_past_end.err.starts_with("<stdin>:3:1: error: invalid program under libpcap's rules: instruction 1"))
      << jump_past_end.err;
  auto empty = bpfc({"run", "-p", "-", "00"}, "");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("the program is empty"), std::string::npos) << empty.err;
  auto asm_empty = bpfc({"asm"}, "\n");
  EXPECT_EQ(asm_empty.exit_code, 1);
  EXPECT_EQ(asm_empty.out, "");
  EXPECT_NE(asm_empty.err.find("no instructions"), std::string::npos) << asm_empty.err;
}

TEST(Run, Errors) {
  EXPECT_EQ(bpfc({"run", "-e", "udp", "xyz"}).exit_code, 1);   // not hex
  EXPECT_EQ(bpfc({"run", "-e", "udp", "abc"}).exit_code, 1);   // odd digit count
  EXPECT_EQ(bpfc({"run", "-e", "udp and", "00"}).exit_code, 1);  // compile error
  EXPECT_EQ(bpfc({"run", "-e", "udp", "-p", "x", "00"}).exit_code, 2);
}

}  // namespace
}  // namespace bpfc::clitest

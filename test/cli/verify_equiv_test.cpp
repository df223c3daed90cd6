// `bpfc verify --equiv A B` as a user runs it: files or expressions on either
// side, the three verdicts and their exit statuses, and a counterexample that
// `bpfc run` replays with the values printed.
#include <sstream>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

using testsupport::detail::TempFile;

// The counterexample block: "differ: A returns X, B returns Y on this packet
// of N bytes (wirelen W):" and the packet's hex on the next line.
struct PrintedDifference {
  uint32_t value_a = 0, value_b = 0, wirelen = 0;
  size_t caplen = 0;
  std::string hex;
};

bool parse_difference(const std::string& out, PrintedDifference& d) {
  if (std::sscanf(out.c_str(), "differ: A returns %u, B returns %u on this packet of %zu bytes (wirelen %u):",
                  &d.value_a, &d.value_b, &d.caplen, &d.wirelen) != 4) {
    return false;
  }
  std::istringstream lines(out);
  std::string first;
  std::getline(lines, first);
  std::getline(lines, d.hex);
  if (d.caplen == 0) d.hex = "";
  return d.hex.size() == 2 * d.caplen;
}

std::string run_value(const std::vector<std::string>& program_args, const PrintedDifference& d) {
  std::vector<std::string> args = {"run"};
  args.insert(args.end(), program_args.begin(), program_args.end());
  args.insert(args.end(), {"--wirelen", std::to_string(d.wirelen), d.hex});
  auto r = bpfc(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(VerifyEquiv, EquivalentExpressions) {
  auto r = bpfc({"verify", "--equiv", "--length", "64", "tcp port 80", "tcp src port 80 or tcp dst port 80"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("equivalent for every packet of up to 64 bytes (", 0), 0u) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(VerifyEquiv, ProgramFileAgainstExpression) {
  TempFile program;
  auto compiled = bpfc({"compile", "-ddd", "udp port 53"});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
  program.write(compiled.out);
  auto r = bpfc({"verify", "--equiv", "--length", "80", program.path(), "udp port 53"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("equivalent"), std::string::npos) << r.out;
  // Standard input for one side.
  r = bpfc({"verify", "--equiv", "--length", "80", "-", "udp port 53"}, compiled.out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(VerifyEquiv, DifferenceIsPrintedAndReplays) {
  auto r = bpfc({"verify", "--equiv", "--length", "64", "tcp port 80", "tcp port 81"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  PrintedDifference d;
  ASSERT_TRUE(parse_difference(r.out, d)) << r.out;
  EXPECT_NE(d.value_a, d.value_b);
  EXPECT_LE(d.caplen, 64u);
  EXPECT_GE(d.wirelen, d.caplen);
  EXPECT_EQ(run_value({"-e", "tcp port 80"}, d), std::to_string(d.value_a) + "\n");
  EXPECT_EQ(run_value({"-e", "tcp port 81"}, d), std::to_string(d.value_b) + "\n");
  EXPECT_NE(r.out.find("replay: bpfc run -e 'tcp port 80' --wirelen " + std::to_string(d.wirelen) + " " + d.hex),
            std::string::npos)
      << r.out;
}

TEST(VerifyEquiv, OptimizationLevelsPerSide) {
  // libpcap's optimizer folds the whole filter to "accept", dropping the load
  // of ip[50]; unoptimized, a short IPv4 packet is rejected by that load.
  const std::string expression = "ip[50] = 1 or 1 = 1";
  auto r = bpfc({"verify", "--equiv", "--opt-a", "0", "--opt-b", "2", expression, expression});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  PrintedDifference d;
  ASSERT_TRUE(parse_difference(r.out, d)) << r.out;
  EXPECT_EQ(d.value_a, 0u);
  EXPECT_EQ(d.value_b, 262144u);
  EXPECT_EQ(run_value({"-e", expression, "-O0"}, d), "0\n");
  EXPECT_EQ(run_value({"-e", expression}, d), "262144\n");
  EXPECT_NE(r.out.find("bpfc run -e 'ip[50] = 1 or 1 = 1' -O0 --wirelen"), std::string::npos) << r.out;
  // -O0 applies to both sides.
  r = bpfc({"verify", "--equiv", "-O0", expression, "ip[50] = 1 or 1 = 1 or 2 = 2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(VerifyEquiv, VerdictOnlyIgnoresTheSnapshotLength) {
  TempFile short_snap;
  auto compiled = bpfc({"compile", "-s", "96", "-dd", "icmp"});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
  short_snap.write(compiled.out);
  auto exact = bpfc({"verify", "--equiv", "--length", "40", short_snap.path(), "icmp"});
  EXPECT_EQ(exact.exit_code, 1) << exact.out << exact.err;
  auto verdicts = bpfc({"verify", "--equiv", "--verdict-only", "--length", "40", short_snap.path(), "icmp"});
  EXPECT_EQ(verdicts.exit_code, 0) << verdicts.out << verdicts.err;
  EXPECT_EQ(verdicts.out.rfind("equivalent verdicts for every packet of up to 40 bytes", 0), 0u) << verdicts.out;
  auto same_snap = bpfc({"verify", "--equiv", "-s", "96", "--length", "40", short_snap.path(), "icmp"});
  EXPECT_EQ(same_snap.exit_code, 0) << same_snap.out << same_snap.err;
}

TEST(VerifyEquiv, LoopsAreDecided) {
  // While P[0] != 0 the loop goes round in the same state: an endless run,
  // which returns 0.
  TempFile loop, loop_free;
  loop.write("(000) ldb [0]\n(001) jeq #0 jt 3 jf 2\n(002) ja 0\n(003) ret #1\n");
  loop_free.write("(000) ldb [0]\n(001) jeq #0 jt 2 jf 3\n(002) ret #1\n(003) ret #0\n");
  auto same = bpfc({"verify", "--equiv", loop.path(), loop_free.path()});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_EQ(same.out.rfind("equivalent", 0), 0u) << same.out;
  auto r = bpfc({"verify", "--equiv", loop.path(), "ip"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("differ:", 0), 0u) << r.out;
}

TEST(VerifyEquiv, ProtochainLoopMatchesLibpcaps) {
  // tcpdump -d 'ip6 protochain 6' (libpcap 1.10.3): its loop against bpfc's.
  TempFile libpcap;
  libpcap.write(
      "(000) ldh [12]\n(001) jeq #0x86dd jt 2 jf 35\n(002) ldb [20]\n(003) ldx #0x28\n"
      "(004) jeq #0x6 jt 32 jf 5\n(005) jeq #0x3b jt 32 jf 6\n(006) jeq #0x0 jt 10 jf 7\n"
      "(007) jeq #0x3c jt 10 jf 8\n(008) jeq #0x2b jt 10 jf 9\n(009) jeq #0x2c jt 10 jf 19\n"
      "(010) ldb [x + 14]\n(011) st M[0]\n(012) ldb [x + 15]\n(013) add #1\n(014) mul #8\n(015) add x\n"
      "(016) tax\n(017) ld M[0]\n(018) ja 4\n(019) jeq #0x33 jt 20 jf 32\n(020) txa\n(021) ldb [x + 14]\n"
      "(022) st M[0]\n(023) txa\n(024) add #1\n(025) tax\n(026) ldb [x + 14]\n(027) add #2\n"
      "(028) mul #4\n(029) tax\n(030) ld M[0]\n(031) ja 4\n(032) add #0\n(033) jeq #0x6 jt 34 jf 35\n"
      "(034) ret #262144\n(035) ret #0\n");
  // Two different loops are hard to prove alike on long packets: up to the
  // first extension header's two bytes, within the default time.
  auto r = bpfc({"verify", "--equiv", "--length", "54", libpcap.path(), "ip6 protochain 6"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("equivalent for every packet of up to 54 bytes", 0), 0u) << r.out;
  // The unrolled form's bound shows on a short chain.
  auto unrolled = bpfc({"verify", "--equiv", "--length", "80", "--protochain=unrolled", "--protochain-depth=1",
                        libpcap.path(), "ip6 protochain 6"});
  EXPECT_EQ(unrolled.exit_code, 1) << unrolled.out << unrolled.err;
  EXPECT_EQ(unrolled.out.rfind("differ: A returns 262144, B returns 0", 0), 0u) << unrolled.out;
  // bpfc's loop at both levels, on the default 128 bytes.
  auto levels = bpfc({"verify", "--equiv", "--opt-a", "0", "--opt-b", "2", "ip6 protochain 6 or udp",
                      "ip6 protochain 6 or udp"});
  EXPECT_EQ(levels.exit_code, 0) << levels.out << levels.err;
  EXPECT_EQ(levels.out.rfind("equivalent for every packet of up to 128 bytes", 0), 0u) << levels.out;
}

TEST(VerifyEquiv, TimeoutsAreUndecided) {
  // a * (b + c) against a * b + a * c: too hard for 200 ms of bit-blasting.
  TempFile factored, distributed;
  factored.write("(000) ld [4]\n(001) tax\n(002) ld [8]\n(003) add x\n(004) tax\n(005) ld [0]\n"
                 "(006) mul x\n(007) ret\n");
  distributed.write("(000) ld [4]\n(001) tax\n(002) ld [0]\n(003) mul x\n(004) st M[0]\n(005) ld [8]\n"
                    "(006) tax\n(007) ld [0]\n(008) mul x\n(009) ldx M[0]\n(010) add x\n(011) ret\n");
  auto r = bpfc({"verify", "--equiv", "--timeout", "200", "--length", "12", factored.path(), distributed.path()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.out, "unknown: the solver gave up after 200 ms (timeout)\n");
}

// libpcap's optimizer refuses a filter that can never match ("expression
// rejects all packets"), and so does bpfc compile; as a side of --equiv it
// is the program that returns 0 everywhere.
TEST(VerifyEquiv, FiltersThatMatchNothingAreComparedAsRejectingEverything) {
  auto compiled = bpfc({"compile", "ip and ip6"});
  EXPECT_EQ(compiled.exit_code, 1);
  EXPECT_NE(compiled.err.find("expression rejects all packets"), std::string::npos) << compiled.err;

  auto r = bpfc({"verify", "--equiv", "ip and ip6", "ip6 and ip"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("equivalent for every packet of up to 128 bytes (", 0), 0u) << r.out;
  EXPECT_NE(r.err.find("bpfc: note: 'ip and ip6' matches no packet"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bpfc: note: 'ip6 and ip' matches no packet"), std::string::npos) << r.err;
  // Against its unoptimized program, and a program file that returns 0.
  EXPECT_EQ(bpfc({"verify", "--equiv", "--opt-b", "0", "ip and ip6", "ip and ip6"}).exit_code, 0);
  TempFile reject;
  reject.write("(000) ret #0\n");
  EXPECT_EQ(bpfc({"verify", "--equiv", reject.path(), "arp and ip6"}).exit_code, 0);

  // Against a filter that matches something: a counterexample that both
  // replay lines reproduce (the side that matches nothing replays at -O0).
  r = bpfc({"verify", "--equiv", "--length", "64", "ip and ip6", "tcp"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  PrintedDifference d;
  ASSERT_TRUE(parse_difference(r.out, d)) << r.out;
  EXPECT_EQ(d.value_a, 0u);
  EXPECT_EQ(d.value_b, 262144u);
  EXPECT_EQ(run_value({"-e", "tcp"}, d), "262144\n");
  EXPECT_EQ(run_value({"-e", "ip and ip6", "-O0"}, d), "0\n");
  EXPECT_NE(r.out.find("replay: bpfc run -e 'ip and ip6' -O0 --wirelen"), std::string::npos) << r.out;
  // Other refusals stay refusals.
  r = bpfc({"verify", "--equiv", "ip and port 70000", "tcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("neither a file nor an expression bpfc compiles"), std::string::npos) << r.err;
}

TEST(VerifyEquiv, RefusedInputsAreOne) {
  auto r = bpfc({"verify", "--equiv", "tcp port", "tcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("'tcp port' is neither a file nor an expression bpfc compiles"), std::string::npos) << r.err;
  TempFile invalid;
  invalid.write("(000) ldb [0]\n");
  r = bpfc({"verify", "--equiv", "tcp", invalid.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("program B is invalid"), std::string::npos) << r.err;
}

TEST(VerifyEquiv, BadCommandLinesAreTwo) {
  EXPECT_EQ(bpfc({"verify", "--equiv", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--equiv", "tcp", "udp", "icmp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--equiv", "--length", "20000", "tcp", "udp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--equiv", "--min-length", "50", "--length", "40", "tcp", "udp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--equiv", "--opt-a", "3", "tcp", "udp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--equiv", "-y", "NO_SUCH_LINKTYPE", "tcp", "udp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--equiv", "-", "-"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--kernel", "--equiv", "tcp", "udp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "--length", "64", "-"}, "(000) ret #1\n").exit_code, 2);
  EXPECT_EQ(bpfc({"verify", "-y", "RAW", "-"}, "(000) ret #1\n").exit_code, 2);
}

TEST(VerifyEquiv, PlainVerifyStillWorks) {
  auto r = bpfc({"verify"}, "(000) ret #1\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "valid under libpcap's rules: 1 instructions\n");
}

TEST(VerifyEquiv, HelpExplainsEquiv) {
  auto r = bpfc({"help", "verify"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* mention : {"--equiv", "--length", "--timeout", "--verdict-only", "--opt-a", "--opt-b",
                              "--min-length", "bpfc verify --equiv", "3 (--equiv)"}) {
    EXPECT_NE(r.out.find(mention), std::string::npos) << mention;
  }
}

}  // namespace
}  // namespace bpfc::clitest

// `--protochain=loop|unrolled` and `--protochain-depth` on `bpfc compile` and
// `bpfc run -e`: libpcap's loop by default, silently; the unrolled form with
// a warning that says what it rejects, small enough for the kernel.
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// An Ethernet frame: IPv6 with `headers` destination options headers, then TCP.
std::string ipv6_chain(int headers) {
  std::ostringstream hex;
  hex << "000000000000000000000000" << "86dd" << "600000000000";  // version, flow, payload length
  hex << (headers == 0 ? "06" : "3c") << "40";
  for (int i = 0; i < 32; ++i) hex << "00";  // addresses
  for (int i = 0; i < headers; ++i) hex << (i + 1 == headers ? "06" : "3c") << "00000000000000";
  for (int i = 0; i < 20; ++i) hex << "00";
  return hex.str();
}

// The loop is the default: libpcap's verdicts, and a warning that the kernel
// will not load it, which names the way to a form it loads.
TEST(ProtochainOptions, TheLoopIsTheDefault) {
  auto r = bpfc({"compile", "ip6 protochain 6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "bpfc: warning: the Linux kernel will refuse this program (instruction 22: backward jump to "
            "instruction 4 (the kernel allows forward jumps only)); it still runs in user space: bpfc filter, "
            "libpcap's bpf_filter(); --protochain=unrolled gives a loop-free form the kernel loads\n");
  EXPECT_EQ(line_count(r.out), 26u) << r.out;  // libpcap's loop is 36
  EXPECT_NE(r.out.find("ja       4"), std::string::npos) << r.out;  // the backward jump
  EXPECT_EQ(r.out, bpfc({"compile", "--protochain=loop", "ip6 protochain 6"}).out);
  auto ir = bpfc({"compile", "--emit=ir", "ip6 protochain 6"});
  EXPECT_NE(ir.out.find("protochain.ip6"), std::string::npos) << ir.out;
}

TEST(ProtochainOptions, TheUnrolledFormWarnsWhatItRejects) {
  auto r = bpfc({"compile", "--protochain=unrolled", "ip6 protochain 6 or ip6 protochain 17"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "bpfc: warning: protochain follows at most 64 IPv6 extension headers; a packet with more before the "
            "protocol looked for is rejected, where libpcap follows any number\n");
  // No backward jump, and two walks fit the kernel's 4,096 instructions at
  // the default depth.
  EXPECT_LE(line_count(r.out), 4096u);
  auto numbers = bpfc({"compile", "-ddd", "--protochain=unrolled", "ip6 protochain 6 or ip6 protochain 17"});
  std::istringstream in(numbers.out);
  size_t length = 0;
  in >> length;
  for (uint32_t code, jt, jf, k; in >> code >> jt >> jf >> k;) {
    EXPECT_FALSE(code == 0x05 && k >= 0x80000000u) << "backward ja, k = " << k;
  }
  auto deeper = bpfc({"compile", "--protochain=unrolled", "--protochain-depth=5", "-y", "RAW", "protochain 6"});
  ASSERT_EQ(deeper.exit_code, 0) << deeper.err;
  EXPECT_EQ(deeper.err,
            "bpfc: warning: protochain follows at most 5 headers (IPv6 extension headers, or AH headers after "
            "IPv4); a packet with more before the protocol looked for is rejected, where libpcap follows any "
            "number\n");
  auto ir = bpfc({"compile", "--emit=ir", "--protochain=unrolled", "--protochain-depth=2", "ip6 protochain 6"});
  EXPECT_EQ(ir.out.find("protochain"), std::string::npos) << ir.out;
  EXPECT_NE(ir.err.find("at most 2 IPv6"), std::string::npos) << ir.err;
  // Without protochain there is nothing to say.
  auto plain = bpfc({"compile", "--protochain=unrolled", "tcp port 80"});
  EXPECT_EQ(plain.err, "");
}

TEST(ProtochainOptions, SaysWhenTheUnrolledProgramDoesNotFitTheKernel) {
  auto r = bpfc({"compile", "--protochain=unrolled", "--protochain-depth=175", "ip6 protochain 6 or ip6 protochain 17"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(line_count(r.out), 4096u);
  EXPECT_NE(r.err.find("bpfc: warning: the Linux kernel will refuse this program (the program has "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(" instructions; the kernel accepts at most 4096); it still runs in user space: bpfc filter, "
                       "libpcap's bpf_filter(); a smaller --protochain-depth makes it shorter\n"),
            std::string::npos)
      << r.err;
}

TEST(ProtochainOptions, RunFollowsTheChosenForm) {
  // 70 headers: the loop follows them, the unrolled form (64) rejects.
  const std::string packet = ipv6_chain(70);
  auto loop = bpfc({"run", "-e", "ip6 protochain 6", packet});
  ASSERT_EQ(loop.exit_code, 0) << loop.err;
  EXPECT_EQ(loop.out, "262144\n");
  auto unrolled = bpfc({"run", "--protochain=unrolled", "-e", "ip6 protochain 6", packet});
  ASSERT_EQ(unrolled.exit_code, 0) << unrolled.err;
  EXPECT_EQ(unrolled.out, "0\n");
  EXPECT_NE(unrolled.err.find("bpfc: warning: protochain follows at most 64 IPv6"), std::string::npos)
      << unrolled.err;
  auto deeper = bpfc({"run", "--protochain=unrolled", "--protochain-depth=70", "-e", "ip6 protochain 6", packet});
  EXPECT_EQ(deeper.out, "262144\n");
}

TEST(ProtochainOptions, BadValuesAreUsageErrors) {
  EXPECT_EQ(bpfc({"compile", "--protochain=sideways", "ip6 protochain 6"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "--protochain=unrolled", "--protochain-depth=0", "ip6 protochain 6"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "--protochain=unrolled", "--protochain-depth=176", "ip6 protochain 6"}).exit_code, 2);
  auto help = bpfc({"compile", "--help"});
  EXPECT_NE(help.out.find("--protochain"), std::string::npos);
  EXPECT_NE(help.out.find("--protochain-depth"), std::string::npos);
}

}  // namespace
}  // namespace bpfc::clitest

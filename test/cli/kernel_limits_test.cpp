// Programs the Linux kernel would not load: `compile` and `run -e` warn (the
// program still runs in user space) without changing the exit status, and
// `verify` reports every validator message once, at the instruction's line.
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "../runtime/validation_message_cases.h"
#include "bpfc/cbpf/format.h"
#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

std::string host_list(int hosts) {
  std::string text;
  for (int i = 0; i < hosts; ++i) {
    text += (i ? " or host 10." : "host 10.") + std::to_string(i % 7) + "." + std::to_string(i / 200) + "." +
            std::to_string(i % 200 + 1);
  }
  return text;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

size_t listing_length(const std::string& listing) { return count_of(listing, "\n"); }

TEST(KernelLimits, OverLongProgramsCompileWithAWarning) {
  // 1000 hosts: about 5700 instructions at -O2, far more at -O0.
  const std::string filter = host_list(1000);
  for (const char* level : {"-O2", "-O0"}) {
    auto r = bpfc({"compile", level, filter});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const size_t length = listing_length(r.out);
    ASSERT_GT(length, 4096u);
    EXPECT_EQ(r.err, "bpfc: warning: the Linux kernel will refuse this program (the program has " +
                         std::to_string(length) +
                         " instructions; the kernel accepts at most 4096); it still runs in user space: bpfc "
                         "filter, libpcap's bpf_filter()\n")
        << level;
    // The same for every output form, and from a -F file (named).
    EXPECT_NE(bpfc({"compile", level, "--format=json", filter}).err.find("warning: the Linux kernel"), std::string::npos);
    auto from_file = bpfc({"compile", level, "-F", "-"}, filter);
    EXPECT_EQ(from_file.exit_code, 0);
    EXPECT_TRUE(from_file.err.starts_with("<stdin>: warning: the Linux kernel will refuse this program"))
        << from_file.err;
    // verify --kernel gives the same reason.
    auto verified = bpfc({"verify", "--kernel"}, r.out);
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_EQ(verified.err, "<stdin>: error: invalid program under the Linux kernel's rules: the program has " +
                                std::to_string(length) + " instructions; the kernel accepts at most 4096\n");
    EXPECT_EQ(bpfc({"verify"}, r.out).exit_code, 0);  // libpcap's rules have no limit
  }
  // `run -e` warns too, and still gives the verdict.
  auto run = bpfc({"run", "-e", filter, "00"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "0\n");
  EXPECT_NE(run.err.find("warning: the Linux kernel will refuse this program"), std::string::npos) << run.err;
}

TEST(KernelLimits, ProgramsTheKernelLoadsCompileSilently) {
  auto r = bpfc({"compile", host_list(300)});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_LT(listing_length(r.out), 4096u);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(bpfc({"run", "-e", "tcp", "00"}).err, "");
  EXPECT_EQ(bpfc({"verify", "--kernel"}, r.out).exit_code, 0);
}

// Every validator message through `bpfc verify`: the instruction index once
// (none for a problem of the whole program), at the line of that
// instruction in the file, which is shown.
TEST(KernelLimits, VerifyReportsEveryValidatorMessageOnce) {
  for (const runtime::testing::MessageCase& c : runtime::testing::every_message()) {
    const bool kernel = c.rules == runtime::ValidationRules::LinuxKernel;
    const std::string text = cbpf::format_decimal(c.program);
    auto r = bpfc(kernel ? std::vector<std::string>{"verify", "--kernel"} : std::vector<std::string>{"verify"}, text);
    EXPECT_EQ(r.exit_code, 1) << c.message;
    const std::string rules = kernel ? "the Linux kernel's" : "libpcap's";
    if (!c.index) {
      EXPECT_EQ(r.err, "<stdin>: error: invalid program under " + rules + " rules: " + c.message + "\n");
      EXPECT_FALSE(std::regex_search(r.err, std::regex("instruction [0-9]"))) << r.err;
      continue;
    }
    // -ddd: the count on line 1, instruction i on line i + 2.
    const std::string where = "<stdin>:" + std::to_string(*c.index + 2) + ":1: ";
    const std::string written = lines_of(text).at(*c.index + 1);
    EXPECT_EQ(r.err, where + "error: invalid program under " + rules + " rules: instruction " +
                         std::to_string(*c.index) + ": " + c.message + "\n    " + written + "\n    " +
                         std::string(written.size(), '^') + "\n");
    EXPECT_EQ(count_of(r.err, "instruction " + std::to_string(*c.index)), 1u) << r.err;
  }
}

TEST(KernelLimits, VerifyPointsAtTheInstructionInEveryInputForm) {
  // A backward jump (the loop protochain uses), which libpcap's rules allow.
  const cbpf::Program p = {cbpf::stmt(cbpf::LD | cbpf::IMM, 0), cbpf::stmt(cbpf::JMP | cbpf::JA, 0xfffffffe),
                           cbpf::stmt(cbpf::RET | cbpf::K, 1)};
  const std::string message =
      "error: invalid program under the Linux kernel's rules: instruction 1: backward jump to instruction 0 (the "
      "kernel allows forward jumps only)\n";
  EXPECT_TRUE(bpfc({"verify", "--kernel"}, cbpf::format_listing(p)).err.starts_with("<stdin>:2:1: " + message));
  EXPECT_TRUE(bpfc({"verify", "--kernel"}, cbpf::format_c_array(p)).err.starts_with("<stdin>:2:1: " + message));
  EXPECT_TRUE(bpfc({"verify", "--kernel"}, cbpf::format_json(p)).err.starts_with("<stdin>:5:5: " + message));
  EXPECT_EQ(bpfc({"verify"}, cbpf::format_json(p)).exit_code, 0);
}

}  // namespace
}  // namespace bpfc::clitest

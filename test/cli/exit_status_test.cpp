// The exit statuses scripts rely on: 0 success, 1 input refused, 2 bad
// command line; --help and --version succeed.
#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

TEST(ExitStatus, SuccessfulCompileIsZero) {
  auto r = bpfc({"compile", "tcp"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_FALSE(r.out.empty());
}

TEST(ExitStatus, CompileErrorIsOne) {
  auto r = bpfc({"compile", "tcp", "and"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err.rfind("bpfc: ", 0), 0u) << r.err;
}

TEST(ExitStatus, UnknownOptionIsTwo) {
  auto r = bpfc({"compile", "--no-such-option", "tcp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bpfc: "), std::string::npos) << r.err;
}

TEST(ExitStatus, OptionsWithoutACommandAreTwo) {
  EXPECT_EQ(bpfc({"-r", "x.pcap"}).exit_code, 2);
  EXPECT_EQ(bpfc({"--no-such-option"}).exit_code, 2);
}

TEST(ExitStatus, UnknownSubcommandIsTwo) { EXPECT_EQ(bpfc({"frobnicate"}).exit_code, 2); }

TEST(ExitStatus, BadOptionValuesAreTwo) {
  EXPECT_EQ(bpfc({"compile", "-y", "NO_SUCH_LINKTYPE", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "-m", "255.255.0", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "-s", "lots", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "--format=xml", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "--emit=wasm", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"compile", "-dd", "--format=json", "tcp"}).exit_code, 2);
  EXPECT_EQ(bpfc({"run", "00"}).exit_code, 2);  // neither -e nor -p
  EXPECT_EQ(bpfc({"help", "frobnicate"}).exit_code, 2);
}

TEST(ExitStatus, HelpAndVersionAreZero) {
  auto help = bpfc({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"compile", "asm", "verify", "run", "help"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
  auto help_command = bpfc({"help"});
  EXPECT_EQ(help_command.exit_code, 0);
  EXPECT_EQ(help_command.out, help.out);
  auto version = bpfc({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("bpfc ", 0), 0u) << version.out;
}

TEST(ExitStatus, HelpForEachCommandExplainsItsOptions) {
  struct Expectation {
    const char* command;
    std::vector<const char*> mentions;
  };
  const std::vector<Expectation> expectations = {
      {"compile", {"-y", "-s", "-m", "-O", "-d", "--emit", "--format", "-F", "Examples"}},
      {"asm", {"-d", "--format", "Examples"}},
      {"verify", {"--kernel", "Examples"}},
      {"run", {"-e", "-p", "-y", "--wirelen", "Examples"}},
  };
  for (const auto& expectation : expectations) {
    auto via_help = bpfc({"help", expectation.command});
    auto via_flag = bpfc({expectation.command, "--help"});
    EXPECT_EQ(via_help.exit_code, 0) << expectation.command;
    EXPECT_EQ(via_flag.exit_code, 0) << expectation.command;
    EXPECT_EQ(via_help.out, via_flag.out) << expectation.command;
    for (const char* mention : expectation.mentions) {
      EXPECT_NE(via_help.out.find(mention), std::string::npos) << expectation.command << " help lacks " << mention;
    }
  }
}

}  // namespace
}  // namespace bpfc::clitest

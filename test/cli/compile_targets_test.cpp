// `bpfc compile --target` (alias --emit): every registered target is
// reachable by name, --help lists them, and an unknown name is a usage error
// that lists them.
#include <gtest/gtest.h>

#include "bpfc/driver/target.h"
#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

TEST(Targets, TargetAndEmitAreOneOption) {
  const std::vector<std::vector<std::string>> option_sets = {{}, {"-dd"}, {"-ddd"}, {"--format=json"}, {"-O0"}};
  for (const driver::Target& target : driver::targets().all()) {
    for (const auto& options : option_sets) {
      std::vector<std::string> with_target = {"compile", "--target=" + target.name};
      std::vector<std::string> with_emit = {"compile", "--emit", target.name};
      with_target.insert(with_target.end(), options.begin(), options.end());
      with_emit.insert(with_emit.end(), options.begin(), options.end());
      with_target.push_back("tcp port 80 or icmp");
      with_emit.push_back("tcp port 80 or icmp");
      auto a = bpfc(with_target);
      auto b = bpfc(with_emit);
      EXPECT_EQ(a.exit_code, b.exit_code) << target.name;
      EXPECT_EQ(a.out, b.out) << target.name;
      EXPECT_EQ(a.err, b.err) << target.name;
    }
  }
}

TEST(Targets, EachTargetGivesItsOwnOutput) {
  auto cbpf = bpfc({"compile", "--target=cbpf", "tcp"});
  auto ir = bpfc({"compile", "--target=ir", "tcp"});
  ASSERT_EQ(cbpf.exit_code, 0) << cbpf.err;
  ASSERT_EQ(ir.exit_code, 0) << ir.err;
  EXPECT_EQ(cbpf.out, bpfc({"compile", "tcp"}).out);  // cbpf is the default
  EXPECT_NE(cbpf.out, ir.out);
  EXPECT_EQ(cbpf.out.rfind("(000) ", 0), 0u) << cbpf.out;
}

TEST(Targets, HelpListsEveryTargetWithItsDescription) {
  auto r = bpfc({"compile", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--target"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--emit"), std::string::npos) << r.out;
  for (const driver::Target& target : driver::targets().all()) {
    EXPECT_NE(r.out.find(target.name + (target.name == "cbpf" ? " (default)" : "") + ": " + target.description),
              std::string::npos)
        << target.name << "\n" << r.out;
  }
}

TEST(Targets, AnUnknownTargetIsAUsageErrorListingThem) {
  for (const std::string option : {"--target=wasm", "--emit=wasm"}) {
    auto r = bpfc({"compile", option, "tcp"});
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
              option == "--target=wasm"
                  ? "bpfc: unknown target 'wasm' (the targets are cbpf, ebpf, llvm and ir; bpfc compile --help "
                    "describes them)"
                  : "bpfc: unknown --emit 'wasm' (a target's name, as for --target, or what the llvm target writes: "
                    "obj, llvm-ir, asm and header)")
        << r.err;
  }
}

TEST(Targets, OptionsATargetDoesNotTakeAreUsageErrors) {
  auto listing = bpfc({"compile", "--target=ir", "-dd", "tcp"});
  EXPECT_EQ(listing.exit_code, 2);
  EXPECT_EQ(listing.err.substr(0, listing.err.find('\n')), "bpfc: -d, -dd and -ddd do not apply to --target=ir");
  auto format = bpfc({"compile", "--target=ir", "--format=json", "tcp"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err.substr(0, format.err.find('\n')), "bpfc: --format does not apply to --target=ir");
}

}  // namespace
}  // namespace bpfc::clitest

// `bpfc filter --engine`: every registered engine is reachable by name,
// --help lists them, and an unknown name is a usage error that lists them.
#include <gtest/gtest.h>

#include "bpfc/exec/engine.h"
#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

TEST(Engines, TheDefaultEngineIsInterp) {
  auto implicit = bpfc({"filter", "-r", kSample, "tcp"});
  auto named = bpfc({"filter", "-r", kSample, "--engine=interp", "tcp"});
  ASSERT_EQ(implicit.exit_code, 0) << implicit.err;
  EXPECT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(implicit.out, named.out);
  EXPECT_EQ(implicit.err, named.err);
  EXPECT_FALSE(implicit.out.empty());
}

TEST(Engines, HelpListsEveryEngine) {
  auto r = bpfc({"filter", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const exec::Engine& engine : exec::engines().all()) {
    EXPECT_NE(r.out.find(engine.name + (engine.name == exec::kDefaultEngine ? " (default)" : "") + ": " + engine.description),
              std::string::npos)
        << engine.name << "\n" << r.out;
  }
}

TEST(Engines, AnUnknownEngineIsAUsageErrorListingThem) {
  auto r = bpfc({"filter", "-r", kSample, "--engine=native", "tcp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            "bpfc: unknown engine 'native' (the engines are auto, interp, jit, ebpf and kernel; bpfc filter --help "
            "describes them)")
      << r.err;
}

}  // namespace
}  // namespace bpfc::clitest

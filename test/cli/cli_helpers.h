// Running the built bpfc binary (BPFC_BINARY) and tcpdump from CLI tests.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "../support/process.h"

namespace bpfc::clitest {

using testsupport::ProcessResult;

// The binary under test: BPFC_BINARY, or $BPFC_TEST_BINARY when set (to run
// the tests against another build, e.g. one from before a fix).
inline std::string bpfc_binary() {
  const char* chosen = std::getenv("BPFC_TEST_BINARY");
  return chosen != nullptr && *chosen != '\0' ? chosen : BPFC_BINARY;
}

inline ProcessResult bpfc(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), bpfc_binary());
  return testsupport::run_process(args, input);
}

inline bool tcpdump_available() { return testsupport::program_available("tcpdump"); }

// tcpdump's -d/-dd/-ddd output; only numeric filters are given to it, so it
// never consults a resolver.
inline ProcessResult tcpdump(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpdump");
  return testsupport::run_process(args);
}

}  // namespace bpfc::clitest

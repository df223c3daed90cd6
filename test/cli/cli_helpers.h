// Running the built bpfc binary (BPFC_BINARY) and tcpdump from CLI tests.
#pragma once

#include <string>
#include <vector>

#include "../support/process.h"

namespace bpfc::clitest {

using testsupport::ProcessResult;

inline ProcessResult bpfc(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), BPFC_BINARY);
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

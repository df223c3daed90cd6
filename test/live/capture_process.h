// bpfc capture run beside a test: started, and waited for until it says it
// listens; and a number read back from its JSON statistics.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "background_process.h"

namespace bpfc::livetest {

// Starts bpfc capture with `options` and waits until it listens.
inline std::unique_ptr<BackgroundProcess> start_capture(const std::vector<std::string>& options,
                                                        const std::string& stdout_path = "") {
  std::vector<std::string> argv = {BPFC_BINARY, "capture"};
  argv.insert(argv.end(), options.begin(), options.end());
  auto process = std::make_unique<BackgroundProcess>(argv, stdout_path);
  EXPECT_TRUE(process->wait_for_stderr("listening on", std::chrono::seconds(10))) << process->stderr_text();
  return process;
}

// The number after "NAME": in a JSON text (a failure when there is none).
inline uint64_t json_field(const std::string& text, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex("\"" + name + "\":([0-9]+)"))) {
    ADD_FAILURE() << "no " << name << " in " << text;
    return 0;
  }
  return std::stoull(match[1]);
}

}  // namespace bpfc::livetest

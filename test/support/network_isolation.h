// Hermeticity guard for test processes: move into a new, empty network
// namespace when allowed (root), so that even a bug that hands a name to a
// resolver (libpcap's, the system's, a tool's) cannot send a query anywhere.
// Register it in a test directory with one line:
//   BPFC_ISOLATE_NETWORK("diff");
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

namespace bpfc::testsupport {

class NetworkIsolation : public ::testing::Environment {
 public:
  explicit NetworkIsolation(std::string tag) : tag_(std::move(tag)) {}

  void SetUp() override {
    std::cout << "[" << tag_ << "] ";
    if (geteuid() != 0) {
      std::cout << "network isolation not applied (not root); the tests rely on fixture names only\n";
      return;
    }
    if (unshare(CLONE_NEWNET) == 0) {
      std::cout << "network isolation applied: running in a new, empty network namespace\n";
    } else {
      std::cout << "network isolation not applied: unshare(CLONE_NEWNET) failed: " << std::strerror(errno) << "\n";
    }
  }

 private:
  std::string tag_;
};

}  // namespace bpfc::testsupport

// gtest owns the environment once registered; registration happens before
// main() runs the tests.
#define BPFC_ISOLATE_NETWORK(tag)                                         \
  [[maybe_unused]] static ::testing::Environment* const bpfc_isolation = \
      ::testing::AddGlobalTestEnvironment(new ::bpfc::testsupport::NetworkIsolation(tag))

#include "fixture_etc.h"

#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace bpfc::bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFixtureFiles[] = {"hosts", "ethers", "networks"};

std::string system_error(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

FixtureEtc::FixtureEtc(const std::string& fixture_dir) {
  if (geteuid() != 0) {
    error_ = "not root";
    return;
  }
  char name[] = "/tmp/bpfc-bench-etc-XXXXXX";
  if (mkdtemp(name) == nullptr) {
    error_ = system_error("mkdtemp");
    return;
  }
  copy_dir_ = name;
  std::error_code ignored;
  for (const fs::directory_entry& entry : fs::directory_iterator("/etc", ignored)) {
    if (entry.is_regular_file(ignored)) fs::copy_file(entry.path(), fs::path(copy_dir_) / entry.path().filename(), ignored);
  }
  for (const char* file : kFixtureFiles) {
    std::error_code error;
    fs::copy_file(fs::path(fixture_dir) / file, fs::path(copy_dir_) / file, fs::copy_options::overwrite_existing, error);
    if (error) {
      error_ = "cannot copy " + (fs::path(fixture_dir) / file).string() + ": " + error.message();
      return;
    }
  }
  if (unshare(CLONE_NEWNS) != 0) {
    error_ = system_error("unshare(CLONE_NEWNS)");
    return;
  }
  // Nothing mounted here may propagate back to the machine's namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    error_ = system_error("making / private");
    return;
  }
  if (mount(copy_dir_.c_str(), "/etc", nullptr, MS_BIND, nullptr) != 0) {
    error_ = system_error("bind-mounting the copy over /etc");
    return;
  }
}

FixtureEtc::~FixtureEtc() {
  if (copy_dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(copy_dir_, ignored);
}

}  // namespace bpfc::bench

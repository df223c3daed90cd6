// Running the built bpfc binary (BPFC_BINARY) and tcpdump from CLI tests.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
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

// The lines of `text`, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Whether `path` names anything (a file bpfc may or may not have left).
inline bool file_exists(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0;
}

// The whole of a file, as bytes; empty when it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream whole;
  whole << in.rdbuf();
  return whole.str();
}

// A file in /tmp holding `contents`, its name ending in `suffix`; removed
// when the object goes.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& contents, const std::string& suffix = "") {
    std::string name = "/tmp/bpfc-test-XXXXXX" + suffix;
    int fd = mkstemps(name.data(), static_cast<int>(suffix.size()));
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace bpfc::clitest

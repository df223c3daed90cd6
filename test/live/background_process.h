// A program running beside the test (bpfc capture, tcpdump): started with
// its output in files, waited for until it says it is ready, stopped with a
// signal, as a user stops a capture.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "../support/scratch_dir.h"

namespace bpfc::livetest {

class BackgroundProcess {
 public:
  // Starts `argv` (argv[0] searched in PATH), stdout to `stdout_path`
  // (empty: /dev/null) and stderr to a file of its own.
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& stdout_path = "");
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // Waits until stderr contains `text` or the process ends; false on timeout
  // or when it ended first.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout);
  void send_signal(int signal) const;
  // Waits for the end; the exit status, or -1 when a signal killed it.
  int wait();
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  std::string stderr_path_;
  bool reaped_ = false;
  int status_ = -1;
};

// A scratch directory every user may write in: tcpdump drops to its own
// user before it writes its files.
class TempDirectory : public testsupport::ScratchDir {
 public:
  TempDirectory() { std::filesystem::permissions(path(), std::filesystem::perms::all); }
};

}  // namespace bpfc::livetest

// Running the bpfc binary with standard output somewhere other than a file:
// /dev/full (every write fails with ENOSPC) or a pipe whose reading end is
// already closed (every write fails with EPIPE, or kills a program that does
// not ignore SIGPIPE). Standard error is captured; a death by signal is
// reported as such.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_helpers.h"

extern char** environ;

namespace bpfc::clitest {

enum class StandardOutput { DevFull, ClosedPipe };

inline const char* describe(StandardOutput where) {
  return where == StandardOutput::DevFull ? "stdout=/dev/full" : "stdout=closed pipe";
}

struct Outcome {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that killed it, or 0
  std::string err;
};

inline Outcome run_bpfc_with_stdout(std::vector<std::string> args, StandardOutput where,
                                    const std::string& stdin_path = "/dev/null") {
  args.insert(args.begin(), bpfc_binary());
  char err_name[] = "/tmp/bpfc-test-err-XXXXXX";
  const int err_fd = mkstemp(err_name);
  if (err_fd < 0) throw std::runtime_error("mkstemp failed");
  close(err_fd);
  int pipe_fds[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  if (where == StandardOutput::DevFull) {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/full", O_WRONLY, 0);
  } else {
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    close(pipe_fds[0]);  // nobody will ever read
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  }
  posix_spawn_file_actions_addopen(&actions, 2, err_name, O_WRONLY | O_TRUNC, 0);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (pipe_fds[1] >= 0) close(pipe_fds[1]);
  Outcome outcome;
  if (spawned == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  } else {
    outcome.err = "cannot run " + args[0];
  }
  std::ifstream err(err_name, std::ios::binary);
  outcome.err += std::string(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  std::remove(err_name);
  return outcome;
}

// A report by AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer
// in a child's standard error (the sanitizer build).
inline bool has_sanitizer_report(const std::string& err) {
  return err.find("Sanitizer") != std::string::npos || err.find("runtime error:") != std::string::npos;
}

}  // namespace bpfc::clitest

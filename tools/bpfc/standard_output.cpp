#include "standard_output.h"

#include <poll.h>
#include <stdio_ext.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli_status.h"

namespace bpfc::cli {

bool reader_went_away(int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) return false;
  // Linux flags the writing end of a pipe without readers with POLLERR, and a
  // socket whose peer has shut down with POLLHUP or POLLERR.
  pollfd probe{fd, POLLOUT, 0};
  return poll(&probe, 1, 0) == 1 && (probe.revents & (POLLERR | POLLHUP)) != 0;
}

namespace {

bool ended_by_reader(int error_number) { return error_number == EPIPE || reader_went_away(STDOUT_FILENO); }

void report_write_error(int error_number) {
  std::string message = "error writing to standard output";
  if (error_number != 0) message += std::string(": ") + std::strerror(error_number);
  report_failure(message);
}

}  // namespace

bool report_standard_output_failure(int error_number) {
  // What stdio still holds would fail again at exit: drop it, and the error
  // flag with it, now that the failure is handled here.
  __fpurge(stdout);
  std::clearerr(stdout);
  if (ended_by_reader(error_number)) return true;
  report_write_error(error_number);
  return false;
}

int finish_standard_output(int status) {
  errno = 0;
  bool written = std::fflush(stdout) == 0 && !std::ferror(stdout);
  int error_number = errno;
  bool reader_gone = !written && ended_by_reader(error_number);
  if (!written) __fpurge(stdout);  // a later flush would only fail on it again
  // close() reports what a network file system could not write earlier. The
  // FILE stays open: std::cout writes through it until static destruction.
  errno = 0;
  if (close(STDOUT_FILENO) != 0 && written && errno != EBADF) {
    written = false;
    error_number = errno;
    reader_gone = error_number == EPIPE;
  }
  if (written || reader_gone) return status;
  report_write_error(error_number);
  return status == kExitOk ? kExitFailure : status;
}

}  // namespace bpfc::cli

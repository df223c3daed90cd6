#include "child_measurement.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <sstream>
#include <stdexcept>

#if defined(__SANITIZE_ADDRESS__)
#define BPFC_BENCH_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BPFC_BENCH_UNDER_ASAN 1
#endif
#endif

namespace bpfc::bench {
namespace {

using Clock = std::chrono::steady_clock;

void limit_memory(uint64_t bytes) {
#ifdef BPFC_BENCH_UNDER_ASAN
  (void)bytes;  // AddressSanitizer reserves terabytes of address space
#else
  if (bytes == 0) return;
  const rlimit limit{bytes, bytes};
  setrlimit(RLIMIT_AS, &limit);
#endif
}

// One line "ok seconds instructions", then the error text.
std::string serialize(const WorkResult& result) {
  std::ostringstream out;
  out.precision(17);
  out << (result.ok ? 1 : 0) << ' ' << result.seconds << ' ' << result.instructions << '\n' << result.error;
  return out.str();
}

bool deserialize(const std::string& text, WorkResult& result) {
  std::istringstream in(text);
  int ok = 0;
  if (!(in >> ok >> result.seconds >> result.instructions)) return false;
  result.ok = ok != 0;
  in.get();  // the newline
  std::getline(in, result.error, '\0');
  return true;
}

[[noreturn]] void run_child(const std::function<WorkResult()>& work, const ChildLimits& limits, int out_fd) {
  limit_memory(limits.memory_bytes);
  WorkResult result;
  try {
    result = work();
  } catch (const std::bad_alloc&) {
    result = WorkResult{false, 0, 0, "out of memory (limit " + std::to_string(limits.memory_bytes >> 20) + " MiB)"};
  } catch (const std::exception& e) {
    result = WorkResult{false, 0, 0, std::string("exception: ") + e.what()};
  }
  const std::string text = serialize(result);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(out_fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  _exit(0);  // no atexit handlers, no flushing of the parent's buffers
}

std::string describe_end(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status)) + " without a result";
}

}  // namespace

ChildMeasurement measure_in_child(const std::function<WorkResult()>& work, const ChildLimits& limits) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const Clock::time_point start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    run_child(work, limits, fds[1]);
  }
  close(fds[1]);

  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits.seconds));
  std::string text;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd readable{fds[0], POLLIN, 0};
    const int ready = poll(&readable, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: the child is done
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);

  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  ChildMeasurement measurement;
  measurement.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  measurement.peak_rss_kib = usage.ru_maxrss;
  if (timed_out) {
    measurement.outcome = ChildMeasurement::Outcome::TimedOut;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && deserialize(text, measurement.work)) {
    measurement.outcome = ChildMeasurement::Outcome::Finished;
  } else {
    measurement.outcome = ChildMeasurement::Outcome::Crashed;
    measurement.crash = describe_end(status);
  }
  return measurement;
}

}  // namespace bpfc::bench

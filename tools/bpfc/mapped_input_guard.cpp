#include "mapped_input_guard.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace bpfc::cli {
namespace {

// The message, made before any signal: a handler may only write and exit.
// Two buffers, so that naming the next input never rewrites the one a
// handler may be reading.
constexpr size_t kMessageBytes = 4096;
char messages[2][kMessageBytes];
std::atomic<int> current{-1};
std::atomic<size_t> lengths[2];

void on_bus_error(int signal, siginfo_t* info, void*) {
  const int index = current.load(std::memory_order_acquire);
  // BUS_ADRERR is a mapped page with no file behind it: anything else is not
  // this, and takes the default action (a core, as before).
  if (info != nullptr && info->si_code == BUS_ADRERR && index >= 0) {
    const size_t length = lengths[index].load(std::memory_order_relaxed);
    size_t done = 0;
    while (done < length) {
      const ssize_t wrote = write(STDERR_FILENO, messages[index] + done, length - done);
      if (wrote <= 0) break;
      done += static_cast<size_t>(wrote);
    }
    _exit(1);
  }
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

}  // namespace

constexpr std::string_view kCutShort =
    ": the file was cut short while it was being read (it is mapped; --no-mmap reads it instead)";

std::string cut_short_message(std::string_view name) { return std::string(name) + std::string(kCutShort); }

void guard_mapped_input(std::string_view name) {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_sigaction = on_bus_error;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGBUS, &action, nullptr) == 0;
  }();
  if (!installed) return;
  const int next = current.load(std::memory_order_relaxed) == 0 ? 1 : 0;
  static constexpr std::string_view kLead = "bpfc: ";
  const size_t room = kMessageBytes - kLead.size() - kCutShort.size() - 1;
  const std::string_view shown = name.substr(0, std::min(name.size(), room));
  char* out = messages[next];
  std::memcpy(out, kLead.data(), kLead.size());
  std::memcpy(out + kLead.size(), shown.data(), shown.size());
  std::memcpy(out + kLead.size() + shown.size(), kCutShort.data(), kCutShort.size());
  out[kLead.size() + shown.size() + kCutShort.size()] = '\n';
  lengths[next].store(kLead.size() + shown.size() + kCutShort.size() + 1, std::memory_order_relaxed);
  current.store(next, std::memory_order_release);
}

}  // namespace bpfc::cli

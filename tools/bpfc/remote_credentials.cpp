#include "remote_credentials.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include "cli_status.h"

namespace bpfc::cli {
namespace {

void write_text(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The terminal's settings while echo is off, for a signal that ends the
// program at the prompt (Ctrl-C) to put back.
int g_prompt_fd = -1;
termios g_saved_terminal{};

extern "C" void restore_terminal_and_die(int signal) {
  ::tcsetattr(g_prompt_fd, TCSANOW, &g_saved_terminal);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// A line from the terminal `fd` with echo off (the terminal's settings put
// back afterwards, also when SIGINT, SIGTERM or SIGHUP ends the program
// there); nullopt when it cannot be read.
std::optional<std::string> read_hidden_line(int fd) {
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) return std::nullopt;
  g_prompt_fd = fd;
  g_saved_terminal = saved;
  struct sigaction restore {}, old_int {}, old_term {}, old_hup {};
  restore.sa_handler = restore_terminal_and_die;
  sigemptyset(&restore.sa_mask);
  sigaction(SIGINT, &restore, &old_int);
  sigaction(SIGTERM, &restore, &old_term);
  sigaction(SIGHUP, &restore, &old_hup);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  if (::tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
    return std::nullopt;
  }
  std::string line;
  bool ended = false;
  char c;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n') {
      ended = true;
      break;
    }
    line.push_back(c);
  }
  ::tcsetattr(fd, TCSAFLUSH, &saved);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  if (!ended && line.empty()) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::optional<capture::rpcap::Credentials> remote_credentials(const std::string& user, const std::string& where) {
  if (user.empty()) return std::nullopt;
  if (const char* password = std::getenv(kRpcapPasswordVariable)) {
    return capture::rpcap::Credentials{user, password};
  }
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    throw UsageError("--auth " + user + " needs a password: set " + kRpcapPasswordVariable +
                     " or run on a terminal to be asked for it");
  }
  write_text(fd, "Password for " + user + " at " + where + ": ");
  std::optional<std::string> password = read_hidden_line(fd);
  ::close(fd);
  if (!password) {
    throw UsageError("--auth " + user + ": no password was read from the terminal (or set " +
                     kRpcapPasswordVariable + ")");
  }
  return capture::rpcap::Credentials{user, std::move(*password)};
}

}  // namespace bpfc::cli

#include "remote_credentials.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
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

// A line from the terminal `fd` with echo off (the terminal's settings put
// back afterwards); nullopt when it cannot be read.
std::optional<std::string> read_hidden_line(int fd) {
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) return std::nullopt;
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  if (::tcsetattr(fd, TCSAFLUSH, &quiet) != 0) return std::nullopt;
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

// A pipe fed from a thread: the read end is handed to the code under test
// (as /dev/fd/N) to exercise streaming input, the way `cat file |` would.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace bpfc::testing {

// A pipe whose write end is fed `bytes` by a thread, in `chunk`-sized writes.
class FedPipe {
 public:
  FedPipe(std::vector<uint8_t> bytes, size_t chunk) : bytes_(std::move(bytes)) {
    std::signal(SIGPIPE, SIG_IGN);  // a reader that stops early must not kill the test
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    read_fd_ = fds[0];
    writer_ = std::thread([this, fd = fds[1], chunk] {
      size_t done = 0;
      while (done < bytes_.size()) {
        const ssize_t n = write(fd, bytes_.data() + done, std::min(chunk, bytes_.size() - done));
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      close(fd);
    });
  }
  ~FedPipe() {
    if (read_fd_ >= 0) close(read_fd_);
    writer_.join();
  }
  std::string path() const { return "/dev/fd/" + std::to_string(read_fd_); }

 private:
  std::vector<uint8_t> bytes_;
  int read_fd_ = -1;
  std::thread writer_;
};

}  // namespace bpfc::testing

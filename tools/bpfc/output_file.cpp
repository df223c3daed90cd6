#include "output_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace bpfc::cli {

bool write_file(const std::string& path, std::string_view bytes, std::string& error) {
  const bool to_stdout = path == "-";
  std::FILE* file = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat status {};
  const bool regular = !to_stdout && ::fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode);
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int saved = errno;
  const bool closed = to_stdout ? std::fflush(file) == 0 : std::fclose(file) == 0;
  if (!written || !closed) {
    // No partial file left behind for a later step to take as output (a
    // device or a pipe is not ours to remove).
    if (regular) std::remove(path.c_str());
    error = (to_stdout ? std::string("standard output") : path) + ": write error: " +
            std::strerror(written ? errno : saved);
    return false;
  }
  return true;
}

}  // namespace bpfc::cli

// Writes a synthetic capture of realistic mixed traffic (see
// traffic_generator.h) for the savefile benchmarks.
//
// Usage: bench_gen_traffic OUTPUT SIZE [SEED]
//   OUTPUT  file to create, or - for standard output
//   SIZE    upper bound on the file size: bytes, or with K, M or G (powers
//           of 1024), e.g. 1G
//   SEED    another seed gives different traffic of the same mix (default 1)
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "traffic_generator.h"

namespace {

std::optional<uint64_t> parse_size(const std::string& text) {
  size_t end = 0;
  uint64_t value;
  try {
    value = std::stoull(text, &end);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string suffix = text.substr(end);
  if (suffix.empty()) return value;
  if (suffix == "K" || suffix == "k") return value << 10;
  if (suffix == "M" || suffix == "m") return value << 20;
  if (suffix == "G" || suffix == "g") return value << 30;
  return std::nullopt;
}

bool write_all(int fd, const uint8_t* bytes, size_t n) {
  while (n > 0) {
    ssize_t done = write(fd, bytes, n);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return false;
    bytes += done;
    n -= static_cast<size_t>(done);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s OUTPUT SIZE[K|M|G] [SEED]\n", argv[0]);
    return 2;
  }
  const std::string output = argv[1];
  const std::optional<uint64_t> size = parse_size(argv[2]);
  const std::optional<uint64_t> seed = argc == 4 ? parse_size(argv[3]) : uint64_t{1};
  if (!size || !seed) {
    std::fprintf(stderr, "%s: SIZE and SEED must be numbers (SIZE may end in K, M or G)\n", argv[0]);
    return 2;
  }
  const int fd = output == "-" ? STDOUT_FILENO : open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "%s: %s: %s\n", argv[0], output.c_str(), std::strerror(errno));
    return 1;
  }
  bool ok = true;
  bpfc::bench::generate_pcap(*size, *seed, [&](std::span<const uint8_t> chunk) {
    ok = write_all(fd, chunk.data(), chunk.size());
    return ok;
  });
  if (!ok || (fd != STDOUT_FILENO && close(fd) != 0)) {
    std::fprintf(stderr, "%s: writing %s: %s\n", argv[0], output.c_str(), std::strerror(errno));
    return 1;
  }
  return 0;
}

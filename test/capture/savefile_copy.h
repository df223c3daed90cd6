// Helpers for tests that write savefiles: temporary paths, whole-file reads,
// and copying a source into a sink the way `bpfc filter -w` does (blocks in
// order, then the kept packets of each batch).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "bpfc/capture/savefile.h"

namespace bpfc::testing {

// A file name in the temporary directory, removed when the object goes.
class TempPath {
 public:
  explicit TempPath(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("bpfc_test_" + std::to_string(getpid()) + "_" + std::to_string(counter()++) + "_" + name)) {}
  ~TempPath() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string string() const { return path_.string(); }

 private:
  static int& counter() {
    static int next = 0;
    return next;
  }
  std::filesystem::path path_;
};

inline std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Copies `source` into `sink`: every block, and the packets `keep` accepts
// (by their index in the input). Returns false when either side failed.
inline bool copy_savefile(capture::PacketSource& source, capture::PacketSink& sink,
                          const std::function<bool(size_t)>& keep = {}) {
  capture::Batch batch;
  size_t index = 0;
  bool more = true;
  while (more) {
    more = source.next(batch);
    for (const capture::Block& block : batch.blocks) {
      if (!sink.write_block(block)) return false;
    }
    for (const capture::Packet& packet : batch.packets) {
      if (!keep || keep(index)) {
        if (!sink.write_packet(packet, source.interfaces()[packet.interface])) return false;
      }
      ++index;
    }
  }
  return !source.error() && sink.flush();
}

}  // namespace bpfc::testing

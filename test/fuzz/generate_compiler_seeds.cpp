// Writes the seed corpus of the compiler fuzz target: the expressions of
// libpcap's accept corpus (test/corpus/accept/*.jsonl) on their link types,
// as text-mode inputs (compiler_input.h), which the fuzzer mutates into
// neighbouring expressions, valid and not, far more often than it would find
// them from nothing; and as many generator-mode inputs of pseudo-random bytes
// (a fixed seed, so every run starts alike), so that the mutations do not
// stay among text-mode inputs.
//
// Usage: fuzz_compiler_seed_generator [--every N] ACCEPT_DIR OUT_DIR
// --every N keeps one corpus expression in N (short runs start faster).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "bpfc/linktype/linktype.h"
#include "compiler_input.h"

namespace {

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// splitmix64: the same bytes on every machine.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void write_generator_seeds(const std::filesystem::path& dir, int count) {
  uint64_t state = 0x62706663;
  for (int i = 0; i < count; ++i) {
    std::vector<uint8_t> bytes(32 + next_random(state) % 1000);
    for (auto& b : bytes) b = static_cast<uint8_t>(next_random(state));
    bytes[0] = static_cast<uint8_t>(1 + i % 7);  // not a multiple of 8: generator mode
    write_file(dir / ("generated-" + std::to_string(i)), bytes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int every = 1;
  if (argc == 5 && std::string(argv[1]) == "--every") {
    every = std::atoi(argv[2]);
    argv += 2, argc -= 2;
  }
  if (argc != 3 || every < 1) {
    std::fprintf(stderr, "usage: %s [--every N] ACCEPT_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  namespace fs = std::filesystem;
  int written = 0, skipped = 0, seen = 0;
  for (const auto& file : fs::directory_iterator(argv[1])) {
    if (file.path().extension() != ".jsonl") continue;
    std::ifstream in(file.path());
    std::string line;
    int index = 0;
    while (std::getline(in, line)) {
      auto entry = nlohmann::json::parse(line, nullptr, false);
      ++index;
      if (seen++ % every != 0) continue;
      if (entry.is_discarded() || !entry["expr"].is_string() || !entry["dlt"].is_string()) {
        ++skipped;
        continue;
      }
      auto dlt = bpfc::linktype_from_string(entry["dlt"].get<std::string>());
      if (!dlt || *dlt > 0xffff) {
        ++skipped;
        continue;
      }
      auto bytes = bpfc::fuzz::encode_text_input(static_cast<uint16_t>(*dlt), entry["expr"].get<std::string>(), {});
      fs::path out = fs::path(argv[2]) / ("accept-" + file.path().stem().string() + "-" + std::to_string(index));
      write_file(out, bytes);
      ++written;
    }
  }
  if (written == 0) {
    std::fprintf(stderr, "%s: no expressions found in %s\n", argv[0], argv[1]);
    return 1;
  }
  write_generator_seeds(argv[2], written);
  std::fprintf(stderr, "%d corpus expressions and as many generator inputs written (%d lines skipped)\n", written,
               skipped);
  return 0;
}

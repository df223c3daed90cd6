#include "libpcap_program_cache.h"

#include <unistd.h>

#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bpfc::bench {
namespace {

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string key_of(std::string_view filter, uint32_t linktype, uint32_t snaplen) {
  std::string key = pcap_lib_version();
  key += " | dlt " + std::to_string(linktype) + " | snaplen " + std::to_string(snaplen) + " | -O | ";
  key += filter;
  for (char& c : key) {
    if (c == '\n') c = ' ';
  }
  return key;
}

std::filesystem::path path_of(const std::string& directory, const std::string& key) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.bpf", static_cast<unsigned long long>(fnv1a(key)));
  return std::filesystem::path(directory) / name;
}

// The file: the key on the first line, then "code jt jf k" per instruction.
std::optional<cbpf::Program> load(const std::filesystem::path& path, const std::string& key) {
  std::ifstream in(path);
  std::string stored_key;
  if (!in || !std::getline(in, stored_key) || stored_key != key) return std::nullopt;
  cbpf::Program program;
  unsigned code, jt, jf;
  uint32_t k;
  while (in >> code >> jt >> jf >> k) {
    program.push_back(cbpf::Insn{static_cast<uint16_t>(code), static_cast<uint8_t>(jt), static_cast<uint8_t>(jf), k});
  }
  if (!in.eof() || program.empty()) return std::nullopt;
  return program;
}

// Written to a temporary name and renamed: a concurrent run never reads half a file.
void store(const std::filesystem::path& path, const std::string& key, const cbpf::Program& program) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return;  // caching is an optimization; the benchmark goes on without it
  const std::filesystem::path temporary = path.string() + "." + std::to_string(getpid());
  {
    std::ofstream out(temporary);
    out << key << '\n';
    for (const cbpf::Insn& insn : program) out << insn.code << ' ' << +insn.jt << ' ' << +insn.jf << ' ' << insn.k << '\n';
    if (!out) return;
  }
  std::filesystem::rename(temporary, path, error);
}

}  // namespace

difftest::OracleResult LibpcapProgramCache::compile(std::string_view filter, uint32_t linktype, uint32_t snaplen,
                                                    bool& from_cache) const {
  from_cache = false;
  const std::string key = key_of(filter, linktype, snaplen);
  if (!directory_.empty()) {
    if (auto program = load(path_of(directory_, key), key)) {
      from_cache = true;
      return difftest::OracleResult{std::move(program), {}};
    }
  }
  difftest::OracleResult result = difftest::libpcap_compile(filter, linktype, snaplen, std::nullopt, true);
  if (result.program && !directory_.empty()) store(path_of(directory_, key), key, *result.program);
  return result;
}

std::string default_libpcap_cache_directory() {
  if (const char* dir = std::getenv("BPFC_BENCH_DIR"); dir && *dir) return std::string(dir) + "/libpcap-programs";
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/bpfc-bench/libpcap-programs";
}

}  // namespace bpfc::bench

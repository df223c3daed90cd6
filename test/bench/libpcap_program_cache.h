// libpcap's optimized programs kept on disk between benchmark runs. libpcap
// is the fixed reference (Debian's 1.10.3), and its cubic optimizer needs
// about a minute and a half for a 1000-host list: the execution benchmark
// compiles such a list once per libpcap version, not once per run.
//
// Each entry is one file named after a hash of its key (libpcap's version
// string, link type, snaplen and the expression); the file repeats the key,
// so a hash collision or another version's entry is never used.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libpcap_oracle.h"

namespace bpfc::bench {

class LibpcapProgramCache {
 public:
  // An empty directory disables caching; the directory is created on demand.
  explicit LibpcapProgramCache(std::string directory) : directory_(std::move(directory)) {}

  // pcap_compile(optimize=1, netmask unknown), or the stored program of an
  // earlier run. `from_cache` says which.
  difftest::OracleResult compile(std::string_view filter, uint32_t linktype, uint32_t snaplen, bool& from_cache) const;

 private:
  std::string directory_;
};

// $BPFC_BENCH_DIR/libpcap-programs, or ${TMPDIR:-/tmp}/bpfc-bench/libpcap-programs
// (the savefile benchmark keeps its capture in the same directory).
std::string default_libpcap_cache_directory();

}  // namespace bpfc::bench

// The libpcap test corpus (test/corpus, see its README.md) as C++ values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfc::difftest {

inline constexpr uint32_t kDefaultSnaplen = 262144;

// An expression libpcap compiles, with the program libpcap's newer version
// produces for it.
struct AcceptEntry {
  std::string file;  // e.g. "EN10MB.jsonl", for messages
  std::string name;
  std::string dlt;   // link-type name
  std::string expr;
  uint32_t snaplen = kDefaultSnaplen;
  std::optional<uint32_t> netmask;         // host byte order; nullopt: unknown
  std::optional<std::string> opt, unopt;   // -d listings
  std::optional<std::string> skip;         // why libpcap's own harness may skip it
  std::optional<std::string> offline;      // generate_offline_filter: "swapped"/"unswapped"
  bool linuxext = false;
};

// An expression libpcap refuses, with its error text.
struct RejectEntry {
  std::string file;
  std::string name;
  std::string dlt;
  std::string expr;
  std::string errstr;
  std::optional<uint32_t> netmask;
};

// An expression applied to a savefile, with the verdict for each packet.
struct ApplyEntry {
  std::string name;
  std::string expr;
  std::string savefile;
  std::optional<uint32_t> netmask;
  std::optional<std::string> skip;
  std::vector<uint32_t> results;
};

// Every entry of every *.jsonl file under corpus/accept (resp. reject), in
// file-name order. Reject entries about savefiles (no expression) are left out.
std::vector<AcceptEntry> load_accept_entries(const std::string& corpus_dir);
std::vector<RejectEntry> load_reject_entries(const std::string& corpus_dir);
std::vector<ApplyEntry> load_apply_entries(const std::string& corpus_dir);

}  // namespace bpfc::difftest

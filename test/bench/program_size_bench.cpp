// Program size: bpfc -O2 beside libpcap's optimizer on every EN10MB
// expression of libpcap's test corpus (test/corpus/accept/EN10MB.jsonl) that
// libpcap 1.10.3 compiles without names. Both compile each expression as
// pcap_compile(pcap_open_dead(DLT_EN10MB, snaplen), expr, optimize=1,
// netmask) would, with the entry's snaplen (default 262144) and netmask
// (default unknown); the counts are classic-BPF instructions.
//
// Entries that need configured host/ether/network names are skipped: libpcap
// would ask the system resolver. So are the Linux-extension entries, which
// only a live capture compiles (libpcap 1.10.3 emits extension loads for them
// even on a dead handle; newer libpcap and bpfc refuse them there). Entries libpcap 1.10.3 refuses (including
// "expression rejects all packets" from its optimizer) are not compared,
// nor are entries bpfc refuses (a bug: reported, and the exit status is 1).
//
// With --names-in-etc (root only), the entries needing names are compared
// too: libpcap then resolves them from the fixture files (fixture_etc.h),
// inside the empty network namespace.
//
// Usage: bench_program_size [--verbose] [--tsv FILE] [--limit N] [--names-in-etc]
//          [--corpus DIR] [--names DIR]
// Prints totals, the ratio bpfc/libpcap (issue 4's goal: <= 0.90), how many
// expressions bpfc makes shorter/equal/longer, and every longer one.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <pcap/pcap.h>

#include "bpfc/driver/compile.h"
#include "corpus_entries.h"
#include "fixture_etc.h"
#include "libpcap_oracle.h"
#include "network_isolation.h"

namespace {

using bpfc::difftest::AcceptEntry;

constexpr uint32_t kDltEn10mb = 1;
constexpr double kGoalRatio = 0.90;

struct Options {
  std::string corpus_dir = BPFC_TEST_DIR "/corpus";
  std::string names_dir = BPFC_TEST_DIR "/fixtures/names";
  size_t limit = 0;  // 0: every entry
  bool verbose = false;
  bool names_in_etc = false;
  std::string tsv_path;
  int opt_level = 2;
};

struct Comparison {
  const AcceptEntry* entry;
  size_t bpfc = 0;
  size_t libpcap = 0;
};

bool needs_configured_names(const AcceptEntry& entry) {
  return entry.skip && entry.skip->find("configure") != std::string::npos;
}

// Counts of entries left out, by reason, in first-seen order.
class Exclusions {
 public:
  void add(const std::string& reason, const AcceptEntry& entry, const std::string& detail = {}) {
    auto [it, inserted] = counts_.try_emplace(reason, 0);
    if (inserted) order_.push_back(reason);
    ++it->second;
    if (!detail.empty()) details_.push_back(entry.name + ": " + entry.expr + " -> " + detail);
  }
  size_t total() const {
    size_t n = 0;
    for (const auto& [reason, count] : counts_) n += count;
    return n;
  }
  void print(bool verbose) const {
    for (const std::string& reason : order_) std::printf("  %4zu %s\n", counts_.at(reason), reason.c_str());
    if (verbose) {
      for (const std::string& detail : details_) std::printf("       %s\n", detail.c_str());
    }
  }

 private:
  std::map<std::string, size_t> counts_;
  std::vector<std::string> order_;
  std::vector<std::string> details_;
};

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n') c = ' ';
  }
  return text;
}

void write_tsv(const std::string& path, const std::vector<Comparison>& rows) {
  std::ofstream out(path);
  out << "name\tbpfc\tlibpcap\texpr\n";
  for (const Comparison& row : rows) {
    out << row.entry->name << '\t' << row.bpfc << '\t' << row.libpcap << '\t' << one_line(row.entry->expr) << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

void print_table(const std::vector<Comparison>& rows) {
  std::printf("%6s %8s %6s  %-32s %s\n", "bpfc", "libpcap", "diff", "name", "expression");
  for (const Comparison& row : rows) {
    const long diff = static_cast<long>(row.bpfc) - static_cast<long>(row.libpcap);
    std::printf("%6zu %8zu %+6ld  %-32s %s\n", row.bpfc, row.libpcap, diff, row.entry->name.c_str(),
                one_line(row.entry->expr).c_str());
  }
  std::printf("\n");
}

int run(const Options& options) {
  const bpfc::bench::NetworkIsolation isolation = bpfc::bench::isolate_from_network();
  std::printf("%s\n", isolation.message.c_str());
  // Only in an empty network namespace may libpcap see names at all.
  std::optional<bpfc::bench::FixtureEtc> fixture_etc;
  if (options.names_in_etc) {
    if (!isolation.applied) throw std::runtime_error("--names-in-etc needs network isolation (run as root)");
    fixture_etc.emplace(options.names_dir);
    if (!fixture_etc->active()) throw std::runtime_error("--names-in-etc: " + fixture_etc->error());
    std::printf("names: libpcap resolves from %s (bind-mounted over /etc's hosts, ethers, networks)\n",
                options.names_dir.c_str());
  }
  const auto resolver = bpfc::make_file_resolver(options.names_dir);
  std::vector<AcceptEntry> entries;
  for (AcceptEntry& entry : bpfc::difftest::load_accept_entries(options.corpus_dir)) {
    if (entry.file == "EN10MB.jsonl") entries.push_back(std::move(entry));
  }
  if (options.limit != 0 && entries.size() > options.limit) entries.resize(options.limit);

  Exclusions excluded;
  std::vector<Comparison> rows;
  bool bpfc_failed = false;
  for (const AcceptEntry& entry : entries) {
    if (needs_configured_names(entry) && !fixture_etc) {
      excluded.add("skipped: need configured names (" + *entry.skip + ")", entry);
      continue;
    }
    if (entry.linuxext) {
      // libpcap 1.10.3 emits Linux BPF extensions for these even on a dead
      // handle; the newer libpcap and bpfc refuse them there.
      excluded.add("skipped: Linux-extension entries (not a live capture)", entry);
      continue;
    }
    auto libpcap = bpfc::difftest::libpcap_compile(entry.expr, kDltEn10mb, entry.snaplen, entry.netmask, true);
    if (!libpcap.program) {
      excluded.add("not compared: libpcap 1.10.3 -O refuses: " + libpcap.error, entry);
      continue;
    }
    bpfc::CompileOptions compile_options;
    compile_options.linktype = kDltEn10mb;
    compile_options.snaplen = entry.snaplen;
    compile_options.netmask = entry.netmask;
    compile_options.opt_level = options.opt_level;
    compile_options.resolver = resolver.get();
    auto ours = bpfc::compile_cbpf(entry.expr, compile_options);
    if (!ours) {
      excluded.add("not compared: bpfc refuses what libpcap compiles (a bug)", entry, ours.error().message);
      bpfc_failed = true;
      continue;
    }
    rows.push_back(Comparison{&entry, ours->size(), libpcap.program->size()});
  }

  if (options.verbose) print_table(rows);
  if (!options.tsv_path.empty()) write_tsv(options.tsv_path, rows);

  size_t bpfc_total = 0, libpcap_total = 0, shorter = 0, equal = 0, longer = 0;
  std::vector<const Comparison*> longer_rows;
  for (const Comparison& row : rows) {
    bpfc_total += row.bpfc;
    libpcap_total += row.libpcap;
    if (row.bpfc < row.libpcap) {
      ++shorter;
    } else if (row.bpfc == row.libpcap) {
      ++equal;
    } else {
      ++longer;
      longer_rows.push_back(&row);
    }
  }
  const double ratio = libpcap_total ? static_cast<double>(bpfc_total) / static_cast<double>(libpcap_total) : 0;

  std::printf("EN10MB corpus entries: %zu; compared: %zu; left out: %zu\n", entries.size(), rows.size(),
              excluded.total());
  excluded.print(options.verbose);
  std::printf("instructions: bpfc -O%d %zu, libpcap -O %zu over %zu expressions (%s; issue 4 measured 4842 over 356)\n",
              options.opt_level, bpfc_total, libpcap_total, rows.size(), pcap_lib_version());
  std::printf("bpfc shorter on %zu, equal on %zu, longer on %zu\n", shorter, equal, longer);
  for (const Comparison* row : longer_rows) {
    std::printf("  longer: %zu vs %zu  %s: %s\n", row->bpfc, row->libpcap, row->entry->name.c_str(),
                one_line(row->entry->expr).c_str());
  }
  std::printf("GOAL program size: bpfc/libpcap instructions %.3f (goal <= %.2f): %s\n", ratio, kGoalRatio,
              ratio <= kGoalRatio ? "met" : "not met");
  return bpfc_failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress on stderr stays in order when both are piped
  Options options;
  CLI::App app{"Program size: bpfc -O2 against libpcap's optimizer on the EN10MB corpus"};
  app.add_option("--corpus", options.corpus_dir, "corpus directory (with accept/EN10MB.jsonl)");
  app.add_option("--names", options.names_dir, "directory of name fixture files for bpfc");
  app.add_option("--limit", options.limit, "look at the first N entries only (0: all)");
  app.add_option("--opt-level", options.opt_level, "bpfc's optimization level")->check(CLI::Range(0, 2));
  app.add_flag("-v,--verbose", options.verbose, "print every expression's counts and every left-out entry");
  app.add_flag("--names-in-etc", options.names_in_etc,
               "also compare the entries that need names, libpcap resolving them from the fixture files "
               "(root only: private mount and network namespaces)");
  app.add_option("--tsv", options.tsv_path, "write name, bpfc, libpcap, expression as TSV to FILE");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_program_size: %s\n", e.what());
    return 2;
  }
}

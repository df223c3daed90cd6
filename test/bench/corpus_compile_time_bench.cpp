// Compile time of the whole accept corpus (every link type of
// test/corpus/accept), in-process: bpfc's compile_cbpf at -O2 and libpcap's
// pcap_compile(pcap_open_dead(DLT, snaplen), expr, optimize=1, netmask), on
// the entries both compile. Issue 16's goal: bpfc's total below libpcap's.
//
// Left out, and counted: entries that need configured names (libpcap would
// ask the system resolver), the Linux-extension entries (a live capture
// only), and entries libpcap 1.10.3 refuses (newer-libpcap syntax). An entry
// bpfc refuses that libpcap compiles is a bug: listed, exit status 1.
//
// A first pass checks every entry and warms both compilers up; then RUNS
// timed passes over the compared entries, each side timed over the whole
// corpus, the side that goes first alternating. Prints each side's median
// total, per-entry mean and the ratio bpfc/libpcap.
//
// --dump FILE writes every compared entry's program (tcpdump -ddd form) to
// FILE, so that a change meant to make compiling faster can be checked to
// leave every program exactly as it was (diff two dumps).
//
// Usage: bench_corpus_compile_time [--runs N] [--corpus DIR] [--names DIR] [--dump FILE] [--verbose]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <pcap/pcap.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/driver/compile.h"
#include "corpus_entries.h"
#include "libpcap_oracle.h"
#include "network_isolation.h"

namespace {

using bpfc::difftest::AcceptEntry;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string corpus_dir = BPFC_TEST_DIR "/corpus";
  std::string names_dir = BPFC_TEST_DIR "/fixtures/names";
  std::string dump_file;
  int runs = 5;
  bool verbose = false;
};

struct Compared {
  const AcceptEntry* entry;
  uint32_t dlt;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

bpfc::CompileOptions bpfc_options(const Compared& c, const bpfc::NameResolver* resolver) {
  bpfc::CompileOptions options;
  options.linktype = c.dlt;
  options.snaplen = c.entry->snaplen;
  options.netmask = c.entry->netmask;
  options.opt_level = 2;
  options.resolver = resolver;
  return options;
}

// Seconds to compile every entry once; `ok` counts the compiles that worked.
double time_bpfc(const std::vector<Compared>& entries, const bpfc::NameResolver* resolver, size_t& ok) {
  ok = 0;
  const auto start = Clock::now();
  for (const Compared& c : entries) ok += bpfc::compile_cbpf(c.entry->expr, bpfc_options(c, resolver)).ok();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double time_libpcap(const std::vector<Compared>& entries, size_t& ok) {
  ok = 0;
  const auto start = Clock::now();
  for (const Compared& c : entries) {
    ok += bpfc::difftest::libpcap_compile(c.entry->expr, c.dlt, c.entry->snaplen, c.entry->netmask, true)
              .program.has_value();
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int run(const Options& options) {
  const bpfc::bench::NetworkIsolation isolation = bpfc::bench::isolate_from_network();
  std::printf("%s\n", isolation.message.c_str());
  const auto resolver = bpfc::make_file_resolver(options.names_dir);
  const std::vector<AcceptEntry> entries = bpfc::difftest::load_accept_entries(options.corpus_dir);

  std::map<std::string, size_t> left_out;
  std::vector<Compared> compared;
  std::vector<std::string> refused;
  std::ofstream dump;
  if (!options.dump_file.empty()) {
    dump.open(options.dump_file);
    if (!dump) throw std::runtime_error("cannot write " + options.dump_file);
  }
  for (const AcceptEntry& entry : entries) {
    if (entry.skip && entry.skip->find("configure") != std::string::npos) {
      ++left_out["need configured names"];
      continue;
    }
    if (entry.linuxext) {
      ++left_out["Linux-extension entries (a live capture only)"];
      continue;
    }
    const std::optional<uint32_t> dlt = bpfc::difftest::libpcap_linktype(entry.dlt);
    if (!dlt) {
      ++left_out["link type unknown to libpcap 1.10.3"];
      continue;
    }
    const Compared c{&entry, *dlt};
    if (!bpfc::difftest::libpcap_compile(entry.expr, *dlt, entry.snaplen, entry.netmask, true).program) {
      ++left_out["libpcap 1.10.3 -O refuses"];
      continue;
    }
    auto ours = bpfc::compile_cbpf(entry.expr, bpfc_options(c, resolver.get()));
    if (!ours) {
      refused.push_back(entry.name + " (" + entry.dlt + "): " + entry.expr + " -> " + ours.error().message);
      continue;
    }
    compared.push_back(c);
    if (dump) dump << entry.name << " (" << entry.dlt << "): " << entry.expr << "\n" << bpfc::cbpf::format_decimal(*ours);
  }

  std::vector<double> ours, theirs;
  for (int run = 0; run < options.runs; ++run) {
    size_t ours_ok = 0, theirs_ok = 0;
    if (run % 2 == 0) {
      ours.push_back(time_bpfc(compared, resolver.get(), ours_ok));
      theirs.push_back(time_libpcap(compared, theirs_ok));
    } else {
      theirs.push_back(time_libpcap(compared, theirs_ok));
      ours.push_back(time_bpfc(compared, resolver.get(), ours_ok));
    }
    if (ours_ok != compared.size() || theirs_ok != compared.size()) {
      throw std::runtime_error("a compile that worked in the first pass failed in a timed one");
    }
    if (options.verbose) std::printf("  run %d: bpfc %.2f ms, libpcap %.2f ms\n", run + 1, ours.back() * 1e3,
                                     theirs.back() * 1e3);
  }

  std::printf("accept corpus: %zu entries, %zu compared, %zu bpfc refuses\n", entries.size(), compared.size(),
              refused.size());
  for (const auto& [reason, count] : left_out) std::printf("  left out: %4zu %s\n", count, reason.c_str());
  for (const std::string& line : refused) std::printf("  bpfc refuses: %s\n", line.c_str());
  const double bpfc_s = median(ours), libpcap_s = median(theirs);
  const double n = static_cast<double>(std::max<size_t>(compared.size(), 1));
  std::printf("compile time, median of %d runs: bpfc -O2 %.2f ms (%.1f us per entry), libpcap -O %.2f ms "
              "(%.1f us per entry; %s)\n",
              options.runs, bpfc_s * 1e3, bpfc_s * 1e6 / n, libpcap_s * 1e3, libpcap_s * 1e6 / n,
              pcap_lib_version());
  const double ratio = libpcap_s > 0 ? bpfc_s / libpcap_s : 0;
  std::printf("GOAL corpus compile time: bpfc/libpcap %.2f (goal < 1): %s\n", ratio, ratio < 1 ? "met" : "not met");
  return refused.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  CLI::App app{"Compile time of the whole accept corpus: bpfc against libpcap, in-process"};
  app.add_option("--corpus", options.corpus_dir, "corpus directory (with accept/*.jsonl)");
  app.add_option("--names", options.names_dir, "directory of name fixture files for bpfc");
  app.add_option("--dump", options.dump_file, "write every compared entry's program to this file");
  app.add_option("--runs", options.runs, "timed passes (median)")->check(CLI::Range(1, 1000));
  app.add_flag("-v,--verbose", options.verbose, "print every run's times");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_corpus_compile_time: %s\n", e.what());
    return 2;
  }
}

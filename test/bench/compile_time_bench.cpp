// Compile time and peak memory of long OR-lists (or_lists.h): `host`, `port`
// and `net` lists of N terms, compiled by bpfc (compile_cbpf, -O2) and by
// libpcap (pcap_compile, optimize=1, on pcap_open_dead(DLT_EN10MB, 262144)),
// each compile in its own forked child (child_measurement.h): the time is
// the compile call's wall time, the memory the child's peak RSS (which
// includes the small benchmark process itself: see the baseline line).
// The parent and each child compile a 2-term list of the same kind before
// the timed compile, so that neither one-time initialization (the parser's
// lazily built tables) nor the child's first writes to inherited memory
// pages are measured.
//
// A compile faster than 1 s is repeated (--runs, default 3; each run in a
// new child) and the fastest run is shown. A compile that exceeds the time
// limit is killed and shown as "> limit"; one that crashes (e.g. a stack
// overflow) is shown with its signal; either way larger N of the same kind
// and compiler are then skipped unless --keep-going. libpcap's optimizer is
// cubic, so it only runs up to --libpcap-max terms.
//
// Usage: bench_compile_time [--kinds host,port,net] [--sizes 10,100,...]
//          [--libpcap-max N] [--time-limit SECONDS] [--memory-limit-mib MIB]
//          [--runs R] [--keep-going] [--tsv FILE]
// Issue 4's goals (printed as GOAL lines): 1000 terms <= 50 ms, 100 000 terms
// <= 5 s and <= 1 GiB, for each kind.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bpfc/driver/compile.h"
#include "child_measurement.h"
#include "libpcap_oracle.h"
#include "network_isolation.h"
#include "or_lists.h"

namespace {

using bpfc::bench::ChildLimits;
using bpfc::bench::ChildMeasurement;
using bpfc::bench::ListKind;
using bpfc::bench::WorkResult;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kDltEn10mb = 1;
constexpr uint32_t kSnaplen = 262144;
constexpr size_t kGoalSmallTerms = 1000;
constexpr double kGoalSmallSeconds = 0.050;
constexpr size_t kGoalLargeTerms = 100000;
constexpr double kGoalLargeSeconds = 5;
constexpr long kGoalLargeKib = 1L << 20;

struct Options {
  std::vector<std::string> kinds = {"host", "port", "net"};
  std::vector<size_t> sizes = {10, 100, 1000, 10000, 100000};
  size_t libpcap_max = 1000;
  double time_limit = 120;
  uint64_t memory_limit_mib = 4096;
  int opt_level = 2;
  bool keep_going = false;
  int runs = 3;
  std::string tsv_path;
};

// Compiles that take under this long are repeated (up to --runs times), and
// the fastest run counts: small N are otherwise at the mercy of the load.
constexpr double kRepeatBelowSeconds = 1.0;

bool finished_ok(const ChildMeasurement& m) {
  return m.outcome == ChildMeasurement::Outcome::Finished && m.work.ok;
}

ChildMeasurement measure_fastest(const std::function<WorkResult()>& work, const ChildLimits& limits, int runs) {
  ChildMeasurement best = bpfc::bench::measure_in_child(work, limits);
  for (int run = 1; run < runs && finished_ok(best) && best.work.seconds < kRepeatBelowSeconds; ++run) {
    ChildMeasurement next = bpfc::bench::measure_in_child(work, limits);
    if (finished_ok(next) && next.work.seconds < best.work.seconds) best = std::move(next);
  }
  return best;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Before the timed compile, the same compiler compiles a 2-term list of the
// same kind: in a freshly forked child that writes to (and so copies) the
// memory pages a compile always touches, a cost of fork, not of the compiler
// (milliseconds here, where page faults are slow).
constexpr size_t kWarmUpTerms = 2;

WorkResult compile_with_bpfc(ListKind kind, size_t terms, int opt_level, const bpfc::NameResolver& resolver) {
  bpfc::CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = kSnaplen;
  options.opt_level = opt_level;
  options.resolver = &resolver;
  (void)bpfc::compile_cbpf(bpfc::bench::make_or_list(kind, kWarmUpTerms), options);
  const std::string text = bpfc::bench::make_or_list(kind, terms);
  const Clock::time_point start = Clock::now();
  auto program = bpfc::compile_cbpf(text, options);
  const double seconds = seconds_since(start);
  if (!program) return WorkResult{false, seconds, 0, program.error().message};
  return WorkResult{true, seconds, program->size(), {}};
}

WorkResult compile_with_libpcap(ListKind kind, size_t terms) {
  (void)bpfc::difftest::libpcap_compile(bpfc::bench::make_or_list(kind, kWarmUpTerms), kDltEn10mb, kSnaplen,
                                        std::nullopt, true);
  const std::string text = bpfc::bench::make_or_list(kind, terms);
  const Clock::time_point start = Clock::now();
  auto result = bpfc::difftest::libpcap_compile(text, kDltEn10mb, kSnaplen, std::nullopt, true);
  const double seconds = seconds_since(start);
  if (!result.program) return WorkResult{false, seconds, 0, result.error};
  return WorkResult{true, seconds, result.program->size(), {}};
}

// One cell group of the table: time, memory, instructions.
struct Cell {
  std::string time, memory, instructions;
  std::optional<std::string> note;  // an error or crash, printed below the table
};

std::string format_ms(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, seconds < 10 ? "%.2f" : "%.0f", seconds * 1000);
  return text;
}

std::string format_mib(long kib) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(kib) / 1024);
  return text;
}

struct Row {
  ListKind kind;
  size_t terms;
  std::optional<ChildMeasurement> bpfc, libpcap;
  std::string bpfc_skip, libpcap_skip;  // why not measured
};

Cell cell_of(const std::optional<ChildMeasurement>& m, const std::string& skip, double limit) {
  if (!m) return Cell{skip, "", "", std::nullopt};
  switch (m->outcome) {
    case ChildMeasurement::Outcome::TimedOut:
      return Cell{"> " + format_ms(limit), ">=" + format_mib(m->peak_rss_kib), "-", std::nullopt};
    case ChildMeasurement::Outcome::Crashed:
      return Cell{"crashed", format_mib(m->peak_rss_kib), "-", m->crash};
    case ChildMeasurement::Outcome::Finished:
      if (!m->work.ok) return Cell{"error", format_mib(m->peak_rss_kib), "-", m->work.error};
      return Cell{format_ms(m->work.seconds), format_mib(m->peak_rss_kib), std::to_string(m->work.instructions),
                  std::nullopt};
  }
  return {};
}

std::string per_term_us(const std::optional<ChildMeasurement>& m, size_t terms) {
  if (!m || m->outcome != ChildMeasurement::Outcome::Finished || !m->work.ok) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", m->work.seconds * 1e6 / static_cast<double>(terms));
  return text;
}

void print_table(const std::vector<Row>& rows, double limit) {
  std::printf("\n%-5s %7s | %10s %9s %8s %8s | %10s %9s %8s\n", "kind", "N", "bpfc ms", "peak MiB", "insns",
              "us/term", "libpcap ms", "peak MiB", "insns");
  std::vector<std::string> notes;
  for (const Row& row : rows) {
    Cell ours = cell_of(row.bpfc, row.bpfc_skip, limit);
    Cell theirs = cell_of(row.libpcap, row.libpcap_skip, limit);
    const std::string label = std::string(bpfc::bench::list_kind_name(row.kind)) + " " + std::to_string(row.terms);
    if (ours.note) {
      notes.push_back("bpfc, " + label + ": " + *ours.note);
      ours.time += "[" + std::to_string(notes.size()) + "]";
    }
    if (theirs.note) {
      notes.push_back("libpcap, " + label + ": " + *theirs.note);
      theirs.time += "[" + std::to_string(notes.size()) + "]";
    }
    std::printf("%-5s %7zu | %10s %9s %8s %8s | %10s %9s %8s\n", std::string(bpfc::bench::list_kind_name(row.kind)).c_str(),
                row.terms, ours.time.c_str(), ours.memory.c_str(), ours.instructions.c_str(),
                per_term_us(row.bpfc, row.terms).c_str(), theirs.time.c_str(), theirs.memory.c_str(),
                theirs.instructions.c_str());
  }
  for (size_t i = 0; i < notes.size(); ++i) {
    std::string note = notes[i];
    if (note.size() > 300) note = note.substr(0, 300) + "...";
    std::printf("[%zu] %s\n", i + 1, note.c_str());
  }
}

void write_tsv(const std::string& path, const std::vector<Row>& rows) {
  std::ofstream out(path);
  out << "kind\tterms\tcompiler\toutcome\tseconds\tpeak_rss_kib\tinstructions\n";
  auto line = [&](const Row& row, const char* compiler, const std::optional<ChildMeasurement>& m) {
    if (!m) return;
    const char* outcome = m->outcome == ChildMeasurement::Outcome::TimedOut ? "timeout"
                          : m->outcome == ChildMeasurement::Outcome::Crashed ? "crashed"
                          : m->work.ok ? "ok" : "error";
    const bool timed = m->outcome == ChildMeasurement::Outcome::Finished;
    out << bpfc::bench::list_kind_name(row.kind) << '\t' << row.terms << '\t' << compiler << '\t' << outcome << '\t'
        << (timed ? m->work.seconds : m->elapsed_seconds) << '\t' << m->peak_rss_kib << '\t'
        << (timed ? m->work.instructions : 0) << '\n';
  };
  for (const Row& row : rows) {
    line(row, "bpfc", row.bpfc);
    line(row, "libpcap", row.libpcap);
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

void print_goals(const std::vector<Row>& rows, double limit) {
  for (const Row& row : rows) {
    if (row.terms != kGoalSmallTerms && row.terms != kGoalLargeTerms) continue;
    const std::string label = std::string(bpfc::bench::list_kind_name(row.kind)) + " x " + std::to_string(row.terms);
    if (!row.bpfc) {
      std::printf("GOAL compile time %s: not measured (%s): not met\n", label.c_str(), row.bpfc_skip.c_str());
      continue;
    }
    const ChildMeasurement& m = *row.bpfc;
    const bool finished = m.outcome == ChildMeasurement::Outcome::Finished && m.work.ok;
    const std::string time = finished ? format_ms(m.work.seconds) + " ms"
                             : m.outcome == ChildMeasurement::Outcome::TimedOut ? "> " + format_ms(limit) + " ms"
                                                                                 : "failed";
    if (row.terms == kGoalSmallTerms) {
      const bool met = finished && m.work.seconds <= kGoalSmallSeconds;
      std::printf("GOAL compile time %s: %s (goal <= 50 ms): %s\n", label.c_str(), time.c_str(), met ? "met" : "not met");
    } else {
      const bool met = finished && m.work.seconds <= kGoalLargeSeconds && m.peak_rss_kib <= kGoalLargeKib;
      std::printf("GOAL compile time %s: %s, peak %s MiB (goal <= 5 s and <= 1024 MiB): %s\n", label.c_str(),
                  time.c_str(), format_mib(m.peak_rss_kib).c_str(), met ? "met" : "not met");
    }
  }
}

int run(const Options& options) {
  std::printf("%s\n", bpfc::bench::isolate_from_network().message.c_str());
  std::vector<ListKind> kinds;
  for (const std::string& name : options.kinds) {
    auto kind = bpfc::bench::parse_list_kind(name);
    if (!kind) throw std::runtime_error("unknown list kind '" + name + "' (host, port or net)");
    kinds.push_back(*kind);
  }
  const auto resolver = bpfc::make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  const ChildLimits limits{options.time_limit, options.memory_limit_mib << 20};
  size_t largest = 0;
  for (size_t n : options.sizes) largest = std::max(largest, n);

  const ChildMeasurement baseline = bpfc::bench::measure_in_child(
      [&] { return WorkResult{!bpfc::bench::make_or_list(ListKind::Net, largest).empty(), 0, 0, {}}; }, limits);
  std::printf("bpfc -O%d and libpcap -O (libpcap up to %zu terms); limit %.0f s and %llu MiB per compile\n",
              options.opt_level, options.libpcap_max, options.time_limit,
              static_cast<unsigned long long>(options.memory_limit_mib));
  std::printf("peak MiB is the child's whole RSS; a child that only builds the %zu-term net list peaks at %s MiB\n",
              largest, format_mib(baseline.peak_rss_kib).c_str());

  std::vector<Row> rows;
  for (ListKind kind : kinds) {
    // One-time costs (the parser's lazily built tables) are paid here, once,
    // so that every child inherits them.
    compile_with_bpfc(kind, kWarmUpTerms, options.opt_level, *resolver);
    compile_with_libpcap(kind, kWarmUpTerms);
    std::string bpfc_stopped, libpcap_stopped;
    for (size_t terms : options.sizes) {
      Row row{kind, terms, std::nullopt, std::nullopt, "", ""};
      const std::string label = std::string(bpfc::bench::list_kind_name(kind)) + " x " + std::to_string(terms);
      if (!bpfc_stopped.empty()) {
        row.bpfc_skip = bpfc_stopped;
      } else {
        std::fprintf(stderr, "bpfc    %s ...\n", label.c_str());
        row.bpfc = measure_fastest([&] { return compile_with_bpfc(kind, terms, options.opt_level, *resolver); },
                                   limits, options.runs);
        if (row.bpfc->outcome != ChildMeasurement::Outcome::Finished && !options.keep_going) {
          bpfc_stopped = "skipped";
        }
      }
      if (terms > options.libpcap_max) {
        row.libpcap_skip = "not run";
      } else if (!libpcap_stopped.empty()) {
        row.libpcap_skip = libpcap_stopped;
      } else {
        std::fprintf(stderr, "libpcap %s ...\n", label.c_str());
        row.libpcap = measure_fastest([&] { return compile_with_libpcap(kind, terms); }, limits, options.runs);
        if (row.libpcap->outcome != ChildMeasurement::Outcome::Finished && !options.keep_going) {
          libpcap_stopped = "skipped";
        }
      }
      rows.push_back(std::move(row));
    }
  }

  print_table(rows, options.time_limit);
  std::printf("skipped: a smaller N of the same kind hit the time limit or crashed (--keep-going runs it anyway);"
              " not run: above --libpcap-max\n");
  if (!options.tsv_path.empty()) write_tsv(options.tsv_path, rows);
  print_goals(rows, options.time_limit);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress on stderr stays in order when both are piped
  Options options;
  CLI::App app{"Compile time and peak memory of host/port/net OR-lists: bpfc against libpcap"};
  app.add_option("--kinds", options.kinds, "list kinds: host, port, net")->delimiter(',');
  app.add_option("--sizes", options.sizes, "numbers of terms")->delimiter(',')->check(CLI::PositiveNumber);
  app.add_option("--libpcap-max", options.libpcap_max, "compile with libpcap only up to this many terms");
  app.add_option("--time-limit", options.time_limit, "seconds per compile before it is killed")
      ->check(CLI::PositiveNumber);
  app.add_option("--memory-limit-mib", options.memory_limit_mib, "address-space limit per compile (0: none)");
  app.add_option("--opt-level", options.opt_level, "bpfc's optimization level")->check(CLI::Range(0, 2));
  app.add_option("--runs", options.runs, "repeat compiles faster than 1 s up to this many times; the fastest counts")
      ->check(CLI::Range(1, 100));
  app.add_flag("--keep-going", options.keep_going, "after a time-out or crash, still run larger N");
  app.add_option("--tsv", options.tsv_path, "also write the measurements as TSV to FILE");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_compile_time: %s\n", e.what());
    return 2;
  }
}

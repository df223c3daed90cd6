// Program size on everyday compound filters: bpfc -O2 beside libpcap's
// optimizer on every expression of test/corpus/compound/filters.txt, each
// compiled as pcap_compile(pcap_open_dead(linktype, 262144), expr,
// optimize=1, PCAP_NETMASK_UNKNOWN) would; the counts are classic-BPF
// instructions. test_diff checks the goals (never longer, total <= 0.85x,
// libpcap's verdicts); this prints the table behind them.
//
// Usage: bench_compound_size [--verbose] [--tsv FILE] [--filters FILE] [--opt-level N]
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <pcap/pcap.h>

#include "bpfc/driver/compile.h"
#include "compound_filters.h"
#include "corpus_entries.h"
#include "libpcap_oracle.h"
#include "network_isolation.h"

namespace {

using bpfc::difftest::CompoundFilter;

struct Options {
  std::string filters_path = BPFC_TEST_DIR "/corpus/compound/filters.txt";
  std::string names_dir = BPFC_TEST_DIR "/fixtures/names";
  bool verbose = false;
  std::string tsv_path;
  int opt_level = 2;
};

struct Row {
  const CompoundFilter* filter;
  size_t bpfc = 0;
  size_t libpcap = 0;
};

int run(const Options& options) {
  const bpfc::bench::NetworkIsolation isolation = bpfc::bench::isolate_from_network();
  std::printf("%s\n", isolation.message.c_str());
  const auto resolver = bpfc::make_file_resolver(options.names_dir);
  const std::vector<CompoundFilter> filters = bpfc::difftest::load_compound_filters(options.filters_path);

  std::vector<Row> rows;
  int failures = 0;
  for (const CompoundFilter& filter : filters) {
    auto libpcap = bpfc::difftest::libpcap_compile(filter.expr, filter.linktype, bpfc::difftest::kDefaultSnaplen,
                                                   std::nullopt, true);
    if (!libpcap.program) {
      std::printf("line %zu: libpcap refuses %s: %s\n", filter.line, filter.expr.c_str(), libpcap.error.c_str());
      ++failures;
      continue;
    }
    bpfc::CompileOptions compile_options;
    compile_options.linktype = filter.linktype;
    compile_options.opt_level = options.opt_level;
    compile_options.resolver = resolver.get();
    auto ours = bpfc::compile_cbpf(filter.expr, compile_options);
    if (!ours) {
      std::printf("line %zu: bpfc refuses %s: %s\n", filter.line, filter.expr.c_str(), ours.error().message.c_str());
      ++failures;
      continue;
    }
    rows.push_back(Row{&filter, ours->size(), libpcap.program->size()});
  }

  size_t bpfc_total = 0, libpcap_total = 0, shorter = 0, equal = 0, longer = 0;
  if (options.verbose) std::printf("%6s %8s %6s  %-10s %s\n", "bpfc", "libpcap", "diff", "linktype", "expression");
  for (const Row& row : rows) {
    bpfc_total += row.bpfc;
    libpcap_total += row.libpcap;
    shorter += row.bpfc < row.libpcap;
    equal += row.bpfc == row.libpcap;
    longer += row.bpfc > row.libpcap;
    if (options.verbose || row.bpfc > row.libpcap) {
      std::printf("%6zu %8zu %+6ld  %-10s %s%s\n", row.bpfc, row.libpcap,
                  static_cast<long>(row.bpfc) - static_cast<long>(row.libpcap), row.filter->linktype_name.c_str(),
                  row.filter->expr.c_str(), row.bpfc > row.libpcap ? "   <- longer" : "");
    }
  }
  if (!options.tsv_path.empty()) {
    std::ofstream out(options.tsv_path);
    out << "line\tlinktype\tbpfc\tlibpcap\texpr\n";
    for (const Row& row : rows) {
      out << row.filter->line << '\t' << row.filter->linktype_name << '\t' << row.bpfc << '\t' << row.libpcap
          << '\t' << row.filter->expr << '\n';
    }
    if (!out) throw std::runtime_error("cannot write " + options.tsv_path);
  }
  const double ratio = libpcap_total ? static_cast<double>(bpfc_total) / static_cast<double>(libpcap_total) : 0;
  const double goal = bpfc::difftest::kCompoundSizeGoal;
  std::printf("compound filters: %zu; compared: %zu\n", filters.size(), rows.size());
  std::printf("instructions: bpfc -O%d %zu, libpcap -O %zu (%s)\n", options.opt_level, bpfc_total, libpcap_total,
              pcap_lib_version());
  std::printf("bpfc shorter on %zu, equal on %zu, longer on %zu\n", shorter, equal, longer);
  std::printf("GOAL compound size: bpfc/libpcap instructions %.3f (goal <= %.2f, none longer): %s\n", ratio, goal,
              ratio <= goal && longer == 0 ? "met" : "not met");
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  CLI::App app{"Program size: bpfc -O2 against libpcap's optimizer on everyday compound filters"};
  app.add_option("--filters", options.filters_path, "the filter list (test/corpus/compound/filters.txt)");
  app.add_option("--names", options.names_dir, "directory of name fixture files for bpfc");
  app.add_option("--opt-level", options.opt_level, "bpfc's optimization level")->check(CLI::Range(0, 2));
  app.add_flag("-v,--verbose", options.verbose, "print every filter's counts");
  app.add_option("--tsv", options.tsv_path, "write line, linktype, bpfc, libpcap, expression as TSV to FILE");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_compound_size: %s\n", e.what());
    return 2;
  }
}

// Native filter execution (issue 13's benchmark): nanoseconds per packet of
// one filter under libpcap's bpf_filter() on libpcap's own optimized program
// (pcap_compile optimize=1), bpfc's interpreter (the `interp` engine), bpfc's
// native code (the `jit` engine) called once per packet (Filter::run) and
// once per batch of 256 (Filter::run_batch), and bpfc's eBPF socket filter
// in this kernel under BPF_PROG_TEST_RUN, over one fixed mixed packet set
// (exec_packet_set.h, with a hand-built frame after every 16 so that every
// filter has packets it accepts); then the JIT's compile latency over the
// corpus (jit_compile_latency.h), measured first, while no filter has been
// compiled in this process.
//
// Before timing, every engine runs once on every packet and must return
// what bpf_filter() returns for libpcap's program (the kernel's socket
// filter the same value): a difference aborts the benchmark.
//
// Timing, user space: one run of an engine is `reps` passes over the packet
// set (reps chosen so that a run takes about --target_ms), timed with the
// steady clock; ns/packet = the run's time / (reps x packets), the count of
// accepted packets kept so that no pass can be left out. Runs rotate which
// engine goes first; the table shows the median of --runs runs. Kernel: as
// bench_ebpf_exec does, the kernel's own time per repetition (--repeat on
// each packet), whole nanoseconds, which include the test run's own cost
// (printed: a two-instruction program's time).
//
// Usage: bench_native_exec [--packets=N] [--runs=N] [--target_ms=N] [--repeat=N]
//          [--no_1000_hosts] [--corpus_limit=N] [--no_compile_latency]
//          [--libpcap_cache=DIR|none] [--smoke]
// Exit status: 0 done (whether or not the goals are met), 1 a compiler or
// engine failed, the engines disagree, or the disk-cache child failed, 2 usage.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/driver/executable.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/exec/engine.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/runtime/ebpf_kernel.h"
#include "crafted_frames.h"
#include "exec_packet_set.h"
#include "hook_test_run.h"
#include "jit_compile_latency.h"
#include "libpcap_oracle.h"
#include "libpcap_program_cache.h"
#include "network_isolation.h"
#include "or_lists.h"

namespace {

using bpfc::bench::PacketSet;
using bpfc::exec::Filter;
using bpfc::exec::PacketView;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kDltEn10mb = 1;
constexpr uint32_t kSnaplen = 262144;
constexpr size_t kBatch = 256;
constexpr double kGoalNsTcpPort80 = 3;
constexpr double kGoalSpeedupTcpPort80 = 8;
constexpr double kGoalSpeedupEvery = 5;
constexpr double kGoalColdMs = 5;
constexpr double kGoalHitMs = 0.1;

struct Options {
  size_t packets = 1024;  // generated frames, before the crafted ones
  size_t crafted_every = 16;
  size_t runs = 11;
  double target_ms = 20;
  uint32_t repeat = 1000;
  bool with_1000_hosts = true;
  bool compile_latency = true;
  size_t corpus_limit = 0;  // 0: the whole accept list
  std::string libpcap_cache = bpfc::bench::default_libpcap_cache_directory();
  std::string disk_cache_child;  // internal: the compile-latency child's cache directory
};

struct FilterCase {
  std::string id;
  std::string expression;
};

std::vector<FilterCase> filter_cases(const Options& options) {
  std::vector<FilterCase> cases = {
      {"tcp_port_80", "tcp port 80"},
      {"udp_dst_53", "udp dst port 53"},
      {"syn_fin_not_10/8", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src net 10.0.0.0/8"},
      {"vlan_ip6_tcp", "vlan and ip6 and tcp"},
      {"hosts_100", bpfc::bench::make_or_list(bpfc::bench::ListKind::Host, 100)},
  };
  if (options.with_1000_hosts) {
    cases.push_back({"hosts_1000", bpfc::bench::make_or_list(bpfc::bench::ListKind::Host, 1000)});
  }
  return cases;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_native_exec: %s\n", message.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string short_text(const std::string& expression) {
  return expression.size() > 80 ? expression.substr(0, 60) + " ..." : expression;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The columns, in the table's order.
enum Column : size_t { kBpfFilter, kInterp, kJitPacket, kJitBatch, kKernel, kColumns };
constexpr std::array<const char*, kColumns> kColumnNames = {"bpf_filter", "interp", "jit/pkt", "jit/256", "kernel"};

// One filter, compiled for every engine.
struct CompiledFilter {
  FilterCase filter;
  std::unique_ptr<bpfc::difftest::LibpcapProgram> libpcap;
  std::unique_ptr<Filter> interp, jit;
  std::optional<bpfc::runtime::ProgramFd> kernel;
  size_t libpcap_insns = 0, ebpf_insns = 0, accepted = 0;
  std::array<size_t, kColumns> reps{};
  std::array<std::vector<double>, kColumns> runs;  // ns/packet of each run
};

// The kernel's side, when this process may load BPF programs.
struct KernelBench {
  bpfc::bench::HookTestRun run;
  bpfc::runtime::ProgramFd overhead_program;
  std::vector<double> overhead_runs;
};

std::unique_ptr<Filter> make_filter(const FilterCase& filter, std::string_view engine_name,
                                    const bpfc::CompileOptions& options) {
  const bpfc::exec::Engine* engine = bpfc::exec::engines().find(engine_name);
  if (engine == nullptr) die("this build has no " + std::string(engine_name) + " engine");
  const Clock::time_point start = Clock::now();
  auto made = bpfc::compile_for_engine(filter.expression, *engine, options);
  if (!made) die("the " + std::string(engine_name) + " engine refuses " + filter.id + ": " + made.error().message);
  std::printf("  %-18s %-6s made in %8.3f s\n", filter.id.c_str(), std::string(engine_name).c_str(),
              seconds_since(start));
  return std::move(made->output);
}

// Compiles for every engine and checks each engine's verdict on every packet.
CompiledFilter prepare(const FilterCase& filter, const PacketSet& packets, KernelBench* kernel,
                       const bpfc::NameResolver& resolver, const bpfc::bench::LibpcapProgramCache& cache) {
  CompiledFilter compiled;
  compiled.filter = filter;
  bool from_cache = false;
  Clock::time_point start = Clock::now();
  auto theirs = cache.compile(filter.expression, kDltEn10mb, kSnaplen, from_cache);
  if (!theirs.program) die("libpcap refuses " + filter.id + ": " + theirs.error);
  std::printf("  %-18s libpcap %5zu cBPF insns in %8.3f s%s\n", filter.id.c_str(), theirs.program->size(),
              seconds_since(start), from_cache ? " (cached)" : "");
  compiled.libpcap_insns = theirs.program->size();
  compiled.libpcap = std::make_unique<bpfc::difftest::LibpcapProgram>(*theirs.program);

  bpfc::CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = kSnaplen;
  options.opt_level = 2;
  options.resolver = &resolver;
  compiled.interp = make_filter(filter, "interp", options);
  compiled.jit = make_filter(filter, "jit", options);
  if (kernel != nullptr) {
    auto ir = bpfc::compile_to_ir(filter.expression, options);
    if (!ir) die("bpfc refuses " + filter.id + ": " + ir.error().message);
    auto ebpf = bpfc::ebpf::compile_for_hook(*ir, bpfc::ebpf::default_codegen_options(bpfc::ebpf::Hook::Socket));
    if (!ebpf) die("bpfc's eBPF code generation refuses " + filter.id + ": " + ebpf.error().message);
    compiled.ebpf_insns = ebpf->generated.program.size();
    auto loaded = bpfc::runtime::load_program(ebpf->generated.program, kernel->run.prog_type);
    if (!loaded) die("the kernel refuses bpfc's socket filter for " + filter.id + ": " + loaded.error().describe());
    compiled.kernel = std::move(loaded.value().fd);
  }

  std::vector<PacketView> views;
  for (const PacketSet::Packet& packet : packets.packets) views.push_back({packets.data(packet), packet.length, packet.length});
  std::vector<uint32_t> batch_verdicts(views.size());
  for (size_t i = 0; i < views.size(); i += kBatch) {
    const size_t n = std::min(kBatch, views.size() - i);
    compiled.jit->run_batch(std::span(views).subspan(i, n), std::span(batch_verdicts).subspan(i, n));
  }
  for (size_t i = 0; i < views.size(); ++i) {
    const PacketView& view = views[i];
    const std::span<const uint8_t> bytes(view.data, view.caplen);
    const uint32_t expected = compiled.libpcap->run(view.data, view.caplen, view.wirelen);
    std::array<uint32_t, kColumns> got = {expected, compiled.interp->run(bytes, view.wirelen),
                                          compiled.jit->run(bytes, view.wirelen), batch_verdicts[i], 0};
    std::array<uint32_t, kColumns> wanted = {expected, expected, expected, expected, 0};
    if (compiled.kernel) {
      auto result = bpfc::runtime::test_run(*compiled.kernel, kernel->run.frames[i], 1);
      if (!result) die("test run of bpfc's socket filter for " + filter.id + " failed: " + result.error().describe());
      got[kKernel] = result->retval;
      wanted[kKernel] = kernel->run.expected(expected);  // the value itself (hook_test_run.h)
    }
    for (size_t column = 0; column < kColumns; ++column) {
      if (got[column] != wanted[column]) {
        die("MISMATCH on " + filter.id + " (" + short_text(filter.expression) + "), packet " + std::to_string(i) +
            " (" + std::to_string(view.caplen) + " bytes): libpcap's bpf_filter returns " + std::to_string(expected) +
            ", " + kColumnNames[column] + " does not (" + std::to_string(got[column]) +
            "); no timing of wrong filters");
      }
    }
    compiled.accepted += expected != 0;
  }
  return compiled;
}

// One user-space run: `reps` passes over the packets; ns/packet.
template <typename PerPass>
double time_passes(size_t reps, size_t packet_count, PerPass pass) {
  uint64_t accepted = 0;
  const Clock::time_point start = Clock::now();
  for (size_t r = 0; r < reps; ++r) accepted += pass();
  const double seconds = seconds_since(start);
  volatile uint64_t sink = accepted;
  (void)sink;
  return seconds * 1e9 / static_cast<double>(reps * packet_count);
}

// One run of `column` for `f`, of `reps` passes (the kernel: --repeat per packet).
double time_column(Column column, CompiledFilter& f, size_t reps, const std::vector<PacketView>& views,
                   const KernelBench* kernel, uint32_t repeat) {
  const size_t n = views.size();
  switch (column) {
    case kBpfFilter:
      return time_passes(reps, n, [&] {
        uint64_t accepted = 0;
        for (const PacketView& v : views) accepted += f.libpcap->run(v.data, v.caplen, v.wirelen) != 0;
        return accepted;
      });
    case kInterp:
    case kJitPacket: {
      const Filter& filter = column == kInterp ? *f.interp : *f.jit;
      return time_passes(reps, n, [&] {
        uint64_t accepted = 0;
        for (const PacketView& v : views) accepted += filter.run({v.data, v.caplen}, v.wirelen) != 0;
        return accepted;
      });
    }
    case kJitBatch: {
      std::array<uint32_t, kBatch> verdicts{};
      return time_passes(reps, n, [&] {
        uint64_t accepted = 0;
        for (size_t i = 0; i < n; i += kBatch) {
          const size_t count = std::min(kBatch, n - i);
          f.jit->run_batch(std::span(views).subspan(i, count), verdicts);
          accepted += verdicts[0];
        }
        return accepted;
      });
    }
    case kKernel: {
      uint64_t total = 0;
      for (const std::vector<uint8_t>& frame : kernel->run.frames) {
        auto result = bpfc::runtime::test_run(*f.kernel, frame, repeat);
        if (!result) die("test run of bpfc's socket filter failed: " + result.error().describe());
        total += result->duration_ns;
      }
      return static_cast<double>(total) / static_cast<double>(kernel->run.frames.size());
    }
    case kColumns:
      break;
  }
  return 0;
}

std::string jit_state() {
  std::ifstream in("/proc/sys/net/core/bpf_jit_enable");
  std::string value;
  if (!(in >> value)) return "unknown (cannot read /proc/sys/net/core/bpf_jit_enable)";
  if (value == "0") return "OFF (net.core.bpf_jit_enable = 0): kernel numbers are the kernel's interpreter's";
  return "on (net.core.bpf_jit_enable = " + value + ")";
}

bool take_count(std::string_view arg, std::string_view name, size_t& out) {
  if (!arg.starts_with(name)) return false;
  out = std::strtoul(std::string(arg.substr(name.size())).c_str(), nullptr, 10);
  return true;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    size_t value = 0;
    if (arg == "--no_1000_hosts") {
      options.with_1000_hosts = false;
    } else if (arg == "--no_compile_latency") {
      options.compile_latency = false;
    } else if (arg == "--smoke") {
      options.with_1000_hosts = false;
      options.packets = 64;
      options.crafted_every = 4;
      options.runs = 1;
      options.target_ms = 1;
      options.repeat = 10;
      options.corpus_limit = 20;
    } else if (take_count(arg, "--packets=", value)) {
      if (value == 0) return false;
      options.packets = value;
    } else if (take_count(arg, "--runs=", value)) {
      if (value == 0) return false;
      options.runs = value;
    } else if (take_count(arg, "--target_ms=", value)) {
      if (value == 0) return false;
      options.target_ms = static_cast<double>(value);
    } else if (take_count(arg, "--repeat=", value)) {
      if (value == 0 || value > UINT32_MAX) return false;
      options.repeat = static_cast<uint32_t>(value);
    } else if (take_count(arg, "--corpus_limit=", value)) {
      options.corpus_limit = value;
    } else if (arg.starts_with("--libpcap_cache=")) {
      options.libpcap_cache = std::string(arg.substr(std::string_view("--libpcap_cache=").size()));
      if (options.libpcap_cache == "none") options.libpcap_cache.clear();
    } else if (arg.starts_with("--disk_cache_child=")) {
      options.disk_cache_child = std::string(arg.substr(std::string_view("--disk_cache_child=").size()));
    } else {
      return false;
    }
  }
  return true;
}

std::string self_path() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) die("cannot read /proc/self/exe");
  return std::string(path, static_cast<size_t>(n));
}

void report_compile_latency(const Options& options) {
  const bpfc::bench::CorpusFunctions functions =
      bpfc::bench::corpus_functions(BPFC_TEST_DIR "/corpus", options.corpus_limit);
  std::printf("\n=== JIT compile latency: corpus accept list, Ethernet (%zu entries%s; bpfc refuses %zu; %zu give an "
              "IR already counted): %zu distinct IR functions\n",
              functions.entries, options.corpus_limit ? ", limited" : "", functions.not_compiled, functions.duplicates,
              functions.functions.size());
  const bpfc::bench::CompileLatency latency = bpfc::bench::measure_compile_latency(
      functions, self_path(), "--corpus_limit=" + std::to_string(options.corpus_limit));
  std::printf("first compile in the process (LLVM's startup; an expression outside the corpus, not counted below): "
              "%.3f ms\n",
              latency.first_compile_ms);
  auto line = [](const char* what, const bpfc::bench::LatencyStats& s, const char* words) {
    std::printf("%-12s %4zu: min %8.4f, median %8.4f, max %8.4f ms  (%s; max on '%s')\n", what, s.count, s.min_ms,
                s.median_ms, s.max_ms, words, short_text(s.max_expression).c_str());
  };
  line("cold", latency.cold,
       "make_native of an uncached function: key, LLVM IR, optimization, code generation, link, disk-cache write");
  line("cold (CPU)", latency.cold_cpu, "the same makes' CPU time on this thread: the cost without other load");
  line("  emit IR", latency.emit_ir, "of which: native::emit of LLVM IR with the JIT's options, i.e. lowering and its LLVM passes");
  line("  emit obj", latency.emit_object, "of which: native::emit of an object, i.e. the same and code generation");
  line("process hit", latency.process_hit, "make_native again on the same function");
  if (latency.disk_error.empty()) {
    line("disk hit", latency.disk_hit, "a fresh process: native_code() reads the object and links it");
    std::printf("disk hits: %zu of %zu runs took the code from the directory\n",
                latency.disk_hit.count - latency.disk_misses, latency.disk_hit.count);
  } else {
    die("the disk-cache measurement failed: " + latency.disk_error);
  }
  std::printf("GOAL median cold compile <= %.0f ms: %s (wall %.3f ms; CPU %.3f ms)\n", kGoalColdMs,
              latency.cold.median_ms <= kGoalColdMs ? "met" : "NOT MET", latency.cold.median_ms,
              latency.cold_cpu.median_ms);
  std::printf("GOAL cache hit <= %.1f ms: process cache %s (median %.4f ms); disk cache %s (median %.4f ms)\n",
              kGoalHitMs, latency.process_hit.median_ms <= kGoalHitMs ? "met" : "NOT MET",
              latency.process_hit.median_ms,
              latency.disk_hit.median_ms <= kGoalHitMs && latency.disk_misses == 0 ? "met" : "NOT MET",
              latency.disk_hit.median_ms);
}

// bpf_filter's time over the column's, per run (both measured in the same
// run, a few milliseconds apart), and the median of that: steadier than the
// ratio of the medians on a machine whose load drifts.
double speedup(const CompiledFilter& f, size_t column) {
  std::vector<double> ratios;
  for (size_t r = 0; r < f.runs[column].size(); ++r) ratios.push_back(f.runs[kBpfFilter][r] / f.runs[column][r]);
  return ratios.empty() ? 0 : median(ratios);
}

void print_table(const std::vector<CompiledFilter>& filters, const KernelBench* kernel, const Options& options,
                 size_t packet_count) {
  std::printf("\n=== ns/packet, median of %zu runs over the %zu packets; speedup = bpf_filter / engine (> 1: faster "
              "than libpcap), the median of the ratios of each run\n",
              options.runs, packet_count);
  if (kernel != nullptr) {
    std::printf("kernel: BPF_PROG_TEST_RUN of bpfc's eBPF socket filter, repeat %u, whole ns; its own cost "
                "(2-instruction program) %.1f ns/packet is included\n",
                options.repeat, median(kernel->overhead_runs));
  }
  std::printf("%-17s %5s | %10s %7s %7s %7s %7s | %7s %7s %7s %7s | %-8s\n", "filter", "acc", "bpf_filter", "interp",
              "jit/pkt", "jit/256", "kernel", "interp", "jit/pkt", "jit/256", "kernel", "best jit");
  std::printf("%-17s %5s | %10s %7s %7s %7s %7s | %7s %7s %7s %7s |\n", "", "", "ns/pkt", "ns/pkt", "ns/pkt", "ns/pkt",
              "ns/pkt", "speedup", "speedup", "speedup", "speedup");
  for (const CompiledFilter& f : filters) {
    std::array<double, kColumns> ns{};
    for (size_t c = 0; c < kColumns; ++c) ns[c] = f.runs[c].empty() ? -1 : median(f.runs[c]);
    std::printf("%-17s %5zu | %10.2f", f.filter.id.c_str(), f.accepted, ns[kBpfFilter]);
    for (size_t c = kInterp; c < kColumns; ++c) {
      if (ns[c] < 0) {
        std::printf(" %7s", "-");
      } else {
        std::printf(" %7.2f", ns[c]);
      }
    }
    std::printf(" |");
    for (size_t c = kInterp; c < kColumns; ++c) {
      if (ns[c] <= 0) {
        std::printf(" %7s", "-");
      } else {
        std::printf(" %6.1fx", speedup(f, c));
      }
    }
    std::printf(" | %s\n", ns[kJitBatch] < ns[kJitPacket] ? "jit/256" : "jit/pkt");
  }
  std::printf("\nspread: min..max ns/packet over the runs\n");
  for (const CompiledFilter& f : filters) {
    std::printf("  %-17s", f.filter.id.c_str());
    for (size_t c = 0; c < kColumns; ++c) {
      if (f.runs[c].empty()) continue;
      const auto [lo, hi] = std::minmax_element(f.runs[c].begin(), f.runs[c].end());
      std::printf("  %s %.2f..%.2f", kColumnNames[c], *lo, *hi);
    }
    std::printf("\n");
  }

  std::printf("\nGOAL (issue 13), judged on the better JIT column (per packet or per batch of %zu):\n", kBatch);
  size_t met = 0;
  for (const CompiledFilter& f : filters) {
    const double per_packet = median(f.runs[kJitPacket]), batch = median(f.runs[kJitBatch]);
    const Column best_column = batch < per_packet ? kJitBatch : kJitPacket;
    const double best = std::min(per_packet, batch);
    const double faster = speedup(f, best_column);
    bool ok = faster >= kGoalSpeedupEvery;
    std::printf("  %-17s %s %.2f ns/packet, %.1fx bpf_filter: >= %.0fx %s", f.filter.id.c_str(),
                kColumnNames[best_column], best, faster, kGoalSpeedupEvery, ok ? "met" : "NOT MET");
    if (f.filter.id == "tcp_port_80") {
      const bool ns_ok = best <= kGoalNsTcpPort80, fast_ok = faster >= kGoalSpeedupTcpPort80;
      std::printf("; <= %.0f ns/packet %s; >= %.0fx %s", kGoalNsTcpPort80, ns_ok ? "met" : "NOT MET",
                  kGoalSpeedupTcpPort80, fast_ok ? "met" : "NOT MET");
      ok = ok && ns_ok && fast_ok;
    }
    std::printf("\n");
    met += ok;
  }
  std::printf("GOAL %zu of %zu rows met\n", met, filters.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s [--packets=N] [--runs=N] [--target_ms=N] [--repeat=N] [--no_1000_hosts] "
                 "[--corpus_limit=N] [--no_compile_latency] [--libpcap_cache=DIR|none] [--smoke]\n",
                 argv[0]);
    return 2;
  }
  if (!options.disk_cache_child.empty()) {
    return bpfc::bench::run_disk_cache_child(
        bpfc::bench::corpus_functions(BPFC_TEST_DIR "/corpus", options.corpus_limit), options.disk_cache_child);
  }
  // Read before leaving the initial network namespace, which a new one lacks.
  const std::string kernel_jit = jit_state();
  std::printf("%s\n", bpfc::bench::isolate_from_network().message.c_str());

  // First, while this process has compiled nothing.
  if (options.compile_latency) report_compile_latency(options);

  const PacketSet packets =
      bpfc::bench::with_crafted_frames(bpfc::bench::make_exec_packet_set(options.packets), options.crafted_every);
  std::printf("\npacket set: %zu frames, %zu bytes (%zu of traffic_generator seed 1, local hosts renumbered into the "
              "lists; a hand-built one after every %zu)\n",
              packets.packets.size(), packets.bytes.size(), options.packets, options.crafted_every);
  std::vector<PacketView> views;
  for (const PacketSet::Packet& packet : packets.packets) views.push_back({packets.data(packet), packet.length, packet.length});

  std::optional<KernelBench> kernel;
  if (auto reason = bpfc::runtime::bpf_unavailable_reason()) {
    std::printf("kernel column skipped: this process cannot load BPF programs: %s\n", reason->c_str());
  } else {
    auto made = bpfc::bench::make_hook_test_run(bpfc::ebpf::Hook::Socket, packets);
    if (!made.error.empty()) die(made.error);
    auto overhead = bpfc::runtime::load_program(made.run.overhead_program, made.run.prog_type);
    if (!overhead) die("the kernel refuses the 2-instruction program: " + overhead.error().describe());
    kernel = KernelBench{std::move(made.run), std::move(overhead.value().fd), {}};
    std::printf("kernel: BPF JIT %s; %s\n", kernel_jit.c_str(), kernel->run.framing_words.c_str());
  }
  if (!options.with_1000_hosts) std::printf("hosts_1000 left out\n");

  const auto resolver = bpfc::make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  const bpfc::bench::LibpcapProgramCache cache(options.libpcap_cache);
  std::vector<CompiledFilter> filters;
  for (const FilterCase& filter : filter_cases(options)) {
    filters.push_back(prepare(filter, packets, kernel ? &*kernel : nullptr, *resolver, cache));
  }
  std::printf("checked: on every packet, interp, jit (per packet and per batch)%s return what libpcap's bpf_filter() "
              "returns for libpcap's program\n",
              kernel ? " and the kernel's socket filter" : "");

  // How many passes make a run of about target_ms, from one pass.
  const size_t last_column = kernel ? kKernel : kJitBatch;
  for (CompiledFilter& f : filters) {
    for (size_t c = 0; c < kKernel; ++c) {
      const double ns = time_column(static_cast<Column>(c), f, 1, views, nullptr, 0);
      const double pass_ms = ns * static_cast<double>(views.size()) / 1e6;
      f.reps[c] = std::max<size_t>(1, static_cast<size_t>(options.target_ms / std::max(pass_ms, 1e-6)));
    }
  }
  for (size_t run = 0; run < options.runs; ++run) {
    if (kernel) {
      uint64_t total = 0;
      for (const std::vector<uint8_t>& frame : kernel->run.frames) {
        auto result = bpfc::runtime::test_run(kernel->overhead_program, frame, options.repeat);
        if (!result) die("test run of the 2-instruction program failed: " + result.error().describe());
        total += result->duration_ns;
      }
      kernel->overhead_runs.push_back(static_cast<double>(total) / static_cast<double>(kernel->run.frames.size()));
    }
    for (CompiledFilter& f : filters) {
      // Rotate which engine goes first, so that a drift in machine load
      // does not always favour one.
      for (size_t k = 0; k <= last_column; ++k) {
        const auto c = static_cast<Column>((run + k) % (last_column + 1));
        f.runs[c].push_back(time_column(c, f, f.reps[c], views, kernel ? &*kernel : nullptr, options.repeat));
      }
    }
    std::fprintf(stderr, "run %zu of %zu done\n", run + 1, options.runs);
  }
  print_table(filters, kernel ? &*kernel : nullptr, options, packets.packets.size());
  std::printf("\nfilters:\n");
  for (const CompiledFilter& f : filters) {
    std::printf("  %-17s %s (libpcap %zu cBPF insns%s)\n", f.filter.id.c_str(), short_text(f.filter.expression).c_str(),
                f.libpcap_insns,
                f.ebpf_insns ? (", bpfc " + std::to_string(f.ebpf_insns) + " eBPF insns").c_str() : "");
  }
  return 0;
}

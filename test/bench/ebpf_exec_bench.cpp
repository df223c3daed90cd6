// eBPF filter execution in this machine's kernel, per hook (socket filter,
// XDP): nanoseconds per packet of bpfc's eBPF program (compiled from its SSA
// IR for the hook) and of libpcap's optimized classic program translated
// instruction by instruction into eBPF for the hook (cbpf_to_ebpf.h: LD_ABS
// as the kernel's converter does for socket filters, direct packet access as
// cbpfc does for XDP), both run with BPF_PROG_TEST_RUN under the JIT, over a
// fixed mixed packet set
// (exec_packet_set.h: IPv4/IPv6 TCP/UDP/ICMP, some 802.1Q-tagged, ARP; with
// a hand-built frame after every 16, crafted_frames.h, so that every filter
// has packets it accepts).
//
// Before timing, both eBPF programs run once on every packet and must return
// what libpcap's bpf_filter() returns for its classic program (the socket
// filter that value, XDP XDP_PASS where it is non-zero and XDP_DROP where it
// is 0): a difference aborts the benchmark. How each hook's test run gets
// the frames: hook_test_run.h.
//
// Timing: one run of a program is a test run of `repeat` repetitions on each
// packet of the set; its ns/packet is the mean over the packets of the
// kernel's duration per repetition (which it reports in whole nanoseconds,
// rounded down). Runs alternate between programs, filters and hooks; each
// hook's table shows the median of `runs` runs. A two-instruction program
// measured the same way per hook gives the test run's own cost per
// repetition, part of every number, which caps the ratios of small filters.
//
// Usage: bench_ebpf_exec [--hooks=socket,xdp] [--packets=N] [--repeat=N] [--runs=N]
//          [--no_1000_hosts] [--libpcap_cache=DIR|none] [--smoke]
// Exit status: 0 done (whether or not the goals are met), 1 a program failed
// to compile, translate, load, or the programs disagree, 2 usage, 77 this
// process cannot load BPF programs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/runtime/ebpf_kernel.h"
#include "cbpf_to_ebpf.h"
#include "crafted_frames.h"
#include "exec_packet_set.h"
#include "hand_built_cbpf.h"
#include "hook_test_run.h"
#include "libpcap_oracle.h"
#include "libpcap_program_cache.h"
#include "network_isolation.h"
#include "or_lists.h"

namespace {

using bpfc::bench::HookTestRun;
using bpfc::bench::PacketSet;
using bpfc::ebpf::Hook;
using bpfc::runtime::ProgramFd;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kDltEn10mb = 1;
constexpr uint32_t kSnaplen = 262144;
constexpr uint32_t kMinimumRepeat = 1000;

struct Options {
  std::vector<Hook> hooks = {Hook::Socket, Hook::Xdp};
  size_t packets = 1024;           // generated frames, before the crafted ones
  size_t crafted_every = 16;
  uint32_t repeat = 1000;
  size_t runs = 5;
  bool with_1000_hosts = true;
  std::string libpcap_cache = bpfc::bench::default_libpcap_cache_directory();
};

// The goal for a filter: bpfc's eBPF at least `speedup` times as
// fast as the translated libpcap program.
struct FilterCase {
  std::string id;
  std::string expression;
  double goal_speedup;
  const char* goal_words;
};

std::vector<FilterCase> filter_cases(const Options& options) {
  std::vector<FilterCase> cases = {
      {"tcp_port_80", "tcp port 80", 1.0, "never slower"},
      {"udp_dst_53", "udp dst port 53", 1.0, "never slower"},
      {"syn_fin_not_10/8", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src net 10.0.0.0/8", 1.3, "compound"},
      {"vlan_ip6_tcp", "vlan and ip6 and tcp", 1.3, "compound"},
      {"hosts_100", bpfc::bench::make_or_list(bpfc::bench::ListKind::Host, 100), 1.3, "compound"},
  };
  if (options.with_1000_hosts) {
    cases.push_back({"hosts_1000", bpfc::bench::make_or_list(bpfc::bench::ListKind::Host, 1000), 10, "1000-host list"});
  }
  return cases;
}

// Not timed: filters whose libpcap programs use the classic instructions the
// timed ones do not (ld #len, scratch memory, tax/txa, every ALU operation,
// division and modulo by X that can be zero, jumps on X), so that the
// translator is checked against libpcap on each part of its mapping.
const std::vector<FilterCase>& translator_checks() {
  static const std::vector<FilterCase> checks = {
      {"len", "len >= 100 and len <= 600", 0, ""},
      // Met exactly by unpadded IPv4 and IPv6 frames, missed by one length off.
      {"len_exact", "len = ip[2:2] + 14 or len - 54 = ip6[4:2]", 0, ""},
      {"alu_x_memory", "ip[2:2] - ((ip[0] & 0xf) << 2) > 40", 0, ""},
      {"div_by_x", "ip[8] / (ip[9] - 6) = 10", 0, ""},
      {"mod_by_x", "ip[8] % (ip[9] - 17) = 1", 0, ""},
      {"alu_k", "(ip[1] * 3 + 7 - 1) ^ 5 | 2 = 7 or ip[0] >> 2 = 17 or -ip[8] & 0xff > 3", 0, ""},
      // The hand-built frames' TTL is 64: each bound is met exactly, on the
      // taken and the fall-through side of jge and jgt.
      {"jge_bounds", "ip[8] >= 64 and ip[8] <= 64", 0, ""},
      {"jgt_bounds", "ip[8] > 63 and ip[8] < 65", 0, ""},
      {"jump_on_x", "ip[2:2] > len - 14 or ip[8] = ip[9]", 0, ""},
      {"ind_loads", "tcp[tcpflags] & tcp-push != 0 or icmp[icmptype] = icmp-echo or udp[8:4] = 0", 0, ""},
      {"ip6_ports", "ip6 and (portrange 1000-2000 or src port 443)", 0, ""},
      // An unpadded IPv4 frame ends at byte 14 + the IP total length: each
      // indexed load here ends on the frame's last byte or one past it, so
      // XDP's data_end check is met exactly and missed by one.
      {"frame_end", "ether[ip[2:2] + 13] != 256 and ether[ip[2:2] + 12:2] != 65536 and ether[ip[2:2] + 10:4] != 1", 0,
       ""},
      {"past_frame_end", "ether[ip[2:2] + 14] != 256 or ether[ip[2:2] + 13:2] != 65536 or ether[ip[2:2] + 11:4] != 1",
       0, ""},
      // Offsets no XDP frame reaches, each behind a test some packets pass
      // (a failed load rejects at once): under the verifier's limit (the
      // data_end check fails), constant beyond it (XDP: an unconditional
      // reject), a large index (XDP: X's bound check rejects), an indexed
      // load with a large constant part.
      {"near_limit", "udp port 53 or ether[65529:4] = 1", 0, ""},
      {"far_constant", "udp port 53 or ether[70000] = 1", 0, ""},
      {"far_index", "udp port 53 or ether[ip[0] + 65530] = 1", 0, ""},
      {"far_index_constant", "udp port 53 or tcp[65530] = 1", 0, ""},
  };
  return checks;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_ebpf_exec: %s\n", message.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string short_text(const FilterCase& filter) {
  return filter.expression.size() > 80 ? filter.expression.substr(0, 60) + " ..." : filter.expression;
}

ProgramFd load(const bpfc::ebpf::Program& program, const HookTestRun& hook, const std::string& what) {
  auto loaded = bpfc::runtime::load_program(program, hook.prog_type);
  if (!loaded) die("the kernel refuses " + what + ": " + loaded.error().describe());
  return std::move(loaded.value().fd);
}

uint32_t run_once(const ProgramFd& program, std::span<const uint8_t> frame, const std::string& what) {
  auto result = bpfc::runtime::test_run(program, frame, 1);
  if (!result) die("test run of " + what + " failed: " + result.error().describe());
  return result->retval;
}

// One filter's two programs for one hook.
struct CompiledFilter {
  FilterCase filter;
  size_t bpfc_insns = 0, libpcap_cbpf_insns = 0, libpcap_ebpf_insns = 0;
  ProgramFd bpfc, libpcap;
  size_t accepted = 0;
  std::set<uint16_t> libpcap_opcodes;  // the classic opcodes the translation checked here
  std::vector<double> bpfc_runs, libpcap_runs;  // ns/packet of each run
};

// One hook's test runs, and what was measured there.
struct HookBench {
  HookTestRun run;
  ProgramFd overhead_program;
  std::vector<double> overhead_runs;
  std::vector<CompiledFilter> filters;
};

std::string hook_name(const HookTestRun& run) { return std::string(bpfc::ebpf::name(run.hook)); }

// Both programs for one filter, for each hook: bpfc's compiled from one IR,
// libpcap's classic program compiled once and translated per hook, each
// loaded and checked against libpcap's bpf_filter() on every packet.
std::vector<CompiledFilter> prepare(const FilterCase& filter, const PacketSet& packets,
                                    const std::vector<HookBench>& hooks, const bpfc::NameResolver& resolver,
                                    const bpfc::bench::LibpcapProgramCache& cache) {
  bpfc::CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = kSnaplen;
  options.opt_level = 2;
  options.resolver = &resolver;
  Clock::time_point start = Clock::now();
  auto ir = bpfc::compile_to_ir(filter.expression, options);
  if (!ir) die("bpfc refuses " + filter.id + ": " + ir.error().message);
  const double ir_seconds = seconds_since(start);

  bool from_cache = false;
  start = Clock::now();
  auto theirs = cache.compile(filter.expression, kDltEn10mb, kSnaplen, from_cache);
  const double libpcap_seconds = seconds_since(start);
  if (!theirs.program) die("libpcap refuses " + filter.id + ": " + theirs.error);
  const bpfc::difftest::LibpcapProgram reference(*theirs.program);
  std::vector<uint32_t> libpcap_verdicts;
  for (const PacketSet::Packet& packet : packets.packets) {
    libpcap_verdicts.push_back(reference.run(packets.data(packet), packet.length, packet.length));
  }

  std::vector<CompiledFilter> per_hook;
  for (const HookBench& hook : hooks) {
    const std::string where = filter.id + " (" + hook_name(hook.run) + ")";
    CompiledFilter compiled;
    compiled.filter = filter;
    start = Clock::now();
    auto ours = bpfc::ebpf::compile_for_hook(*ir, bpfc::ebpf::default_codegen_options(hook.run.hook));
    if (!ours) die("bpfc's eBPF code generation refuses " + where + ": " + ours.error().message);
    const double bpfc_seconds = ir_seconds + seconds_since(start);
    const bpfc::ebpf::Program& bpfc_program = ours->generated.program;
    compiled.bpfc_insns = bpfc_program.size();

    compiled.libpcap_cbpf_insns = theirs.program->size();
    for (const bpfc::cbpf::Insn& insn : *theirs.program) compiled.libpcap_opcodes.insert(insn.code);
    auto translated = bpfc::bench::translate_cbpf_to_ebpf(*theirs.program, hook.run.hook);
    if (auto* error = std::get_if<bpfc::bench::TranslationError>(&translated)) {
      die("cannot translate libpcap's program for " + where + " (instruction " + std::to_string(error->index) +
          "): " + error->reason);
    }
    const bpfc::ebpf::Program& libpcap_program = std::get<bpfc::ebpf::Program>(translated);
    compiled.libpcap_ebpf_insns = libpcap_program.size();
    std::printf("compiled %-18s %-6s bpfc %5zu eBPF insns in %7.3f s; libpcap %5zu cBPF insns in %7.3f s%s -> %5zu "
                "eBPF\n",
                filter.id.c_str(), hook_name(hook.run).c_str(), compiled.bpfc_insns, bpfc_seconds,
                compiled.libpcap_cbpf_insns, libpcap_seconds, from_cache ? " (cached)" : "",
                compiled.libpcap_ebpf_insns);

    compiled.bpfc = load(bpfc_program, hook.run, "bpfc's program for " + where);
    compiled.libpcap = load(libpcap_program, hook.run, "the translated libpcap program for " + where);

    for (size_t i = 0; i < packets.packets.size(); ++i) {
      const uint32_t expected = hook.run.expected(libpcap_verdicts[i]);
      const uint32_t by_bpfc = run_once(compiled.bpfc, hook.run.frames[i], "bpfc's program");
      const uint32_t by_translation = run_once(compiled.libpcap, hook.run.frames[i], "the translated program");
      if (by_bpfc != expected || by_translation != expected) {
        die("MISMATCH on " + where + " (" + short_text(filter) + "), packet " + std::to_string(i) + " (" +
            std::to_string(packets.packets[i].length) + " bytes): libpcap's bpf_filter returns " +
            std::to_string(libpcap_verdicts[i]) + " (expected return " + std::to_string(expected) +
            "), bpfc's eBPF " + std::to_string(by_bpfc) + ", the translated libpcap program " +
            std::to_string(by_translation) + "; no timing of wrong programs");
      }
      compiled.accepted += libpcap_verdicts[i] != 0;
    }
    per_hook.push_back(std::move(compiled));
  }
  return per_hook;
}

// The translations of the hand-built classic programs (what libpcap never
// emits) for each hook, loaded and checked against libpcap's bpf_filter() on
// every packet; the number of classic instructions checked.
size_t check_hand_built_programs(const PacketSet& packets, const std::vector<HookBench>& hooks,
                                 std::set<uint16_t>& opcodes) {
  size_t insns = 0;
  for (const bpfc::bench::HandBuiltProgram& hand_built : bpfc::bench::hand_built_cbpf_programs()) {
    const bpfc::difftest::LibpcapProgram reference(hand_built.program);
    std::vector<uint32_t> verdicts;
    for (const PacketSet::Packet& packet : packets.packets) {
      verdicts.push_back(reference.run(packets.data(packet), packet.length, packet.length));
    }
    for (const HookBench& hook : hooks) {
      const std::string where = "hand-built " + hand_built.id + " (" + hook_name(hook.run) + ")";
      auto translated = bpfc::bench::translate_cbpf_to_ebpf(hand_built.program, hook.run.hook);
      if (auto* error = std::get_if<bpfc::bench::TranslationError>(&translated)) {
        die("cannot translate " + where + " (instruction " + std::to_string(error->index) + "): " + error->reason);
      }
      const ProgramFd loaded = load(std::get<bpfc::ebpf::Program>(translated), hook.run, where);
      for (size_t i = 0; i < packets.packets.size(); ++i) {
        const uint32_t expected = hook.run.expected(verdicts[i]);
        const uint32_t got = run_once(loaded, hook.run.frames[i], where);
        if (got != expected) {
          die("MISMATCH on " + where + " (" + hand_built.words + "), packet " + std::to_string(i) + " (" +
              std::to_string(packets.packets[i].length) + " bytes): libpcap's bpf_filter returns " +
              std::to_string(verdicts[i]) + " (expected return " + std::to_string(expected) + "), the translation " +
              std::to_string(got));
        }
      }
    }
    const auto accepted = std::count_if(verdicts.begin(), verdicts.end(), [](uint32_t v) { return v != 0; });
    std::printf("  hand-built %s: libpcap accepts %td of %zu packets (%s)\n", hand_built.id.c_str(), accepted,
                packets.packets.size(), hand_built.words.c_str());
    insns += hand_built.program.size();
    for (const bpfc::cbpf::Insn& insn : hand_built.program) opcodes.insert(insn.code);
  }
  return insns;
}

// ns/packet of one run: the mean over the packets of the kernel's time per
// repetition.
double time_once(const ProgramFd& program, const HookTestRun& hook, uint32_t repeat, const std::string& what) {
  uint64_t total = 0;
  for (const std::vector<uint8_t>& frame : hook.frames) {
    auto result = bpfc::runtime::test_run(program, frame, repeat);
    if (!result) die("test run of " + what + " failed: " + result.error().describe());
    total += result->duration_ns;
  }
  return static_cast<double>(total) / static_cast<double>(hook.frames.size());
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string jit_state() {
  std::ifstream in("/proc/sys/net/core/bpf_jit_enable");
  std::string value;
  if (!(in >> value)) return "unknown (cannot read /proc/sys/net/core/bpf_jit_enable)";
  if (value == "0") return "OFF (net.core.bpf_jit_enable = 0): these are interpreter numbers";
  return "on (net.core.bpf_jit_enable = " + value + ")";
}

bool take_count(std::string_view arg, std::string_view name, size_t& out) {
  if (!arg.starts_with(name)) return false;
  out = std::strtoul(std::string(arg.substr(name.size())).c_str(), nullptr, 10);
  return true;
}

// "socket,xdp" or one of them.
bool parse_hooks(std::string_view list, std::vector<Hook>& hooks) {
  hooks.clear();
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    const auto hook = bpfc::ebpf::parse_hook(name);
    if (!hook || (*hook != Hook::Socket && *hook != Hook::Xdp)) return false;
    if (std::find(hooks.begin(), hooks.end(), *hook) == hooks.end()) hooks.push_back(*hook);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return !hooks.empty();
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    size_t value = 0;
    if (arg == "--no_1000_hosts") {
      options.with_1000_hosts = false;
    } else if (arg == "--smoke") {
      options.with_1000_hosts = false;
      options.packets = 32;
      options.crafted_every = 2;
      options.runs = 1;
    } else if (arg.starts_with("--hooks=")) {
      if (!parse_hooks(arg.substr(std::string_view("--hooks=").size()), options.hooks)) return false;
    } else if (take_count(arg, "--packets=", value)) {
      if (value == 0) return false;
      options.packets = value;
    } else if (take_count(arg, "--repeat=", value)) {
      if (value == 0 || value > UINT32_MAX) return false;
      options.repeat = static_cast<uint32_t>(value);
    } else if (take_count(arg, "--runs=", value)) {
      if (value == 0) return false;
      options.runs = value;
    } else if (arg.starts_with("--libpcap_cache=")) {
      options.libpcap_cache = std::string(arg.substr(std::string_view("--libpcap_cache=").size()));
      if (options.libpcap_cache == "none") options.libpcap_cache.clear();
    } else {
      return false;
    }
  }
  return true;
}

void print_table(const HookBench& hook, const Options& options, size_t packet_count) {
  const std::vector<CompiledFilter>& filters = hook.filters;
  const std::vector<double>& overhead_runs = hook.overhead_runs;
  const double overhead = median(overhead_runs);
  std::printf("\n=== hook %s: ns/packet: BPF_PROG_TEST_RUN, repeat %u, median of %zu runs over the %zu packets; "
              "speedup = libpcap-translated / bpfc (> 1: bpfc faster)\n",
              hook_name(hook.run).c_str(), options.repeat, options.runs, packet_count);
  std::printf("test-run overhead (2-instruction program: %s): %.1f ns/packet, included in every number below\n",
              hook.run.overhead_words.c_str(), overhead);
  std::printf("%-18s %8s | %8s %8s %7s | %9s | %6s %6s %6s | %s\n", "filter", "accepted", "bpfc", "libpcap", "speedup",
              "net-ovhd", "bpfc", "lp-eBPF", "lp-cBPF", "goal");
  std::printf("%-18s %8s | %8s %8s %7s | %9s | %6s %6s %6s |\n", "", "packets", "ns/pkt", "ns/pkt", "", "speedup",
              "insns", "insns", "insns");
  for (const CompiledFilter& f : filters) {
    const double ours = median(f.bpfc_runs), theirs = median(f.libpcap_runs);
    const double speedup = theirs / ours;
    char net[16] = "-";
    if (ours - overhead > 0) std::snprintf(net, sizeof net, "%.2f", (theirs - overhead) / (ours - overhead));
    std::printf("%-18s %8zu | %8.1f %8.1f %6.2fx | %8sx | %6zu %6zu %6zu | >= %.1fx (%s): %s\n", f.filter.id.c_str(),
                f.accepted, ours, theirs, speedup, net, f.bpfc_insns, f.libpcap_ebpf_insns, f.libpcap_cbpf_insns,
                f.filter.goal_speedup, f.filter.goal_words, speedup >= f.filter.goal_speedup ? "met" : "NOT MET");
  }
  std::printf("\nspread: min..max ns/packet over the %zu runs (overhead %.1f..%.1f)\n", options.runs,
              *std::min_element(overhead_runs.begin(), overhead_runs.end()),
              *std::max_element(overhead_runs.begin(), overhead_runs.end()));
  for (const CompiledFilter& f : filters) {
    const auto [bpfc_min, bpfc_max] = std::minmax_element(f.bpfc_runs.begin(), f.bpfc_runs.end());
    const auto [lp_min, lp_max] = std::minmax_element(f.libpcap_runs.begin(), f.libpcap_runs.end());
    std::printf("  %-18s bpfc %6.1f..%-6.1f libpcap %6.1f..%-6.1f\n", f.filter.id.c_str(), *bpfc_min, *bpfc_max,
                *lp_min, *lp_max);
  }
  std::printf("\nGOAL (issue 12): never slower, >= 1.3x on the compound filters, >= 10x on the 1,000-host list "
              "(judged on the measured speedup, overhead included; net-ovhd subtracts the 2-instruction program's time "
              "from both, for reference)\n");
  size_t met = 0;
  for (const CompiledFilter& f : filters) met += median(f.libpcap_runs) / median(f.bpfc_runs) >= f.filter.goal_speedup;
  std::printf("GOAL (%s) %zu of %zu rows met\n", hook_name(hook.run).c_str(), met, filters.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s [--hooks=socket,xdp] [--packets=N] [--repeat=N] [--runs=N] [--no_1000_hosts] "
                 "[--libpcap_cache=DIR|none] [--smoke]\n",
                 argv[0]);
    return 2;
  }
  // Read before leaving the initial network namespace: a new one has no
  // /proc/sys/net/core/bpf_jit_enable.
  const std::string jit = jit_state();
  std::printf("%s\n", bpfc::bench::isolate_from_network().message.c_str());
  if (auto reason = bpfc::runtime::bpf_unavailable_reason()) {
    std::printf("skipped: this process cannot load BPF programs: %s\n", reason->c_str());
    return 77;
  }
  std::printf("JIT: %s\n", jit.c_str());
  if (options.repeat < kMinimumRepeat) {
    std::printf("note: repeat %u is under %u: numbers are noisy\n", options.repeat, kMinimumRepeat);
  }

  const PacketSet packets =
      bpfc::bench::with_crafted_frames(bpfc::bench::make_exec_packet_set(options.packets), options.crafted_every);
  std::printf("packet set: %zu frames, %zu bytes (%zu of traffic_generator seed 1, local hosts renumbered into the "
              "lists; a hand-built one after every %zu)\n",
              packets.packets.size(), packets.bytes.size(), options.packets, options.crafted_every);
  std::vector<HookBench> hooks;
  for (Hook hook : options.hooks) {
    auto made = bpfc::bench::make_hook_test_run(hook, packets);
    if (!made.error.empty()) die(made.error);
    HookBench bench;
    bench.run = std::move(made.run);
    bench.overhead_program = load(bench.run.overhead_program, bench.run, "the 2-instruction program");
    std::printf("hook %s: %s\n", hook_name(bench.run).c_str(), bench.run.framing_words.c_str());
    hooks.push_back(std::move(bench));
  }
  const auto resolver = bpfc::make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  const bpfc::bench::LibpcapProgramCache cache(options.libpcap_cache);
  if (!options.with_1000_hosts) std::printf("hosts_1000 left out\n");

  const std::vector<FilterCase> cases = filter_cases(options);
  for (const FilterCase& filter : cases) {
    std::vector<CompiledFilter> per_hook = prepare(filter, packets, hooks, *resolver, cache);
    for (size_t h = 0; h < hooks.size(); ++h) hooks[h].filters.push_back(std::move(per_hook[h]));
  }
  size_t translator_insns = 0;
  std::set<uint16_t> opcodes;
  for (const HookBench& hook : hooks) {
    for (const CompiledFilter& f : hook.filters) opcodes.insert(f.libpcap_opcodes.begin(), f.libpcap_opcodes.end());
  }
  for (const FilterCase& check : translator_checks()) {
    const std::vector<CompiledFilter> checked = prepare(check, packets, hooks, *resolver, cache);
    std::printf("  %s: libpcap accepts %zu of %zu packets\n", check.id.c_str(), checked.front().accepted,
                packets.packets.size());
    translator_insns += checked.front().libpcap_cbpf_insns;
    opcodes.insert(checked.front().libpcap_opcodes.begin(), checked.front().libpcap_opcodes.end());
  }
  const size_t hand_built_insns = check_hand_built_programs(packets, hooks, opcodes);
  std::string hook_list;
  for (const HookBench& hook : hooks) hook_list += (hook_list.empty() ? "" : ", ") + hook_name(hook.run);
  std::printf("checked (hooks: %s): on every packet, bpfc's eBPF and the translated libpcap program return what "
              "libpcap's bpf_filter() returns for libpcap's classic program (also for %zu untimed filters, %zu "
              "classic instructions, that use the rest of the translation: len, scratch memory, ALU, division by X, "
              "loads at and past the frame's end; and %zu hand-built programs, %zu instructions: ret a, "
              "ldx #len, ldxb far away)\n",
              hook_list.c_str(), translator_checks().size(), translator_insns,
              bpfc::bench::hand_built_cbpf_programs().size(), hand_built_insns);
  std::printf("classic opcodes translated and checked:");
  for (uint16_t code : opcodes) std::printf(" 0x%02x", code);
  std::printf("\n");

  for (size_t run = 0; run < options.runs; ++run) {
    for (HookBench& hook : hooks) {
      hook.overhead_runs.push_back(
          time_once(hook.overhead_program, hook.run, options.repeat, "the 2-instruction program"));
      for (CompiledFilter& f : hook.filters) {
        // Alternate which program goes first, so that a drift in machine load
        // does not always favour one.
        if (run % 2 == 0) {
          f.bpfc_runs.push_back(time_once(f.bpfc, hook.run, options.repeat, "bpfc's program"));
          f.libpcap_runs.push_back(time_once(f.libpcap, hook.run, options.repeat, "the translated program"));
        } else {
          f.libpcap_runs.push_back(time_once(f.libpcap, hook.run, options.repeat, "the translated program"));
          f.bpfc_runs.push_back(time_once(f.bpfc, hook.run, options.repeat, "bpfc's program"));
        }
      }
    }
    std::fprintf(stderr, "run %zu of %zu done\n", run + 1, options.runs);
  }
  for (const HookBench& hook : hooks) print_table(hook, options, packets.packets.size());
  std::printf("\nfilters:\n");
  for (const FilterCase& filter : cases) std::printf("  %-18s %s\n", filter.id.c_str(), short_text(filter).c_str());
  return 0;
}

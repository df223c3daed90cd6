// eBPF filter execution in this machine's kernel: nanoseconds per packet of
// bpfc's eBPF socket filter (compiled from its SSA IR) and of libpcap's
// optimized classic program translated instruction by instruction into eBPF
// (cbpf_to_ebpf.h, the way cbpfc and the kernel's converter do it), both run
// with BPF_PROG_TEST_RUN under the JIT, over a fixed mixed packet set
// (exec_packet_set.h: IPv4/IPv6 TCP/UDP/ICMP, some 802.1Q-tagged, ARP; with
// a hand-built frame after every 16, crafted_frames.h, so that every filter
// has packets it accepts).
//
// Before timing, both eBPF programs run once on every packet and must return
// what libpcap's bpf_filter() returns for its classic program: a difference
// aborts the benchmark.
//
// A socket filter's test run passes the frame through eth_type_trans first,
// so each frame gets a copy of its Ethernet header in front, with the local
// experimental EtherType 0x88b5 (the kernel then wants no IP header behind
// it): the program sees the original frame from byte 0, and skb->len is its
// length.
//
// Timing: one run of a program is a test run of `repeat` repetitions on each
// packet of the set; its ns/packet is the mean over the packets of the
// kernel's duration per repetition (which it reports in whole nanoseconds,
// rounded down). Runs alternate between programs and filters; the table
// shows the median of `runs` runs. A two-instruction program measured the
// same way gives the test run's own cost per repetition, part of every
// number, which caps the ratios of small filters.
//
// Usage: bench_ebpf_exec [--packets=N] [--repeat=N] [--runs=N] [--no_1000_hosts]
//          [--libpcap_cache=DIR|none] [--smoke]
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
#include "libpcap_oracle.h"
#include "libpcap_program_cache.h"
#include "network_isolation.h"
#include "or_lists.h"

namespace {

using bpfc::bench::PacketSet;
using bpfc::runtime::ProgramFd;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kDltEn10mb = 1;
constexpr uint32_t kSnaplen = 262144;
constexpr size_t kEthernetHeader = 14;
constexpr uint8_t kExperimentalEtherType[2] = {0x88, 0xb5};
constexpr uint32_t kMinimumRepeat = 1000;

struct Options {
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

// Each frame behind a copy of its Ethernet addresses and EtherType 0x88b5,
// for eth_type_trans to strip.
struct FramedPackets {
  std::vector<std::vector<uint8_t>> frames;  // as handed to the test run
  const PacketSet* original = nullptr;
};

FramedPackets frame_for_test_run(const PacketSet& packets) {
  FramedPackets framed;
  framed.original = &packets;
  for (const PacketSet::Packet& packet : packets.packets) {
    const uint8_t* bytes = packets.data(packet);
    if (packet.length < kEthernetHeader) die("packet set holds a frame shorter than an Ethernet header");
    std::vector<uint8_t> frame(bytes, bytes + 12);
    frame.insert(frame.end(), std::begin(kExperimentalEtherType), std::end(kExperimentalEtherType));
    frame.insert(frame.end(), bytes, bytes + packet.length);
    framed.frames.push_back(std::move(frame));
  }
  return framed;
}

ProgramFd load(const bpfc::ebpf::Program& program, const std::string& what) {
  auto loaded = bpfc::runtime::load_program(program, bpfc::ebpf::kProgTypeSocketFilter);
  if (!loaded) die("the kernel refuses " + what + ": " + loaded.error().describe());
  return std::move(loaded.value().fd);
}

uint32_t run_once(const ProgramFd& program, std::span<const uint8_t> frame, const std::string& what) {
  auto result = bpfc::runtime::test_run(program, frame, 1);
  if (!result) die("test run of " + what + " failed: " + result.error().describe());
  return result->retval;
}

struct CompiledFilter {
  FilterCase filter;
  size_t bpfc_insns = 0, libpcap_cbpf_insns = 0, libpcap_ebpf_insns = 0;
  ProgramFd bpfc, libpcap;
  size_t accepted = 0;
  std::set<uint16_t> libpcap_opcodes;  // the classic opcodes the translation checked here
  std::vector<double> bpfc_runs, libpcap_runs;  // ns/packet of each run
};

// Both programs for one filter, loaded and checked against libpcap's
// bpf_filter() on every packet.
CompiledFilter prepare(const FilterCase& filter, const FramedPackets& framed, const bpfc::NameResolver& resolver,
                       const bpfc::bench::LibpcapProgramCache& cache) {
  CompiledFilter compiled;
  compiled.filter = filter;
  bpfc::CompileOptions options;
  options.linktype = kDltEn10mb;
  options.snaplen = kSnaplen;
  options.opt_level = 2;
  options.resolver = &resolver;
  Clock::time_point start = Clock::now();
  auto ir = bpfc::compile_to_ir(filter.expression, options);
  if (!ir) die("bpfc refuses " + filter.id + ": " + ir.error().message);
  auto ours = bpfc::ebpf::compile_for_hook(std::move(*ir), bpfc::ebpf::default_codegen_options(bpfc::ebpf::Hook::Socket));
  if (!ours) die("bpfc's eBPF code generation refuses " + filter.id + ": " + ours.error().message);
  const double bpfc_seconds = seconds_since(start);
  const bpfc::ebpf::Program& bpfc_program = ours->generated.program;
  compiled.bpfc_insns = bpfc_program.size();

  bool from_cache = false;
  start = Clock::now();
  auto theirs = cache.compile(filter.expression, kDltEn10mb, kSnaplen, from_cache);
  const double libpcap_seconds = seconds_since(start);
  if (!theirs.program) die("libpcap refuses " + filter.id + ": " + theirs.error);
  compiled.libpcap_cbpf_insns = theirs.program->size();
  for (const bpfc::cbpf::Insn& insn : *theirs.program) compiled.libpcap_opcodes.insert(insn.code);
  auto translated = bpfc::bench::translate_cbpf_to_ebpf(*theirs.program);
  if (auto* error = std::get_if<bpfc::bench::TranslationError>(&translated)) {
    die("cannot translate libpcap's program for " + filter.id + " (instruction " + std::to_string(error->index) +
        "): " + error->reason);
  }
  const bpfc::ebpf::Program& libpcap_program = std::get<bpfc::ebpf::Program>(translated);
  compiled.libpcap_ebpf_insns = libpcap_program.size();
  std::printf("compiled %-18s bpfc %5zu eBPF insns in %7.3f s; libpcap %5zu cBPF insns in %7.3f s%s -> %5zu eBPF\n",
              filter.id.c_str(), compiled.bpfc_insns, bpfc_seconds, compiled.libpcap_cbpf_insns, libpcap_seconds,
              from_cache ? " (cached)" : "", compiled.libpcap_ebpf_insns);

  compiled.bpfc = load(bpfc_program, "bpfc's program for " + filter.id);
  compiled.libpcap = load(libpcap_program, "the translated libpcap program for " + filter.id);

  const bpfc::difftest::LibpcapProgram reference(*theirs.program);
  const PacketSet& packets = *framed.original;
  for (size_t i = 0; i < packets.packets.size(); ++i) {
    const PacketSet::Packet& packet = packets.packets[i];
    const uint32_t expected = reference.run(packets.data(packet), packet.length, packet.length);
    const uint32_t by_bpfc = run_once(compiled.bpfc, framed.frames[i], "bpfc's program");
    const uint32_t by_translation = run_once(compiled.libpcap, framed.frames[i], "the translated program");
    if (by_bpfc != expected || by_translation != expected) {
      die("MISMATCH on " + filter.id + " (" + short_text(filter) + "), packet " + std::to_string(i) + " (" +
          std::to_string(packet.length) + " bytes): libpcap's bpf_filter returns " + std::to_string(expected) +
          ", bpfc's eBPF " + std::to_string(by_bpfc) + ", the translated libpcap program " +
          std::to_string(by_translation) + "; no timing of wrong programs");
    }
    compiled.accepted += expected != 0;
  }
  return compiled;
}

// ns/packet of one run: the mean over the packets of the kernel's time per
// repetition.
double time_once(const ProgramFd& program, const FramedPackets& framed, uint32_t repeat, const std::string& what) {
  uint64_t total = 0;
  for (const std::vector<uint8_t>& frame : framed.frames) {
    auto result = bpfc::runtime::test_run(program, frame, repeat);
    if (!result) die("test run of " + what + " failed: " + result.error().describe());
    total += result->duration_ns;
  }
  return static_cast<double>(total) / static_cast<double>(framed.frames.size());
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

void print_table(const std::vector<CompiledFilter>& filters, const std::vector<double>& overhead_runs,
                 const Options& options, size_t packet_count) {
  const double overhead = median(overhead_runs);
  std::printf("\nns/packet: BPF_PROG_TEST_RUN, repeat %u, median of %zu runs over the %zu packets; "
              "speedup = libpcap-translated / bpfc (> 1: bpfc faster)\n",
              options.repeat, options.runs, packet_count);
  std::printf("test-run overhead (2-instruction program: r0 = 0; exit): %.1f ns/packet, included in every number below\n",
              overhead);
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
  std::printf("\nfilters:\n");
  for (const CompiledFilter& f : filters) std::printf("  %-18s %s\n", f.filter.id.c_str(), short_text(f.filter).c_str());
  std::printf("\nGOAL (issue 12): never slower, >= 1.3x on the compound filters, >= 10x on the 1,000-host list "
              "(judged on the measured speedup, overhead included; net-ovhd subtracts the 2-instruction program's time "
              "from both, for reference)\n");
  size_t met = 0;
  for (const CompiledFilter& f : filters) met += median(f.libpcap_runs) / median(f.bpfc_runs) >= f.filter.goal_speedup;
  std::printf("GOAL %zu of %zu rows met\n", met, filters.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s [--packets=N] [--repeat=N] [--runs=N] [--no_1000_hosts] [--libpcap_cache=DIR|none] "
                 "[--smoke]\n",
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
  const FramedPackets framed = frame_for_test_run(packets);
  std::printf("packet set: %zu frames, %zu bytes (%zu of traffic_generator seed 1, local hosts renumbered into the "
              "lists; a hand-built one after every %zu), each behind a 14-byte Ethernet header with EtherType 0x88b5 "
              "for eth_type_trans\n",
              packets.packets.size(), packets.bytes.size(), options.packets, options.crafted_every);
  const auto resolver = bpfc::make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  const bpfc::bench::LibpcapProgramCache cache(options.libpcap_cache);
  if (!options.with_1000_hosts) std::printf("hosts_1000 left out\n");

  std::vector<CompiledFilter> filters;
  for (const FilterCase& filter : filter_cases(options)) filters.push_back(prepare(filter, framed, *resolver, cache));
  size_t translator_insns = 0;
  std::set<uint16_t> opcodes;
  for (const CompiledFilter& f : filters) opcodes.insert(f.libpcap_opcodes.begin(), f.libpcap_opcodes.end());
  for (const FilterCase& check : translator_checks()) {
    const CompiledFilter checked = prepare(check, framed, *resolver, cache);
    translator_insns += checked.libpcap_cbpf_insns;
    opcodes.insert(checked.libpcap_opcodes.begin(), checked.libpcap_opcodes.end());
  }
  std::printf("checked: on every packet, bpfc's eBPF and the translated libpcap program return what libpcap's "
              "bpf_filter() returns for libpcap's classic program (also for %zu untimed filters, %zu classic instructions, that use the "
              "rest of the translation: len, scratch memory, ALU, division by X)\n",
              translator_checks().size(), translator_insns);
  std::printf("classic opcodes translated and checked:");
  for (uint16_t code : opcodes) std::printf(" 0x%02x", code);
  std::printf("\n");

  const bpfc::ebpf::Program minimal = {bpfc::ebpf::mov64_imm(bpfc::ebpf::R0, 0), bpfc::ebpf::exit_insn()};
  const ProgramFd overhead_program = load(minimal, "the 2-instruction program");
  std::vector<double> overhead_runs;
  for (size_t run = 0; run < options.runs; ++run) {
    overhead_runs.push_back(time_once(overhead_program, framed, options.repeat, "the 2-instruction program"));
    for (CompiledFilter& f : filters) {
      // Alternate which program goes first, so that a drift in machine load
      // does not always favour one.
      if (run % 2 == 0) {
        f.bpfc_runs.push_back(time_once(f.bpfc, framed, options.repeat, "bpfc's program"));
        f.libpcap_runs.push_back(time_once(f.libpcap, framed, options.repeat, "the translated program"));
      } else {
        f.libpcap_runs.push_back(time_once(f.libpcap, framed, options.repeat, "the translated program"));
        f.bpfc_runs.push_back(time_once(f.bpfc, framed, options.repeat, "bpfc's program"));
      }
    }
    std::fprintf(stderr, "run %zu of %zu done\n", run + 1, options.runs);
  }
  print_table(filters, overhead_runs, options, packets.packets.size());
  return 0;
}

// The eBPF target against the running kernel: every accept-corpus expression
// bpfc compiles for EN10MB, RAW, LINUX_SLL and LINUX_SLL2 becomes a socket
// filter (and, for EN10MB, an XDP and a tc program) that the kernel's
// verifier loads, and BPF_PROG_TEST_RUN on corpus packets, their mutants and
// truncations gives the verdict of bpfc's classic program on the same bytes
// (with protochain following as many headers, 64, as the eBPF loop does).
// libbpf is the test's way into the kernel (the product uses none).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "corpus_entries.h"
#include "packet_corpus.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

struct LoadedProgram {
  int fd = -1;
  std::string log;
  ~LoadedProgram() {
    if (fd >= 0) ::close(fd);
  }
};

// Loads `program` for `hook`; fd < 0 and the verifier's log on refusal.
void load(const ebpf::Program& program, ebpf::Hook hook, LoadedProgram& out) {
  std::vector<bpf_insn> insns(program.size());
  for (size_t i = 0; i < program.size(); ++i) {
    const auto bytes = ebpf::encode(program[i]);
    std::memcpy(&insns[i], bytes.data(), 8);
  }
  std::vector<char> log(1 << 20);
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_level = 1, .log_size = static_cast<__u32>(log.size()),
              .log_buf = log.data());
  out.fd = bpf_prog_load(static_cast<bpf_prog_type>(ebpf::program_type(hook)), "bpfc_filter", "GPL",
                         insns.data(), insns.size(), &opts);
  if (out.fd < 0) {
    out.log = std::strerror(errno) + std::string("\n") + log.data();
    if (out.log.size() > 4000) out.log = out.log.substr(out.log.size() - 4000);
  }
}

bool kernel_loads_ebpf() {
  const ebpf::Program trivial = {ebpf::mov64_imm(ebpf::R0, 0), ebpf::exit_insn()};
  LoadedProgram loaded;
  load(trivial, ebpf::Hook::Socket, loaded);
  return loaded.fd >= 0;
}

// What BPF_PROG_TEST_RUN returns, or nullopt when it refuses the frame.
std::optional<uint32_t> test_run(int fd, const std::vector<uint8_t>& data) {
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data.data(), .data_size_in = static_cast<__u32>(data.size()),
              .repeat = 1);
  if (bpf_prog_test_run_opts(fd, &opts) != 0) return std::nullopt;
  return opts.retval;
}

// The frame a hook's test run must be given for the program to see `bytes`:
// a socket filter's run strips an Ethernet header first (eth_type_trans), so
// one goes in front; its EtherType is a local experimental one, so that the
// kernel asks for no minimum IP header behind it.
std::vector<uint8_t> frame_for(ebpf::Hook hook, const uint8_t* bytes, uint32_t caplen) {
  std::vector<uint8_t> frame;
  if (hook == ebpf::Hook::Socket) {
    frame = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5};
  }
  frame.insert(frame.end(), bytes, bytes + caplen);
  return frame;
}

// The hook's return value for the classic program's verdict.
uint32_t expected_return(ebpf::Hook hook, uint32_t verdict) {
  switch (hook) {
    case ebpf::Hook::Xdp: return verdict != 0 ? ebpf::kXdpPass : ebpf::kXdpDrop;
    case ebpf::Hook::Tc: return verdict != 0 ? ebpf::kTcActOk : ebpf::kTcActShot;
    default: return verdict;
  }
}

// Fewer synthetic packets under the sanitizers, which slow the compiles.
#ifdef BPFC_SANITIZED_BUILD
constexpr int kSyntheticPackets = 10;
#else
constexpr int kSyntheticPackets = 30;
#endif

struct Tally {
  size_t programs = 0, refused = 0, runs = 0, frames_refused = 0, mismatches = 0;
};

TEST(EbpfKernel, CorpusProgramsLoadAndGiveTheClassicVerdicts) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  const std::vector<uint32_t> linktypes = {kDltEn10mb, kDltRaw, kDltLinuxSll, kDltLinuxSll2};
  PacketCorpusOptions packet_options;
  packet_options.mutants_per_packet = 1;
  packet_options.synthetic_per_linktype = kSyntheticPackets;
  packet_options.truncate_savefile_packets = false;
  const PacketCorpus corpus(kPcapsDir, linktypes, packet_options);

  const auto resolver = make_file_resolver(kFixtureNamesDir);
  std::map<std::string, Tally> tallies;
  size_t compiled = 0, not_compiled = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    const auto dlt = linktype_from_string(entry.dlt);
    if (!dlt || std::find(linktypes.begin(), linktypes.end(), *dlt) == linktypes.end()) continue;
    if (entry.linuxext || entry.offline) continue;
    CompileOptions options;
    options.linktype = *dlt;
    options.snaplen = entry.snaplen;
    options.netmask = entry.netmask;
    options.resolver = resolver.get();
    auto function = compile_to_ir(entry.expr, options);
    // The reference follows protochain as far as the eBPF loop does.
    CompileOptions bounded = options;
    bounded.protochain = ProtochainForm::Unrolled;
    auto classic = compile_cbpf(entry.expr, bounded);
    if (!function.ok() || !classic.ok()) {
      ++not_compiled;  // the accept corpus test says why bpfc refuses it
      continue;
    }
    ++compiled;
    std::vector<ebpf::Hook> hooks = {ebpf::Hook::Socket};
    if (*dlt == kDltEn10mb) hooks.insert(hooks.end(), {ebpf::Hook::Xdp, ebpf::Hook::Tc});
    for (ebpf::Hook hook : hooks) {
      Tally& tally = tallies[std::string(ebpf::name(hook))];
      ++tally.programs;
      auto program = ebpf::compile_for_hook(*function, ebpf::default_codegen_options(hook));
      ASSERT_TRUE(program.ok()) << entry.expr << ": " << program.error().message;
      LoadedProgram loaded;
      load(program->generated.program, hook, loaded);
      if (loaded.fd < 0) {
        ++tally.refused;
        ADD_FAILURE() << ebpf::name(hook) << " program for '" << entry.expr << "' (" << entry.dlt
                      << ") refused by the kernel:\n"
                      << loaded.log;
        continue;
      }
      for (const PacketView& view : corpus.views_for(*dlt)) {
        const uint8_t* bytes = view.packet->bytes.data();
        // Whole packets and two truncations of each.
        for (uint32_t caplen : {view.caplen, view.caplen * 2 / 3, view.caplen / 3}) {
          auto returned = test_run(loaded.fd, frame_for(hook, bytes, caplen));
          if (!returned) {
            ++tally.frames_refused;
            continue;
          }
          ++tally.runs;
          const uint32_t verdict = runtime::run_cbpf(*classic, {bytes, caplen}, caplen);
          if (*returned != expected_return(hook, verdict)) {
            if (++tally.mismatches <= 5) {
              ADD_FAILURE() << ebpf::name(hook) << " '" << entry.expr << "' (" << entry.dlt << ") on "
                            << view.packet->origin << " caplen " << caplen << ": kernel " << *returned
                            << ", classic verdict " << verdict;
            }
          }
        }
      }
    }
  }
  std::cout << "eBPF kernel check: " << compiled << " expressions (" << not_compiled << " bpfc refuses)\n";
  for (const auto& [hook, tally] : tallies) {
    std::cout << "  " << hook << ": " << tally.programs << " programs, " << tally.refused << " refused; "
              << tally.runs << " test runs, " << tally.mismatches << " mismatches (" << tally.frames_refused
              << " frames the kernel would not run)\n";
    EXPECT_EQ(tally.refused, 0u);
    EXPECT_EQ(tally.mismatches, 0u);
    EXPECT_GT(tally.runs, 0u);
  }
}

}  // namespace
}  // namespace bpfc::difftest

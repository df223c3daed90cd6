// `protochain` against libpcap 1.10.3 on packets built for it: IPv4 and IPv6
// headers followed by chains of 0 to 300 headers of every kind libpcap's
// walk follows (IPv6 hop-by-hop, routing, fragment, destination options;
// AH after either version), laid out as libpcap's walk reads them and as
// they are on the wire, truncated at the points the walk reads, and
// mutated; on every link type the suite covers, at -O2 and -O0.
//
// On every packet, bpfc's default (loop) program, run by libpcap's
// bpf_filter() and by bpfc's interpreter, and bpfc's IR, run by the
// reference interpreter, give libpcap's verdict. Where libpcap's walk never
// ends (AH headers that lead back to each other) bpf_filter() would spin
// for ever; there the reference is libpcap's own program under the rule
// bpfc defines (an endless walk returns 0), run by bpfc's interpreter.
//
// The unrolled form follows at most `depth` headers: it gives libpcap's
// verdict wherever every walk of the filter takes at most `depth` steps,
// and where a walk takes more it rejects the packet (exactly so for
// filters that are one walk; for compound filters the walk may not run).
#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "bpfc/ir/interpreter.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"
#include "libpcap_oracle.h"
#include "protochain_packets.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

struct Walk {
  bool ipv6;
  uint32_t stop;
};

struct ChainFilter {
  std::string expr;
  std::vector<Walk> walks;  // the walks it holds
  bool everywhere = false;  // also on the link types other than Ethernet
  // The filter is one walk after its IP version test: where the walk needs
  // more steps than the unrolled form's bound, that form rejects.
  bool one_walk() const { return walks.size() == 1 && expr.find(" or ") == std::string::npos &&
                                 expr.find(" and ") == std::string::npos && expr.find("not ") == std::string::npos; }
};

const std::vector<ChainFilter>& filters() {
  static const std::vector<ChainFilter> list = {
      {"ip6 protochain 6", {{true, 6}}, true},
      {"ip6 protochain 17", {{true, 17}}},
      {"ip6 protochain 58", {{true, 58}}},
      {"ip6 protochain 0", {{true, 0}}},
      {"ip6 protochain 43", {{true, 43}}},
      {"ip6 protochain 44", {{true, 44}}},
      {"ip6 protochain 51", {{true, 51}}, true},
      {"ip6 protochain 59", {{true, 59}}},
      {"ip6 protochain 60", {{true, 60}}},
      {"ip6 protochain 255", {{true, 255}}},
      {"ip protochain 6", {{false, 6}}, true},
      {"ip protochain 17", {{false, 17}}},
      {"ip protochain 51", {{false, 51}}},
      {"ip protochain 59", {{false, 59}}},
      {"protochain 6", {{false, 6}, {true, 6}}, true},
      {"protochain 17", {{false, 17}, {true, 17}}},
      {"ip6 protochain 6 or ip6 protochain 17", {{true, 6}, {true, 17}}, true},
      {"ip6 protochain 6 and ip6 protochain 17", {{true, 6}, {true, 17}}},
      {"not ip6 protochain 6", {{true, 6}}, true},
      {"ip6 protochain 6 and not tcp", {{true, 6}}},
      {"tcp or ip6 protochain 17", {{true, 17}}},
      {"ip6 protochain 6 and len > 200", {{true, 6}}},
      {"ip6 and (ip6 protochain 6 or udp)", {{true, 6}}},
      {"protochain 6 or protochain 17", {{false, 6}, {true, 6}, {false, 17}, {true, 17}}},
      {"ip6 protochain 6 and ip6 proto 6", {{true, 6}}},
      {"ip protochain 51 or ip6 protochain 51", {{false, 51}, {true, 51}}},
      {"(ip6 protochain 6 or ip protochain 17) and not ip6 protochain 44", {{true, 6}, {false, 17}, {true, 44}}},
      // A variable link-layer offset (geneve) lives in the scratch
      // register libpcap's walk has just used; where the walk or the tunnel
      // test fails, the code after the `or` reads what the walk left there.
      {"ip protochain 1 and geneve or net 0", {{false, 1}}},
      {"ip protochain 6 and geneve 7 or host 0.0.0.0", {{false, 6}}},
      {"ip6 protochain 17 and geneve or ip", {{true, 17}}},
      {"ip6 protochain 58 and geneve 5 or ip6 or arp", {{true, 58}}},
      {"protochain 17 and geneve or ip proto 12", {{false, 17}, {true, 17}}},
  };
  return list;
}

// Chain lengths: every short one, and long ones around the bounds that
// matter (the unrolled form's, and the 125 or so where bpfc's old unrolled
// walk stopped).
std::vector<uint32_t> chain_lengths(bool ipv6) {
  std::vector<uint32_t> lengths;
  for (uint32_t n = 0; n <= 12; ++n) lengths.push_back(n);
  const std::vector<uint32_t> longer =
      ipv6 ? std::vector<uint32_t>{15, 16, 17, 31, 63, 64, 65, 100, 125, 126, 127, 128, 129, 150, 195, 200, 256, 300}
           : std::vector<uint32_t>{15, 16, 17, 40, 64, 65, 100, 127, 128, 129};
  lengths.insert(lengths.end(), longer.begin(), longer.end());
  return lengths;
}

struct ChainPacket {
  Packet packet;
  std::set<uint32_t> interesting;  // caplens where the walk reads its last bytes
};

std::vector<ChainPacket> chain_packets(uint32_t linktype, uint64_t seed) {
  Rng rng(seed ^ (uint64_t{linktype} << 40));
  const uint32_t base = network_offset(linktype);
  const std::vector<uint8_t> finals = {6, 17, 58, 59, 99, 1};
  std::vector<ChainPacket> out;
  for (bool ipv6 : {true, false}) {
    for (uint32_t length : chain_lengths(ipv6)) {
      for (ChainLayout layout : {ChainLayout::AsLibpcapWalks, ChainLayout::AsOnTheWire}) {
        for (uint32_t ah_percent : {0u, 15u}) {
          if (!ipv6 && ah_percent == 0) continue;  // IPv4 chains are AH only
          ChainSpec spec;
          spec.ipv6 = ipv6;
          spec.headers = random_chain(rng, ipv6, length, ah_percent);
          spec.final_protocol = rng.percent(50) ? 6 : rng.pick(finals);
          spec.layout = layout;
          spec.ipv4_header_length = 20 + 4 * rng.below(11);
          spec.payload = 8 + rng.below(40);
          ChainPacket p;
          p.packet.bytes = frame_ip(linktype, ipv6, chain_ip_packet(spec, rng));
          p.packet.wirelen = static_cast<uint32_t>(p.packet.bytes.size());
          p.packet.origin = std::string(ipv6 ? "IPv6" : "IPv4") + " with " + std::to_string(length) + " headers (" +
                            (layout == ChainLayout::AsLibpcapWalks ? "as libpcap walks" : "as on the wire") +
                            "), then protocol " + std::to_string(spec.final_protocol);
          out.push_back(std::move(p));
        }
      }
    }
  }
  // Mutants: a next-header or length byte of the chain changed, which makes
  // walks stop early, go elsewhere, run off the end or loop for ever.
  const size_t originals = out.size();
  for (size_t i = 0; i < originals; ++i) {
    for (int m = 0; m < 2; ++m) {
      ChainPacket mutant = out[i];
      const auto size = static_cast<uint32_t>(mutant.packet.bytes.size());
      if (size <= base + 1) continue;
      for (uint32_t changes = 1 + rng.below(2); changes > 0; --changes) {
        const uint32_t at = base + rng.below(std::min<uint32_t>(size - base, 600));
        mutant.packet.bytes[at] = rng.percent(50) ? rng.pick(std::vector<uint8_t>{0, 43, 44, 51, 60, 59, 6})
                                                  : rng.byte();
      }
      mutant.packet.origin += ", mutated";
      out.push_back(std::move(mutant));
    }
  }
  // Truncations that matter: around the fields the walk starts from (the
  // IP header's first byte and next-protocol field) and around the two
  // bytes it reads of each header (of the first and last few headers of a
  // long chain); every length for the first packets.
  for (size_t i = 0; i < out.size(); ++i) {
    ChainPacket& p = out[i];
    const auto size = static_cast<uint32_t>(p.packet.bytes.size());
    if (i < 8) {
      for (uint32_t caplen = 0; caplen <= size; ++caplen) p.interesting.insert(caplen);
      continue;
    }
    for (uint32_t c : {base, base + 1, base + 6, base + 7, base + 9, base + 10}) {
      if (c <= size) p.interesting.insert(c);
    }
    for (bool ipv6 : {true, false}) {
      std::vector<uint32_t> headers;
      trace_libpcap_walk(p.packet.bytes.data(), size, base, ipv6, 6, &headers);
      for (size_t h = 0; h < headers.size(); ++h) {
        if (h >= 3 && h + 3 < headers.size()) continue;
        for (uint32_t c = headers[h]; c <= headers[h] + 2; ++c) {
          if (c <= size) p.interesting.insert(c);
        }
      }
    }
    p.interesting.insert(size);
  }
  return out;
}

// Packets on which what the walk leaves in its scratch register decides
// the verdict (the geneve filters above, on Ethernet). Where the walk or the
// geneve test fails, the code after the `or` takes the link-layer offset from
// that register: the protocol the walk stopped at when it stepped over a
// header, the register's earlier value (0) when it did not. So the final
// protocol f is small, the bytes at f (or at 0) hold an EtherType, and the
// address fields read at the offset the other register gives (0) are zero
// in some packets. Chains of 0 to 3 headers: with none, the walk takes no
// step.
std::vector<ChainPacket> leftover_probes(uint64_t seed) {
  Rng rng(seed);
  const std::vector<uint16_t> ethertypes = {0x0800, 0x0806, 0x86dd, 0x8035};
  std::vector<ChainPacket> out;
  for (bool ipv6 : {false, true}) {
    // Bytes the walk itself reads: the EtherType, IPv4's first byte and
    // protocol field, IPv6's next-header field.
    const std::set<uint32_t> walk_reads = ipv6 ? std::set<uint32_t>{12, 13, 20} : std::set<uint32_t>{12, 13, 14, 23};
    for (uint32_t f = 0; f <= 20; ++f) {
      for (uint32_t length = 0; length <= 3; ++length) {
        for (int variant = 0; variant < 6; ++variant) {
          ChainSpec spec;
          spec.ipv6 = ipv6;
          spec.headers = random_chain(rng, ipv6, length, ipv6 ? 30 : 100);
          spec.final_protocol = static_cast<uint8_t>(f);
          spec.payload = 8 + rng.below(24);
          ChainPacket p;
          p.packet.bytes = frame_ip(kDltEn10mb, ipv6, chain_ip_packet(spec, rng));
          std::vector<uint8_t>& b = p.packet.bytes;
          // An EtherType where the offset taken from the register points.
          for (uint32_t at : {f, 0u}) {
            if (rng.percent(70) && !walk_reads.contains(at) && !walk_reads.contains(at + 1)) {
              const uint16_t type = rng.pick(ethertypes);
              b[at] = static_cast<uint8_t>(type >> 8);
              b[at + 1] = static_cast<uint8_t>(type);
            }
          }
          // Zero address fields (IPv4 at 12 and 16, ARP at 14 and 24 past 0).
          for (uint32_t at : {16u, 24u}) {
            if (variant & (at == 16 ? 1 : 2)) {
              for (uint32_t i = at; i < at + 4; ++i) {
                if (!walk_reads.contains(i)) b[i] = 0;
              }
            }
          }
          p.packet.wirelen = static_cast<uint32_t>(b.size());
          p.packet.origin = std::string(ipv6 ? "IPv6" : "IPv4") + " with " + std::to_string(length) +
                            " headers, then protocol " + std::to_string(f) + ", an EtherType where the walk's leftover points";
          p.interesting.insert(static_cast<uint32_t>(b.size()));
          out.push_back(std::move(p));
        }
      }
    }
  }
  return out;
}

struct View {
  const ChainPacket* packet;
  uint32_t caplen;
};

struct CompiledForms {
  cbpf::Program loop;
  ir::Function ir;
  cbpf::Program unrolled;
  cbpf::Program unrolled_default;
  std::vector<std::string> unrolled_notes;
};

constexpr uint32_t kTestDepth = 16;

// The sanitizers make compiling and running many times slower: there every
// fourth packet view is used (all packets, fewer truncations of each), and
// on Ethernet too only the filters every link type gets.
#ifdef BPFC_SANITIZED_BUILD
constexpr size_t kViewStride = 4;
constexpr bool kEveryFilterOnEthernet = false;
#else
constexpr size_t kViewStride = 1;
constexpr bool kEveryFilterOnEthernet = true;
#endif

std::optional<CompiledForms> compile_forms(const std::string& expr, uint32_t linktype, int opt_level,
                                           std::string& error) {
  CompileOptions options;
  options.linktype = linktype;
  options.opt_level = opt_level;
  auto resolver = make_file_resolver(kFixtureNamesDir);
  options.resolver = resolver.get();
  auto loop = compile_cbpf(expr, options);
  auto ir = compile_to_ir(expr, options);
  options.protochain = ProtochainForm::Unrolled;
  auto unrolled_default = compile_cbpf_with_notes(expr, options);
  options.protochain_depth = kTestDepth;
  auto unrolled = compile_cbpf_with_notes(expr, options);
  if (!loop || !ir || !unrolled || !unrolled_default) {
    error = !loop ? loop.error().message : !ir ? ir.error().message : "the unrolled form fails";
    return std::nullopt;
  }
  return CompiledForms{std::move(*loop), std::move(*ir), std::move(unrolled->output),
                       std::move(unrolled_default->output), std::move(unrolled->notes)};
}

class Mismatches {
 public:
  void add(const std::string& what) {
    ++count_;
    if (shown_.size() < 12) shown_.push_back(what);
  }
  uint64_t count() const { return count_; }
  std::string digest() const {
    std::string out;
    for (const std::string& s : shown_) out += s + "\n";
    return out;
  }

 private:
  uint64_t count_ = 0;
  std::vector<std::string> shown_;
};

std::string where(const std::string& expr, uint32_t linktype, int opt_level, const View& v, const char* form) {
  std::ostringstream out;
  out << "'" << expr << "' DLT " << linktype << " -O" << opt_level << " " << form << " on "
      << v.packet->packet.origin << ", caplen " << v.caplen << ": "
      << hex(v.packet->packet.bytes.data(), std::min<uint32_t>(v.caplen, 160)) << (v.caplen > 160 ? "..." : "");
  return out.str();
}

bool is_protochain_linktype(uint32_t dlt) {
  for (uint32_t d : {kDltEn10mb, kDltRaw, kDltIpv4, kDltIpv6, kDltNull, kDltLoop, kDltLinuxSll, kDltLinuxSll2,
                     kDltIeee80211, kDltPrismHeader, kDltIeee80211Radio, kDltIeee80211RadioAvs, kDltPpi, kDltFddi,
                     kDltIeee802, kDltIpOverFc}) {
    if (d == dlt) return true;
  }
  return false;
}

TEST(ProtochainDifferential, EveryFormMatchesLibpcapOnHeaderChains) {
  uint64_t comparisons = 0, endless = 0, beyond_bound = 0, views_total = 0;
  Mismatches mismatches;
  for (const CoveredLinktype& link : covered_linktypes()) {
    // The header chains are built for the IP-carrying link types of the
    // first covered set (Ethernet, raw IP, loopback, cooked, 802.11, FDDI,
    // Token Ring, IP over FC); protochain on the others is checked by the
    // accept corpus and the generated tests.
    if (!is_protochain_linktype(link.dlt)) continue;
    std::vector<ChainPacket> packets = chain_packets(link.dlt, 20240917);
    if (link.dlt == kDltEn10mb) {
      for (ChainPacket& p : leftover_probes(20261206)) packets.push_back(std::move(p));
    }
    std::vector<View> views;
    size_t seen = 0;
    for (const ChainPacket& p : packets) {
      for (uint32_t caplen : p.interesting) {
        if (seen++ % kViewStride == 0 || caplen == p.packet.bytes.size()) views.push_back({&p, caplen});
      }
    }
    views_total += views.size();
    const uint32_t base = network_offset(link.dlt);
    // What libpcap's walk does on each view, per walk (version, stop).
    std::map<std::pair<bool, uint32_t>, std::vector<WalkTrace>> traces;
    auto traces_of = [&](const Walk& w) -> const std::vector<WalkTrace>& {
      auto [it, inserted] = traces.try_emplace({w.ipv6, w.stop});
      if (inserted) {
        for (const View& v : views) {
          it->second.push_back(trace_libpcap_walk(v.packet->packet.bytes.data(), v.caplen, base, w.ipv6, w.stop));
        }
      }
      return it->second;
    };
    for (const ChainFilter& filter : filters()) {
      if (!filter.everywhere && (link.dlt != kDltEn10mb || !kEveryFilterOnEthernet)) continue;
      for (int opt_level : {2, 0}) {
        OracleResult libpcap = libpcap_compile(filter.expr, link.dlt, 262144, std::nullopt, opt_level > 0);
        std::string error;
        std::optional<CompiledForms> ours = compile_forms(filter.expr, link.dlt, opt_level, error);
        if (!libpcap.program) {
          EXPECT_FALSE(ours) << filter.expr << " on DLT " << link.dlt << ": libpcap refuses it (" << libpcap.error
                             << ") but bpfc compiles it";
          continue;
        }
        ASSERT_TRUE(ours) << filter.expr << " on DLT " << link.dlt << ": " << error;
        EXPECT_FALSE(runtime::validate_cbpf(ours->loop, runtime::ValidationRules::Libpcap));
        EXPECT_FALSE(runtime::validate_cbpf(ours->unrolled, runtime::ValidationRules::LinuxKernel))
            << filter.expr;
        ASSERT_EQ(ours->unrolled_notes.size(), 1u) << filter.expr;
        EXPECT_NE(ours->unrolled_notes[0].find("at most 16 "), std::string::npos) << ours->unrolled_notes[0];
        const LibpcapProgram reference(*libpcap.program);
        const LibpcapProgram loop_in_libpcap(ours->loop);
        std::vector<const std::vector<WalkTrace>*> filter_traces;
        for (const Walk& w : filter.walks) filter_traces.push_back(&traces_of(w));
        for (size_t i = 0; i < views.size(); ++i) {
          const View& v = views[i];
          const Packet& p = v.packet->packet;
          bool walks_endless = false;
          uint64_t most_steps = 0;
          for (const std::vector<WalkTrace>* t : filter_traces) {
            walks_endless = walks_endless || (*t)[i].endless;
            most_steps = std::max(most_steps, (*t)[i].endless ? UINT64_MAX : (*t)[i].steps);
          }
          const std::span<const uint8_t> bytes(p.bytes.data(), v.caplen);
          // libpcap's verdict; where its walk never ends, its program under
          // bpfc's rule for endless walks.
          const uint32_t expected = walks_endless ? runtime::run_cbpf(*libpcap.program, bytes, p.wirelen)
                                                  : reference.run(p.bytes.data(), v.caplen, p.wirelen);
          endless += walks_endless;
          ++comparisons;
          auto check = [&](uint32_t got, const char* form) {
            if (got != expected) {
              mismatches.add(where(filter.expr, link.dlt, opt_level, v, form) + ": bpfc " + std::to_string(got) +
                             ", libpcap " + std::to_string(expected));
            }
          };
          check(runtime::run_cbpf(ours->loop, bytes, p.wirelen), "loop (bpfc's interpreter)");
          if (!walks_endless) check(loop_in_libpcap.run(p.bytes.data(), v.caplen, p.wirelen), "loop (bpf_filter)");
          check(ir::interpret(ours->ir, bytes, p.wirelen), "IR");
          for (const auto& [program, depth, form] :
               {std::tuple{&ours->unrolled, kTestDepth, "unrolled, depth 16"},
                std::tuple{&ours->unrolled_default, opt::kDefaultProtochainDepth, "unrolled, default depth"}}) {
            const uint32_t got = runtime::run_cbpf(*program, bytes, p.wirelen);
            if (most_steps <= depth) {
              check(got, form);
              continue;
            }
            beyond_bound += depth == kTestDepth;
            // The walk needs more steps than the bound: a filter that is
            // one walk rejects; a compound one may not run the walk.
            if (got != 0 && (filter.one_walk() || got != expected)) {
              mismatches.add(where(filter.expr, link.dlt, opt_level, v, form) + ": accepts (" + std::to_string(got) +
                             ") a packet whose chain is longer than its bound");
            }
          }
        }
      }
    }
  }
  std::cout << "[protochain] " << views_total << " packet views over " << covered_linktypes().size()
            << " link types, " << comparisons << " verdicts compared per form, " << endless
            << " on endless walks, " << beyond_bound << " beyond the depth-16 bound; mismatches "
            << mismatches.count() << "\n";
  EXPECT_EQ(mismatches.count(), 0u) << mismatches.digest();
  EXPECT_GT(endless, 0u);
  EXPECT_GT(beyond_bound, 0u);
}

}  // namespace
}  // namespace bpfc::difftest

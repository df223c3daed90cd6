// The linux compile context: `inbound`, `outbound` and `ifindex` read the
// kernel's packet metadata (ir::Op::Meta, emitted as SKF_AD_* ancillary
// loads) on link types whose header does not say it. libpcap produces such
// programs only for a live Linux socket, never for pcap_open_dead(), so the
// references are the corpus' listings (linuxext entries), the IR contract's
// reference interpreter given the metadata, and the running kernel itself:
// a filter attached with SO_ATTACH_FILTER to a UDP socket on the loopback
// interface keeps or drops real datagrams by their metadata.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/driver/compile.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/kernel_metadata.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "corpus_entries.h"
#include "libpcap_oracle.h"
#include "packet_corpus.h"
#include "rng.h"
#include "suite_config.h"
#include "../support/sanitized_share.h"

namespace bpfc::difftest {
namespace {

CompileOptions linux_options(uint32_t linktype = 1) {
  CompileOptions options;
  options.linktype = linktype;
  options.context = CompileContext::Linux;
  return options;
}

// `program` as the kernel runs it for a packet with `metadata`: each
// ancillary load of a field becomes a load of its value. Loads of fields
// `metadata` lacks stay, and reject as they do outside the kernel.
cbpf::Program with_metadata(cbpf::Program program, const ir::PacketMetadata& metadata) {
  for (cbpf::Insn& insn : program) {
    const bool absolute_load = (insn.code & 0x07) == cbpf::LD && (insn.code & 0xe0) == cbpf::ABS;
    if (!absolute_load) continue;
    if (auto kind = ir::meta_kind_at(insn.k); kind && metadata[*kind]) {
      insn.code = cbpf::LD | cbpf::IMM;
      insn.k = *metadata[*kind];
    }
  }
  return program;
}

// The metadata combinations the comparisons run under.
std::vector<ir::PacketMetadata> metadata_cases() {
  std::vector<ir::PacketMetadata> cases;
  for (uint32_t type = 0; type <= 7; ++type) {
    for (uint32_t ifindex : {1u, 2u, 500u}) {
      ir::PacketMetadata m;
      m[ir::MetaKind::PacketType] = type;
      m[ir::MetaKind::Ifindex] = ifindex;
      m[ir::MetaKind::Protocol] = 0x800;
      m[ir::MetaKind::VlanTagPresent] = type % 2;
      m[ir::MetaKind::VlanTci] = type % 2 ? 500 + type : 0;
      cases.push_back(m);
    }
  }
  return cases;
}

// The corpus' Linux-extension entries of link types bpfc models: bpfc's
// program gives the verdict of the corpus listing (libpcap's for a live
// Linux socket) on every packet under every metadata case.
TEST(LinuxContext, CorpusLinuxExtensionEntriesGiveTheListingsVerdicts) {
  std::vector<std::vector<uint8_t>> packets = {std::vector<uint8_t>(60, 0), std::vector<uint8_t>(60, 0xff), {}};
  for (int i = 0; i < 60; ++i) packets[2].push_back(static_cast<uint8_t>(i * 7));
  int compared = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    if (!entry.linuxext || !entry.opt) continue;
    auto dlt = linktype_from_string(entry.dlt);
    ASSERT_TRUE(dlt) << entry.dlt;
    CompileOptions options = linux_options(*dlt);
    options.snaplen = entry.snaplen;
    auto program = compile_cbpf(entry.expr, options);
    if (!program) {
      // libpcap compiled it (the corpus lists its program): so must bpfc.
      ADD_FAILURE() << entry.name << ": bpfc refuses " << entry.expr << ": " << program.error().message;
      continue;
    }
    auto expected = cbpf::parse_program(*entry.opt);
    ASSERT_TRUE(expected) << entry.name;
    for (const ir::PacketMetadata& metadata : metadata_cases()) {
      const cbpf::Program ours = with_metadata(*program, metadata);
      const cbpf::Program theirs = with_metadata(*expected, metadata);
      for (const auto& packet : packets) {
        EXPECT_EQ(runtime::run_cbpf(ours, packet, 60), runtime::run_cbpf(theirs, packet, 60))
            << entry.name << ": " << entry.expr << "\n" << cbpf::format_listing(*program);
      }
    }
    EXPECT_LE(program->size(), expected->size()) << entry.name;
    ++compared;
  }
  EXPECT_GE(compared, 3);  // inbound_linuxext, outbound_linuxext, vlan_eth_linuxext_unary
}

// The dead context (pcap_open_dead) still refuses them, as libpcap does.
TEST(LinuxContext, OtherContextsRefuseKernelMetadata) {
  for (CompileContext context : {CompileContext::Dead, CompileContext::Offline, CompileContext::OfflineSwapped}) {
    CompileOptions options;
    options.context = context;
    for (const char* expression : {"inbound", "outbound", "ifindex 1"}) {
      auto program = compile_cbpf(expression, options);
      EXPECT_FALSE(program) << expression << " in " << compile_context_name(context);
    }
  }
}

// The reference interpreter given the metadata: inbound is every packet
// type but PACKET_OUTGOING (4), outbound only that; ifindex compares the
// interface. Without metadata every such filter rejects. The metadata is
// the packet's, whatever header comes first: behind a netANALYZER
// pseudo-header or a radio header (whose length field, 0x4545 here, says
// it is longer than the packet) the verdicts are the same, where libpcap
// would add the header's offset to the ancillary one and read another
// field or none.
TEST(LinuxContext, InterpreterVerdictsFollowTheMetadata) {
  const std::vector<uint8_t> packet(60, 0x45);
  // EN10MB, RAW, NULL, PPP; NETANALYZER, NETANALYZER_TRANSPARENT,
  // IEEE802_11_RADIO, PRISM_HEADER, IEEE802_11_RADIO_AVS. (Not PPI: every
  // PPI filter first checks that the PPI header says 802.11, as libpcap's.)
  for (uint32_t linktype : {1u, 12u, 0u, 9u, 240u, 241u, 127u, 119u, 163u}) {
    auto inbound = compile_to_ir("inbound", linux_options(linktype));
    auto outbound = compile_to_ir("outbound", linux_options(linktype));
    auto ifindex = compile_to_ir("ifindex 3", linux_options(linktype));
    ASSERT_TRUE(inbound && outbound && ifindex) << linktype;
    for (uint32_t type = 0; type <= 7; ++type) {
      ir::PacketMetadata metadata;
      metadata[ir::MetaKind::PacketType] = type;
      EXPECT_EQ(ir::interpret(*inbound, packet, 60, metadata) != 0, type != 4) << linktype << " type " << type;
      EXPECT_EQ(ir::interpret(*outbound, packet, 60, metadata) != 0, type == 4) << linktype << " type " << type;
    }
    for (uint32_t index : {1u, 3u, 4u}) {
      ir::PacketMetadata metadata;
      metadata[ir::MetaKind::Ifindex] = index;
      EXPECT_EQ(ir::interpret(*ifindex, packet, 60, metadata) != 0, index == 3) << linktype;
    }
    EXPECT_EQ(ir::interpret(*inbound, packet, 60), 0u);
    EXPECT_EQ(ir::interpret(*ifindex, packet, 60), 0u);
  }
}

// Brings the loopback interface up (it is down in a fresh network
// namespace, where the differential tests run); false if that is not
// permitted here.
bool loopback_up() {
  int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = ::ioctl(s, SIOCGIFFLAGS, &request) == 0;
  if (up && !(request.ifr_flags & IFF_UP)) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    up = ::ioctl(s, SIOCSIFFLAGS, &request) == 0;
  }
  ::close(s);
  return up;
}

// Sends `count` datagrams over the loopback interface to a socket filtered
// by `program`; how many it receives, or -1 with `why` set when the kernel
// cannot be asked.
int datagrams_through(const cbpf::Program& program, int count, std::string& why) {
  int receiver = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int sender = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  std::vector<sock_filter> filter;
  for (const cbpf::Insn& insn : program) filter.push_back(sock_filter{insn.code, insn.jt, insn.jf, insn.k});
  sock_fprog fprog{static_cast<unsigned short>(filter.size()), filter.data()};
  int received = -1;
  if (receiver < 0 || sender < 0) {
    why = std::string("no UDP socket: ") + std::strerror(errno);
  } else if (::bind(receiver, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
             ::getsockname(receiver, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    why = std::string("cannot bind to 127.0.0.1: ") + std::strerror(errno);
  } else if (::setsockopt(receiver, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    why = std::string("SO_ATTACH_FILTER refuses the program: ") + std::strerror(errno);
    received = -2;
  } else {
    received = 0;
    for (int i = 0; i < count; ++i) {
      if (::sendto(sender, "x", 1, 0, reinterpret_cast<sockaddr*>(&address), sizeof address) != 1) {
        why = std::string("cannot send over loopback: ") + std::strerror(errno);
        received = -1;
        break;
      }
    }
    char byte;
    while (received >= 0 && ::recv(receiver, &byte, 1, 0) == 1) ++received;
  }
  if (receiver >= 0) ::close(receiver);
  if (sender >= 0) ::close(sender);
  return received;
}

TEST(LinuxContext, KernelLoadsTheProgramsAndAppliesThemToLoopbackTraffic) {
  if (!loopback_up()) GTEST_SKIP() << "the loopback interface is down and cannot be brought up here";
  const unsigned lo = if_nametoindex("lo");
  if (lo == 0) GTEST_SKIP() << "no loopback interface";
  struct Case {
    std::string expression;
    bool kept;
  };
  // A datagram to a local socket arrives as PACKET_HOST on lo.
  const std::vector<Case> cases = {
      {"inbound", true},
      {"outbound", false},
      {"ifindex " + std::to_string(lo), true},
      {"ifindex " + std::to_string(lo + 1000), false},
      {"inbound and ifindex " + std::to_string(lo), true},
      {"not inbound", false},
  };
  for (const Case& c : cases) {
    // A UDP socket's filter sees the datagram from its UDP header on: the
    // link type does not matter to these metadata-only programs.
    auto program = compile_cbpf(c.expression, linux_options(12));
    ASSERT_TRUE(program) << c.expression << ": " << program.error().message;
    std::string why;
    const int received = datagrams_through(*program, 3, why);
    if (received == -1) GTEST_SKIP() << why;
    ASSERT_NE(received, -2) << c.expression << ": " << why;
    EXPECT_EQ(received, c.kept ? 3 : 0) << c.expression << "\n" << cbpf::format_listing(*program);
  }
}


// Filters for a live Linux capture on Ethernet, against libpcap compiling
// them for a live capture on the loopback interface: with the kernel's
// packet metadata substituted in both programs, bpfc's gives libpcap's
// verdict on every packet view under every metadata case. `vlan` there is
// libpcap's run-time choice between the tag the kernel took off into the
// metadata and one still in the packet, after which the payload's offsets
// are variable.
std::vector<Packet> vlan_tagged_packets(const std::vector<PacketView>& views) {
  Rng rng(0x766c616e);  // "vlan"
  const std::vector<uint16_t> tpids = {0x8100, 0x88a8, 0x9100, 0x8100};
  const std::vector<uint16_t> ids = {10, 20, 100, 5, 7};
  std::vector<Packet> out;
  for (const PacketView& v : views) {
    if (v.caplen != v.packet->bytes.size() || v.caplen < 14 || out.size() >= 1200) continue;
    for (int tags = 1; tags <= 2; ++tags) {
      Packet p = *v.packet;
      for (int t = 0; t < tags; ++t) {
        const uint16_t tpid = rng.pick(tpids);
        const uint16_t tci = static_cast<uint16_t>(rng.pick(ids) | (rng.below(8) << 13));
        p.bytes.insert(p.bytes.begin() + 12, {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                                              static_cast<uint8_t>(tci >> 8), static_cast<uint8_t>(tci)});
      }
      p.wirelen = static_cast<uint32_t>(p.bytes.size());
      p.origin += ", " + std::to_string(tags) + " VLAN tag(s) added";
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::vector<ir::PacketMetadata> vlan_metadata_cases() {
  std::vector<ir::PacketMetadata> cases;
  for (std::optional<uint32_t> tci : std::vector<std::optional<uint32_t>>{std::nullopt, 10, 20, 0x200a, 5}) {
    for (uint32_t type : {0u, 4u}) {
      for (uint32_t ifindex : {1u, 2u}) {
        ir::PacketMetadata m;
        m[ir::MetaKind::PacketType] = type;
        m[ir::MetaKind::Ifindex] = ifindex;
        m[ir::MetaKind::Protocol] = 0x800;
        m[ir::MetaKind::VlanTagPresent] = tci ? 1 : 0;
        m[ir::MetaKind::VlanTci] = tci.value_or(0);
        cases.push_back(m);
      }
    }
  }
  return cases;
}

// Filters that read the kernel's metadata, alone and with packet fields.
std::vector<std::string> linux_live_filters() {
  return {
      "vlan", "vlan 10", "not vlan", "vlan 10 and ip", "vlan and tcp port 80", "vlan 20 and udp",
      "vlan and ip6", "vlan 10 and vlan 20", "vlan and vlan and ip", "vlan or ip", "ip or vlan 5",
      "vlan 100 and host 10.0.0.1", "vlan and (port 53 or icmp)", "vlan 10 or vlan 20",
      "(vlan 10 and tcp) or (vlan and udp)", "inbound and vlan", "outbound or vlan 7 and udp",
      "ifindex 2 and vlan", "vlan and arp", "vlan 5 and ether host ff:ff:ff:ff:ff:ff", "inbound",
      "outbound and tcp", "ifindex 1 or ip6", "not outbound and not vlan 10", "vlan and mpls",
      "vlan and pppoes and ip"};
}

// The packets of the corpus' Ethernet captures, mutated, synthetic and
// VLAN-tagged, at caplens around the tag.
struct LinuxPacketViews {
  explicit LinuxPacketViews(const PacketCorpusOptions& options) : corpus(kPcapsDir, {1}, options) {
    views = corpus.views_for(1);
    tagged = vlan_tagged_packets(views);
    for (const Packet& p : tagged) {
      const auto size = static_cast<uint32_t>(p.bytes.size());
      for (uint32_t caplen : {12u, 14u, 16u, 18u, 20u, 30u, size - 1, size}) {
        if (caplen <= size) views.push_back({&p, caplen});
      }
    }
  }
  PacketCorpus corpus;
  std::vector<Packet> tagged;
  std::vector<PacketView> views;
};
std::unique_ptr<LinuxPacketViews> linux_packet_views() {
  PacketCorpusOptions options;
  options.mutants_per_packet = 2;
  options.synthetic_per_linktype = 200;
  options.truncate_savefile_packets = false;
  return std::make_unique<LinuxPacketViews>(options);
}

TEST(LinuxContext, FiltersGiveLibpcapsLiveCaptureVerdicts) {
  if (!loopback_up()) GTEST_SKIP() << "the loopback interface is down and cannot be brought up here";
  const LiveLibpcapCompiler libpcap;
  if (!libpcap.unavailable().empty()) GTEST_SKIP() << "no live capture on lo: " << libpcap.unavailable();
  const std::vector<std::string> filters = linux_live_filters();
  const auto packets = linux_packet_views();
  const std::vector<PacketView>& views = packets->views;
  const std::vector<ir::PacketMetadata> metadata = vlan_metadata_cases();
  uint64_t compared = 0, accepted = 0, mismatches = 0;
  std::string shown;
  for (const std::string& filter : filters) {
    for (bool optimize : {true, false}) {
      const OracleResult reference = libpcap.compile(filter, optimize);
      CompileOptions options_linux = linux_options();
      options_linux.opt_level = optimize ? 2 : 0;
      auto ours = compile_cbpf(filter, options_linux);
      if (!reference.program) {
        EXPECT_FALSE(ours) << filter << ": libpcap refuses it (" << reference.error << ")";
        continue;
      }
      ASSERT_TRUE(ours) << filter << ": " << ours.error().message;
      // Run by bpfc's interpreter, which starts scratch memory at 0 as later
      // libpcap versions do: libpcap 1.10.3's programs for `vlan` read a
      // register they never store on the path where the tag is in the
      // metadata, and its bpf_filter() leaves the memory uninitialized.
      for (const ir::PacketMetadata& m : metadata) {
        const cbpf::Program theirs = with_metadata(*reference.program, m);
        const cbpf::Program mine = with_metadata(*ours, m);
        for (const PacketView& v : views) {
          const std::span<const uint8_t> bytes(v.packet->bytes.data(), v.caplen);
          const uint32_t expected = runtime::run_cbpf(theirs, bytes, v.packet->wirelen);
          const uint32_t got = runtime::run_cbpf(mine, bytes, v.packet->wirelen);
          ++compared;
          accepted += expected != 0;
          if (got != expected && ++mismatches <= 8) {
            shown += "  '" + filter + "' " + (optimize ? "-O" : "-O0") + " vlan tag present " +
                     std::to_string(*m[ir::MetaKind::VlanTagPresent]) + " tci " +
                     std::to_string(*m[ir::MetaKind::VlanTci]) + " on " + v.packet->origin + ", caplen " +
                     std::to_string(v.caplen) + ": bpfc " + std::to_string(got) + ", libpcap " +
                     std::to_string(expected) + "\n";
          }
        }
      }
    }
  }
  std::cout << "[linux-live] " << filters.size() << " filters, " << views.size() << " packet views, "
            << metadata.size() << " metadata cases: " << compared << " verdicts compared (" << accepted
            << " accepting); mismatches " << mismatches << "\n";
  EXPECT_EQ(mismatches, 0u) << shown;
  EXPECT_GT(accepted, compared / 50);
}

// The classic interpreter given the metadata (what a capture without a
// compiler runs in user space, e.g. bpfc-rpcapd) reads the ancillary fields
// as the kernel does: the same verdicts as the program with the loads
// replaced by the values, and as the IR interpreter given the metadata.
TEST(LinuxContext, ClassicInterpreterReadsTheAncillaryFields) {
  const auto packets = linux_packet_views();
  std::vector<ir::PacketMetadata> metadata = vlan_metadata_cases();
  for (const ir::PacketMetadata& m : metadata_cases()) metadata.push_back(m);
  uint64_t compared = 0, accepted = 0, mismatches = 0;
  std::string shown;
  for (const std::string& filter : linux_live_filters()) {
    for (uint32_t opt_level : {0u, 2u}) {
      CompileOptions options = linux_options();
      options.opt_level = opt_level;
      auto program = compile_cbpf(filter, options);
      auto function = compile_to_ir(filter, options);
      ASSERT_TRUE(program && function) << filter;
      for (const ir::PacketMetadata& m : metadata) {
        runtime::LinuxAncillary ancillary;
        ancillary.protocol = static_cast<uint16_t>(m[ir::MetaKind::Protocol].value_or(0));
        ancillary.packet_type = static_cast<uint16_t>(m[ir::MetaKind::PacketType].value_or(0));
        ancillary.ifindex = m[ir::MetaKind::Ifindex].value_or(0);
        ancillary.vlan_tci = static_cast<uint16_t>(m[ir::MetaKind::VlanTci].value_or(0));
        ancillary.vlan_tag_present = static_cast<uint8_t>(m[ir::MetaKind::VlanTagPresent].value_or(0));
        const cbpf::Program substituted = with_metadata(*program, m);
        for (size_t i = 0; i < packets->views.size(); ++i) {
          if (!testsupport::in_sanitized_share(i, 64)) continue;
          const PacketView& v = packets->views[i];
          const std::span<const uint8_t> bytes(v.packet->bytes.data(), v.caplen);
          const uint32_t got = runtime::run_cbpf(*program, bytes, v.packet->wirelen, ancillary);
          const uint32_t expected = runtime::run_cbpf(substituted, bytes, v.packet->wirelen);
          const uint32_t ir_verdict = ir::interpret(*function, bytes, v.packet->wirelen, m);
          ++compared;
          accepted += expected != 0;
          if ((got != expected || (got != 0) != (ir_verdict != 0)) && ++mismatches <= 8) {
            shown += "  '" + filter + "' -O" + std::to_string(opt_level) + " on " + v.packet->origin +
                     ": with ancillary " + std::to_string(got) + ", substituted " + std::to_string(expected) +
                     ", IR " + std::to_string(ir_verdict) + "\n";
          }
        }
      }
    }
  }
  std::cout << "[linux-ancillary] " << compared << " verdicts compared (" << accepted << " accepting); mismatches "
            << mismatches << "\n";
  EXPECT_EQ(mismatches, 0u) << shown;
  EXPECT_GT(accepted, compared / 50);
  // Without the metadata, the same loads reject (they lie past any packet).
  auto inbound = compile_cbpf("inbound", linux_options());
  ASSERT_TRUE(inbound);
  EXPECT_EQ(runtime::run_cbpf(*inbound, std::vector<uint8_t>(60, 0), 60), 0u);
  EXPECT_NE(runtime::run_cbpf(*inbound, std::vector<uint8_t>(60, 0), 60, runtime::LinuxAncillary{}), 0u);
}

}  // namespace
}  // namespace bpfc::difftest

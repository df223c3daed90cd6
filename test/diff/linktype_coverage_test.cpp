// Every link type bpfc knows × common primitives, compiled by Debian's libpcap
// 1.10.3 (pcap_open_dead + pcap_compile, unoptimized) and by bpfc -O0:
//
//  - where libpcap compiles a primitive, bpfc compiles it too, with two
//    exceptions where bpfc refuses it as the newer libpcap of the corpus
//    does, in its words: inbound/outbound/ifindex without a header field for
//    them (1.10.3 compiles them on a dead handle to Linux socket metadata
//    loads, which only a live Linux capture can run; in user space they
//    reject every packet: "not a live capture, ..."), and protocol tests on
//    BACnet MS/TP, whose frames do not say which protocol they carry (1.10.3
//    checks the frame preamble alone: "link-layer type filtering not
//    implemented for ...");
//  - where both compile, the programs must agree on packets.
//
// Nothing is left unsupported: a refusal of anything else fails the test.
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/linktype/linktype.h"
#include "libpcap_oracle.h"
#include "rng.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

constexpr uint32_t kSnaplen = 262144;
constexpr uint32_t kNetmask = 0xffffff00;

// Numeric only: libpcap must never consult a resolver.
const std::vector<std::string> kPrimitives = {
    "ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "igrp", "pim", "vrrp", "carp",
    "ah", "esp", "host 10.0.0.1", "src host 10.0.0.1", "net 10.0.0.0/8", "port 80", "portrange 1-1023",
    "tcp port 80", "udp port 53", "ip proto 6", "ip6 proto 17", "proto 6", "ip host 10.0.0.1",
    "arp host 10.0.0.1", "rarp host 10.0.0.1", "host 2001:db8::1", "net 2001:db8::/32",
    "ether host 00:11:22:33:44:55", "ether src 00:11:22:33:44:55", "ether proto 0x800", "link proto 0x800",
    "ether broadcast", "ether multicast", "broadcast", "multicast", "ip broadcast", "ip multicast",
    "ip6 multicast", "vlan", "vlan 100", "mpls", "mpls 100", "pppoed", "pppoes", "pppoes 1", "less 100",
    "greater 100", "len > 100", "link[0] = 1", "link[3:2] > 7", "ip[0] = 0x45", "tcp[13] & 2 != 0",
    "ip6[6] = 6", "icmp[icmptype] = icmp-echo", "ip protochain 6", "ip6 protochain 6", "protochain 6",
    "atalk", "aarp", "decnet", "iso", "stp", "ipx", "netbeui", "llc", "inbound", "outbound", "ifindex 1",
    "lat", "sca", "mopdl", "moprc", "esis", "isis", "clnp", "l1", "iih", "decnet host 1.2", "link host $01",
    "radio[1] = 2", "type mgt", "wlan host 00:11:22:33:44:55", "lane", "vpi 1", "fisu", "sio 1", "on eth0",
    "ip and tcp", "not ip"};

bool kernel_metadata_refusal(const std::string& primitive, const std::string& message) {
  const bool metadata = primitive == "inbound" || primitive == "outbound" || primitive.starts_with("ifindex");
  return metadata && message.starts_with("not a live capture, '");
}

// Newer libpcap's refusal of a protocol test on BACnet MS/TP.
bool bacnet_protocol_refusal(std::string_view linktype, const std::string& message) {
  return linktype == "BACNET_MS_TP" &&
         message == "link-layer type filtering not implemented for DLT_BACNET_MS_TP (BACnet MS/TP)";
}

// Where bpfc follows the newer libpcap the corpus listings come from, and
// 1.10.3's programs are no oracle (the accept corpus and the savefiles check
// these against the newer listings instead).
std::optional<std::string_view> follows_newer_libpcap(std::string_view linktype, std::string_view primitive) {
  // 1.10.3 also takes RFC 1051's system codes for IPv4 and ARP, and reads
  // `$XX` addresses wrongly.
  if (linktype == "ARCNET" || linktype == "ARCNET_LINUX") return "ARCnet system codes and MAC-8 addresses";
  // 1.10.3 takes any nonzero SLIP direction byte as outbound.
  if (linktype == "SLIP" && (primitive == "inbound" || primitive == "outbound")) return "SLIP direction values";
  // 1.10.3 knows no direction in DSA tags: it reads Linux socket metadata.
  if ((linktype == "DSA_TAG_BRCM" || linktype == "DSA_TAG_DSA") && (primitive == "inbound" || primitive == "outbound"))
    return "DSA tag directions";
  return std::nullopt;
}

std::vector<std::vector<uint8_t>> probe_packets() {
  Rng rng(165);
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < 96; ++i) {
    std::vector<uint8_t> p(rng.below(97));
    for (auto& byte : p) byte = rng.percent(40) ? 0 : rng.byte();
    if (p.size() >= 2 && i % 4 == 0) p[0] = 0x55, p[1] = 0xff;  // an MS/TP preamble
    packets.push_back(std::move(p));
  }
  return packets;
}

TEST(LinktypeCoverage, WhatLibpcapCompilesBpfcCompiles) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  const auto packets = probe_packets();
  int compared = 0, deliberate = 0, newer = 0;
  for (uint32_t dlt = 0; dlt < 1024; ++dlt) {
    const auto name = linktype_name(dlt);
    if (!name) continue;
    for (const std::string& primitive : kPrimitives) {
      SCOPED_TRACE(std::string(*name) + ": " + primitive);
      OracleResult libpcap = libpcap_compile(primitive, dlt, kSnaplen, kNetmask, false);
      if (!libpcap.program) continue;
      CompileOptions options;
      options.linktype = dlt;
      options.opt_level = 0;
      options.netmask = kNetmask;
      options.resolver = resolver.get();
      auto ours = compile_cbpf(primitive, options);
      if (!ours) {
        const std::string& message = ours.error().message;
        if (kernel_metadata_refusal(primitive, message) || bacnet_protocol_refusal(*name, message)) {
          ++deliberate;
          continue;
        }
        ADD_FAILURE() << "libpcap 1.10.3 compiles it; bpfc refuses: " << message;
        continue;
      }
      if (follows_newer_libpcap(*name, primitive)) {
        ++newer;
        continue;
      }
      LibpcapProgram theirs(*libpcap.program), mine(*ours);
      for (const auto& packet : packets) {
        for (uint32_t wirelen : {static_cast<uint32_t>(packet.size()), 1500u}) {
          ASSERT_EQ(mine.run(packet.data(), static_cast<uint32_t>(packet.size()), wirelen),
                    theirs.run(packet.data(), static_cast<uint32_t>(packet.size()), wirelen))
              << packet.size() << "-byte packet, wirelen " << wirelen;
        }
      }
      ++compared;
    }
  }
  std::cout << "[linktypes] " << compared << " link type/primitive pairs compiled by both and compared; "
            << deliberate << " refused as newer libpcap refuses them (kernel metadata outside a live capture, "
            << "BACnet MS/TP protocol tests); " << newer << " compiled as newer libpcap does, not compared\n";
  EXPECT_GT(compared, 1000);
}

// The MS/TP case by name: libpcap 1.10.3 compiles `ip` there to a preamble
// check, newer libpcap refuses it, and so does bpfc, in its words.
TEST(LinktypeCoverage, BacnetMstpProtocolTestsAreRefusedAsNewerLibpcapRefusesThem) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  ASSERT_TRUE(libpcap_compile("ip", 165, kSnaplen, std::nullopt, false).program);
  CompileOptions options;
  options.linktype = 165;
  options.resolver = resolver.get();
  for (const char* expr : {"ip", "tcp port 80", "host 10.0.0.1", "link proto 5"}) {
    auto ours = compile_cbpf(expr, options);
    ASSERT_FALSE(ours) << expr;
    EXPECT_EQ(ours.error().message, "link-layer type filtering not implemented for DLT_BACNET_MS_TP (BACnet MS/TP)");
  }
  // What needs no protocol test still compiles.
  EXPECT_TRUE(compile_cbpf("link[0] = 0x55 and len > 8", options));
}

TEST(LinktypeCoverage, IfindexOnLinuxCookedV2ReadsTheHeaderField) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  CompileOptions options;
  options.linktype = 276;
  options.resolver = resolver.get();
  for (int opt_level : {0, 2}) {
    options.opt_level = opt_level;
    OracleResult libpcap = libpcap_compile("ifindex 7 or ifindex 0x1000", 276, kSnaplen, std::nullopt, opt_level > 0);
    ASSERT_TRUE(libpcap.program) << libpcap.error;
    auto ours = compile_cbpf("ifindex 7 or ifindex 0x1000", options);
    ASSERT_TRUE(ours) << ours.error().message;
    LibpcapProgram theirs(*libpcap.program), mine(*ours);
    for (uint32_t index : {0u, 7u, 0x1000u, 0x07000000u}) {
      std::vector<uint8_t> sll2(20, 0);
      sll2[4] = static_cast<uint8_t>(index >> 24), sll2[5] = static_cast<uint8_t>(index >> 16);
      sll2[6] = static_cast<uint8_t>(index >> 8), sll2[7] = static_cast<uint8_t>(index);
      for (uint32_t caplen : {20u, 8u, 7u}) {
        EXPECT_EQ(mine.run(sll2.data(), caplen, 20), theirs.run(sll2.data(), caplen, 20))
            << "ifindex " << index << ", " << caplen << " bytes, -O" << opt_level;
      }
      EXPECT_EQ(mine.run(sll2.data(), 20, 20) != 0, index == 7 || index == 0x1000);
    }
  }
}

}  // namespace
}  // namespace bpfc::difftest

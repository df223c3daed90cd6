// Protocol keyword tables.
#include "gencode/protocols.h"

#include <array>
#include <utility>

namespace bpfc::lower {

namespace {

using ast::Proto;
using Kind = ProtoMeaning::Kind;

struct KeywordEntry {
  Proto proto;
  std::string_view keyword;
  ProtoMeaning meaning;
};

// One row per protocol keyword: its spelling and what it tests on its own.
const std::vector<KeywordEntry>& keyword_table() {
  static const std::vector<KeywordEntry> table = {
      {Proto::Link, "link", {Kind::Invalid, 0, Proto::Default, {}}},
      {Proto::Ip, "ip", {Kind::LinkType, ethertype::kIp, Proto::Default, {}}},
      {Proto::Arp, "arp", {Kind::LinkType, ethertype::kArp, Proto::Default, {}}},
      {Proto::Rarp, "rarp", {Kind::LinkType, ethertype::kRevArp, Proto::Default, {}}},
      {Proto::Sctp, "sctp", {Kind::NetProto, ipproto::kSctp, Proto::Default, {}}},
      {Proto::Tcp, "tcp", {Kind::NetProto, ipproto::kTcp, Proto::Default, {}}},
      {Proto::Udp, "udp", {Kind::NetProto, ipproto::kUdp, Proto::Default, {}}},
      {Proto::Icmp, "icmp", {Kind::NetProto, ipproto::kIcmp, Proto::Ip, {}}},
      {Proto::Igmp, "igmp", {Kind::NetProto, ipproto::kIgmp, Proto::Ip, {}}},
      {Proto::Igrp, "igrp", {Kind::NetProto, ipproto::kIgrp, Proto::Ip, {}}},
      {Proto::Atalk, "atalk", {Kind::LinkType, ethertype::kAtalk, Proto::Default, {}}},
      {Proto::Decnet, "decnet", {Kind::LinkType, ethertype::kDecnet, Proto::Default, {}}},
      {Proto::Lat, "lat", {Kind::LinkType, ethertype::kLat, Proto::Default, {}}},
      {Proto::Sca, "sca", {Kind::LinkType, ethertype::kSca, Proto::Default, {}}},
      {Proto::Moprc, "moprc", {Kind::LinkType, ethertype::kMopRc, Proto::Default, {}}},
      {Proto::Mopdl, "mopdl", {Kind::LinkType, ethertype::kMopDl, Proto::Default, {}}},
      {Proto::Ip6, "ip6", {Kind::LinkType, ethertype::kIpv6, Proto::Default, {}}},
      {Proto::Icmp6, "icmp6", {Kind::NetProto, ipproto::kIcmpv6, Proto::Ip6, {}}},
      {Proto::Ah, "ah", {Kind::NetProto, ipproto::kAh, Proto::Default, {}}},
      {Proto::Esp, "esp", {Kind::NetProto, ipproto::kEsp, Proto::Default, {}}},
      {Proto::Pim, "pim", {Kind::NetProto, ipproto::kPim, Proto::Default, {}}},
      {Proto::Vrrp, "vrrp", {Kind::NetProto, ipproto::kVrrp, Proto::Ip, {}}},
      {Proto::Carp, "carp", {Kind::NetProto, ipproto::kCarp, Proto::Ip, {}}},
      {Proto::Aarp, "aarp", {Kind::LinkType, ethertype::kAarp, Proto::Default, {}}},
      {Proto::Iso, "iso", {Kind::LinkType, llcsap::kIsoNs, Proto::Default, {}}},
      {Proto::Esis, "esis", {Kind::NetProto, osi::kEsis, Proto::Iso, {}}},
      {Proto::Isis, "isis", {Kind::NetProto, osi::kIsis, Proto::Iso, {}}},
      {Proto::Clnp, "clnp", {Kind::NetProto, osi::kClnp, Proto::Iso, {}}},
      {Proto::Stp, "stp", {Kind::LinkType, llcsap::kStp, Proto::Default, {}}},
      {Proto::Ipx, "ipx", {Kind::LinkType, llcsap::kIpx, Proto::Default, {}}},
      {Proto::Netbeui, "netbeui", {Kind::LinkType, llcsap::kNetbeui, Proto::Default, {}}},
      {Proto::IsisL1,
       "l1",
       {Kind::IsisPdus,
        0,
        Proto::Isis,
        {osi::kIsisL1LanIih, osi::kIsisPtpIih, osi::kIsisL1Lsp, osi::kIsisL1Csnp, osi::kIsisL1Psnp}}},
      {Proto::IsisL2,
       "l2",
       {Kind::IsisPdus,
        0,
        Proto::Isis,
        {osi::kIsisL2LanIih, osi::kIsisPtpIih, osi::kIsisL2Lsp, osi::kIsisL2Csnp, osi::kIsisL2Psnp}}},
      {Proto::IsisIih,
       "iih",
       {Kind::IsisPdus, 0, Proto::Isis, {osi::kIsisL1LanIih, osi::kIsisL2LanIih, osi::kIsisPtpIih}}},
      {Proto::IsisLsp, "lsp", {Kind::IsisPdus, 0, Proto::Isis, {osi::kIsisL1Lsp, osi::kIsisL2Lsp}}},
      {Proto::IsisSnp,
       "snp",
       {Kind::IsisPdus,
        0,
        Proto::Isis,
        {osi::kIsisL1Csnp, osi::kIsisL2Csnp, osi::kIsisL1Psnp, osi::kIsisL2Psnp}}},
      {Proto::IsisCsnp, "csnp", {Kind::IsisPdus, 0, Proto::Isis, {osi::kIsisL1Csnp, osi::kIsisL2Csnp}}},
      {Proto::IsisPsnp, "psnp", {Kind::IsisPdus, 0, Proto::Isis, {osi::kIsisL1Psnp, osi::kIsisL2Psnp}}},
      {Proto::Radio, "radio", {Kind::Invalid, 0, Proto::Default, {}}},
  };
  return table;
}

const KeywordEntry* find_keyword(Proto p) {
  for (const KeywordEntry& e : keyword_table()) {
    if (e.proto == p) return &e;
  }
  return nullptr;
}

}  // namespace

ProtoMeaning proto_meaning(Proto p) {
  const KeywordEntry* e = find_keyword(p);
  return e ? e->meaning : ProtoMeaning{};
}

std::string_view proto_keyword(Proto p) {
  const KeywordEntry* e = find_keyword(p);
  return e ? e->keyword : std::string_view{};
}

std::optional<uint32_t> ether_proto_by_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, uint32_t>, 18> names = {{
      {"aarp", ethertype::kAarp},
      {"arp", ethertype::kArp},
      {"atalk", ethertype::kAtalk},
      {"decnet", ethertype::kDecnet},
      {"ip", ethertype::kIp},
      {"ip6", ethertype::kIpv6},
      {"lat", ethertype::kLat},
      {"lldp", ethertype::kLldp},
      {"loopback", ethertype::kLoopback},
      {"mopdl", ethertype::kMopDl},
      {"moprc", ethertype::kMopRc},
      {"rarp", ethertype::kRevArp},
      {"sca", ethertype::kSca},
      {"slow", ethertype::kSlow},
      // 802.2 SAPs, looked up after the Ethernet types.
      {"iso", llcsap::kIsoNs},
      {"stp", llcsap::kStp},
      {"ipx", llcsap::kIpx},
      {"netbeui", llcsap::kNetbeui},
  }};
  for (const auto& [n, v] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::optional<uint32_t> osi_proto_by_name(std::string_view name) {
  if (name == "esis") return osi::kEsis;
  if (name == "isis") return osi::kIsis;
  if (name == "clnp") return osi::kClnp;
  return std::nullopt;
}

uint32_t ethertype_to_ppptype(uint32_t ll_proto) {
  switch (ll_proto) {
    case ethertype::kIp: return ppptype::kIp;
    case ethertype::kIpv6: return ppptype::kIpv6;
    case ethertype::kDecnet: return ppptype::kDecnet;
    case ethertype::kAtalk: return ppptype::kApple;
    case ethertype::kNs: return ppptype::kNs;
    case llcsap::kIsoNs: return ppptype::kOsi;
    case llcsap::kStp: return ppptype::kBrpdu;
    case llcsap::kIpx: return ppptype::kIpx;
    default: return ll_proto;
  }
}

}  // namespace bpfc::lower

#include "sema/keywords.h"

#include <array>
#include <string_view>

namespace bpfc::sema {
namespace {

template <size_t N>
std::string keyword_or_placeholder(const std::array<std::string_view, N>& keywords, size_t index,
                                   std::string_view kind) {
  if (index < N && !keywords[index].empty()) return std::string(keywords[index]);
  return "<invalid " + std::string(kind) + " " + std::to_string(index) + ">";
}

}  // namespace

std::string proto_keyword(ast::Proto proto) {
  using P = ast::Proto;
  switch (proto) {
    case P::Default: return "<invalid proto 0>";
    case P::Link: return "link";
    case P::Ip: return "ip";
    case P::Arp: return "arp";
    case P::Rarp: return "rarp";
    case P::Sctp: return "sctp";
    case P::Tcp: return "tcp";
    case P::Udp: return "udp";
    case P::Icmp: return "icmp";
    case P::Igmp: return "igmp";
    case P::Igrp: return "igrp";
    case P::Atalk: return "atalk";
    case P::Decnet: return "decnet";
    case P::Lat: return "lat";
    case P::Sca: return "sca";
    case P::Moprc: return "moprc";
    case P::Mopdl: return "mopdl";
    case P::Ip6: return "ip6";
    case P::Icmp6: return "icmp6";
    case P::Ah: return "ah";
    case P::Esp: return "esp";
    case P::Pim: return "pim";
    case P::Vrrp: return "vrrp";
    case P::Carp: return "carp";
    case P::Aarp: return "aarp";
    case P::Iso: return "iso";
    case P::Esis: return "esis";
    case P::Isis: return "isis";
    case P::Clnp: return "clnp";
    case P::Stp: return "stp";
    case P::Ipx: return "ipx";
    case P::Netbeui: return "netbeui";
    case P::IsisL1: return "l1";
    case P::IsisL2: return "l2";
    case P::IsisIih: return "iih";
    case P::IsisSnp: return "snp";
    case P::IsisCsnp: return "csnp";
    case P::IsisPsnp: return "psnp";
    case P::IsisLsp: return "lsp";
    case P::Radio: return "radio";
    case P::Undef: return "<invalid proto 255>";
  }
  return "<invalid proto>";
}

std::string dir_keyword(ast::Dir dir) {
  if (dir == ast::Dir::Undef) return "<invalid dir 255>";
  static constexpr std::array<std::string_view, 11> keywords = {
      "", "src", "dst", "src or dst", "src and dst", "addr1", "addr2", "addr3", "addr4", "ra", "ta"};
  return keyword_or_placeholder(keywords, static_cast<size_t>(dir), "dir");
}

std::string type_keyword(ast::AddrType type) {
  using T = ast::AddrType;
  switch (type) {
    case T::Default: return "<invalid type 0>";
    case T::Host: return "host";
    case T::Net: return "net";
    case T::Port: return "port";
    case T::PortRange: return "portrange";
    case T::Gateway: return "gateway";
    case T::Proto: return "proto";
    case T::Protochain: return "protochain";
    case T::Undef: return "<invalid type 255>";
  }
  return "<invalid type>";
}

std::string atm_keyword(ast::AtmKeyword keyword) {
  static constexpr std::array<std::string_view, 13> keywords = {
      "lane", "oamf4ec", "oamf4sc", "oamf4", "oam", "metac", "bcc",
      "sc",   "ilmic",   "connectmsg", "metaconnect", "vpi", "vci"};
  return keyword_or_placeholder(keywords, static_cast<size_t>(keyword), "ATM keyword");
}

std::string mtp_keyword(ast::MtpKeyword keyword) {
  static constexpr std::array<std::string_view, 14> keywords = {
      "fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu", "sio",
      "opc",  "dpc",  "sls", "hsio",  "hopc",  "hdpc", "hsls"};
  return keyword_or_placeholder(keywords, static_cast<size_t>(keyword), "MTP keyword");
}

}  // namespace bpfc::sema

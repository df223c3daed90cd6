#include "parse/keywords.h"

#include <utility>

#include "PcapFilterLexer.h"

namespace bpfc::parse_detail {
namespace {

using L = bpfc_grammar::PcapFilterLexer;
using ast::Proto;

template <typename T>
struct Entry {
  size_t token;
  T value;
};

template <typename T, size_t N>
T lookup(const Entry<T> (&table)[N], size_t token) {
  for (const auto& entry : table) {
    if (entry.token == token) return entry.value;
  }
  // The grammar only hands us tokens of the rule the table is for.
  return table[0].value;
}

constexpr Entry<Proto> kProtos[] = {
    {L::LINK, Proto::Link},       {L::IP, Proto::Ip},           {L::ARP, Proto::Arp},
    {L::RARP, Proto::Rarp},       {L::SCTP, Proto::Sctp},       {L::TCP, Proto::Tcp},
    {L::UDP, Proto::Udp},         {L::ICMP, Proto::Icmp},       {L::IGMP, Proto::Igmp},
    {L::IGRP, Proto::Igrp},       {L::PIM, Proto::Pim},         {L::VRRP, Proto::Vrrp},
    {L::CARP, Proto::Carp},       {L::ATALK, Proto::Atalk},     {L::AARP, Proto::Aarp},
    {L::DECNET, Proto::Decnet},   {L::LAT, Proto::Lat},         {L::SCA, Proto::Sca},
    {L::MOPDL, Proto::Mopdl},     {L::MOPRC, Proto::Moprc},     {L::IPV6, Proto::Ip6},
    {L::ICMPV6, Proto::Icmp6},    {L::AH, Proto::Ah},           {L::ESP, Proto::Esp},
    {L::ISO, Proto::Iso},         {L::ESIS, Proto::Esis},       {L::ISIS, Proto::Isis},
    {L::L1, Proto::IsisL1},       {L::L2, Proto::IsisL2},       {L::IIH, Proto::IsisIih},
    {L::LSP, Proto::IsisLsp},     {L::SNP, Proto::IsisSnp},     {L::PSNP, Proto::IsisPsnp},
    {L::CSNP, Proto::IsisCsnp},   {L::CLNP, Proto::Clnp},       {L::STP, Proto::Stp},
    {L::IPX, Proto::Ipx},         {L::NETBEUI, Proto::Netbeui}, {L::RADIO, Proto::Radio},
};

constexpr std::pair<std::string_view, ast::LinkWord> kLinkWords[] = {
    {"link", ast::LinkWord::Link}, {"ether", ast::LinkWord::Ether}, {"fddi", ast::LinkWord::Fddi},
    {"tr", ast::LinkWord::Tr},     {"wlan", ast::LinkWord::Wlan},   {"ppp", ast::LinkWord::Ppp},
    {"slip", ast::LinkWord::Slip},
};

constexpr Entry<ast::AddrType> kAddrTypes[] = {
    {L::HOST, ast::AddrType::Host},
    {L::NET, ast::AddrType::Net},
    {L::PORT, ast::AddrType::Port},
    {L::PORTRANGE, ast::AddrType::PortRange},
    {L::GATEWAY, ast::AddrType::Gateway},
    {L::PROTO, ast::AddrType::Proto},
    {L::PROTOCHAIN, ast::AddrType::Protochain},
};

constexpr Entry<ast::RelOp> kRelOps[] = {
    {L::GT, ast::RelOp::Gt}, {L::GEQ, ast::RelOp::Ge}, {L::EQ, ast::RelOp::Eq},
    {L::LEQ, ast::RelOp::Le}, {L::LT, ast::RelOp::Lt}, {L::NEQ, ast::RelOp::Ne},
};

constexpr Entry<ast::ByteOp> kByteOps[] = {
    {L::EQ, ast::ByteOp::Eq}, {L::LT, ast::ByteOp::Lt}, {L::GT, ast::ByteOp::Gt},
    {L::AMP, ast::ByteOp::And}, {L::PIPE, ast::ByteOp::Or},
};

constexpr Entry<ast::AtmKeyword> kAtmKeywords[] = {
    {L::LANE, ast::AtmKeyword::Lane},
    {L::OAMF4EC, ast::AtmKeyword::Oamf4ec},
    {L::OAMF4SC, ast::AtmKeyword::Oamf4sc},
    {L::OAMF4, ast::AtmKeyword::Oamf4},
    {L::OAM, ast::AtmKeyword::Oam},
    {L::METAC, ast::AtmKeyword::Metac},
    {L::BCC, ast::AtmKeyword::Bcc},
    {L::SC, ast::AtmKeyword::Sc},
    {L::ILMIC, ast::AtmKeyword::Ilmic},
    {L::CONNECTMSG, ast::AtmKeyword::Connectmsg},
    {L::METACONNECT, ast::AtmKeyword::Metaconnect},
    {L::VPI, ast::AtmKeyword::Vpi},
    {L::VCI, ast::AtmKeyword::Vci},
};

constexpr Entry<ast::MtpKeyword> kMtpKeywords[] = {
    {L::FISU, ast::MtpKeyword::Fisu},   {L::LSSU, ast::MtpKeyword::Lssu},
    {L::MSU, ast::MtpKeyword::Msu},     {L::HFISU, ast::MtpKeyword::Hfisu},
    {L::HLSSU, ast::MtpKeyword::Hlssu}, {L::HMSU, ast::MtpKeyword::Hmsu},
    {L::SIO, ast::MtpKeyword::Sio},     {L::OPC, ast::MtpKeyword::Opc},
    {L::DPC, ast::MtpKeyword::Dpc},     {L::SLS, ast::MtpKeyword::Sls},
    {L::HSIO, ast::MtpKeyword::Hsio},   {L::HOPC, ast::MtpKeyword::Hopc},
    {L::HDPC, ast::MtpKeyword::Hdpc},   {L::HSLS, ast::MtpKeyword::Hsls},
};

}  // namespace

ProtoWord proto_of(size_t token_type, std::string_view text) {
  ProtoWord word{lookup(kProtos, token_type), ast::LinkWord::None};
  if (word.proto == Proto::Link) {
    for (const auto& [spelling, link_word] : kLinkWords) {
      if (spelling == text) word.link_word = link_word;
    }
  }
  return word;
}

ast::AddrType addr_type_of(size_t token_type) { return lookup(kAddrTypes, token_type); }
ast::RelOp relop_of(size_t token_type) { return lookup(kRelOps, token_type); }
ast::ByteOp byteop_of(size_t token_type) { return lookup(kByteOps, token_type); }
ast::AtmKeyword atm_keyword_of(size_t token_type) { return lookup(kAtmKeywords, token_type); }
ast::MtpKeyword mtp_keyword_of(size_t token_type) { return lookup(kMtpKeywords, token_type); }

}  // namespace bpfc::parse_detail

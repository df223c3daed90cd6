// libpcap's built-in name tables (nametoaddr.c's eproto_db and llc_db, the
// 802.11, LLC and pflog tables of grammar.y.in) and the lookups that follow
// gencode.c's rules for combining them with the system databases.
#include "sema/names.h"

#include <span>
#include <string>

#include "bpfc/support/text.h"

namespace bpfc::sema {
namespace {

struct NamedValue {
  std::string_view name;
  uint32_t value;
};

constexpr NamedValue kEtherProtoNames[] = {
    {"aarp", 0x80f3}, {"arp", 0x0806},  {"atalk", 0x809b},    {"decnet", 0x6003}, {"ip", 0x0800},
    {"ip6", 0x86dd},  {"lat", 0x6004},  {"lldp", 0x88cc},     {"loopback", 0x9000},
    {"mopdl", 0x6001}, {"moprc", 0x6002}, {"rarp", 0x8035},   {"sca", 0x6007},    {"slow", 0x8809},
};
constexpr NamedValue kLlcSapNames[] = {{"iso", 0xfe}, {"stp", 0x42}, {"ipx", 0xe0}, {"netbeui", 0xf0}};
constexpr NamedValue kIsoProtoNames[] = {{"esis", 0x82}, {"isis", 0x83}, {"clnp", 0x81}};

constexpr NamedValue kPfReasons[] = {
    {"match", 0},          {"bad-offset", 1},   {"fragment", 2},      {"short", 3},
    {"normalize", 4},      {"memory", 5},       {"bad-timestamp", 6}, {"congestion", 7},
    {"ip-option", 8},      {"proto-cksum", 9},  {"state-mismatch", 10}, {"state-insert", 11},
    {"state-limit", 12},   {"src-limit", 13},   {"synproxy", 14},
};
constexpr NamedValue kPfActions[] = {
    {"pass", 0}, {"accept", 0}, {"drop", 1},   {"block", 1},  {"scrub", 2},
    {"noscrub", 3}, {"nat", 4}, {"nonat", 5},  {"binat", 6},  {"nobinat", 7},
    {"rdr", 8},  {"nordr", 9},  {"synproxy-drop", 10},
};

constexpr uint32_t kWlanMgt = 0x00, kWlanCtl = 0x04, kWlanData = 0x08;
constexpr NamedValue kWlanTypes[] = {
    {"data", kWlanData}, {"mgt", kWlanMgt}, {"management", kWlanMgt}, {"ctl", kWlanCtl}, {"control", kWlanCtl},
};
constexpr NamedValue kWlanMgtSubtypes[] = {
    {"assocreq", 0x00},    {"assoc-req", 0x00},   {"assocresp", 0x10},  {"assoc-resp", 0x10},
    {"reassocreq", 0x20},  {"reassoc-req", 0x20}, {"reassocresp", 0x30}, {"reassoc-resp", 0x30},
    {"probereq", 0x40},    {"probe-req", 0x40},   {"proberesp", 0x50},  {"probe-resp", 0x50},
    {"beacon", 0x80},      {"atim", 0x90},        {"disassoc", 0xa0},   {"disassociation", 0xa0},
    {"auth", 0xb0},        {"authentication", 0xb0}, {"deauth", 0xc0},  {"deauthentication", 0xc0},
};
constexpr NamedValue kWlanCtlSubtypes[] = {
    {"bar", 0x80}, {"ba", 0x90}, {"ps-poll", 0xa0}, {"rts", 0xb0},
    {"cts", 0xc0}, {"ack", 0xd0}, {"cf-end", 0xe0}, {"cf-end-ack", 0xf0},
};
constexpr NamedValue kWlanDataSubtypes[] = {
    {"data", 0x00},           {"data-cf-ack", 0x10},     {"data-cf-poll", 0x20},
    {"data-cf-ack-poll", 0x30}, {"null", 0x40},          {"cf-ack", 0x50},
    {"cf-poll", 0x60},        {"cf-ack-poll", 0x70},     {"qos-data", 0x80},
    {"qos-data-cf-ack", 0x90}, {"qos-data-cf-poll", 0xa0}, {"qos-data-cf-ack-poll", 0xb0},
    {"qos", 0xc0},            {"qos-cf-poll", 0xe0},     {"qos-cf-ack-poll", 0xf0},
};
struct WlanSubtypeTable {
  uint32_t type;
  std::span<const NamedValue> names;
};
// In libpcap's search order for `subtype NAME`.
const WlanSubtypeTable kWlanSubtypeTables[] = {
    {kWlanMgt, kWlanMgtSubtypes}, {kWlanCtl, kWlanCtlSubtypes}, {kWlanData, kWlanDataSubtypes}};
constexpr NamedValue kWlanDirs[] = {{"nods", 0}, {"tods", 1}, {"fromds", 2}, {"dstods", 3}};

constexpr NamedValue kLlcSCommands[] = {{"rr", 0x01}, {"rnr", 0x05}, {"rej", 0x09}};
constexpr NamedValue kLlcUCommands[] = {
    {"ui", 0x03}, {"ua", 0x63}, {"disc", 0x43}, {"dm", 0x0f},
    {"sabme", 0x6f}, {"test", 0xe3}, {"xid", 0xaf}, {"frmr", 0x87},
};

std::optional<uint32_t> find_exact(std::span<const NamedValue> table, std::string_view name) {
  for (const auto& entry : table)
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

std::optional<uint32_t> find_ignoring_case(std::span<const NamedValue> table, std::string_view name) {
  for (const auto& entry : table)
    if (equals_ignoring_case(entry.name, name)) return entry.value;
  return std::nullopt;
}

}  // namespace

std::optional<uint32_t> link_proto_by_name(std::string_view name) {
  if (auto value = find_exact(kEtherProtoNames, name)) return value;
  return find_exact(kLlcSapNames, name);
}

std::optional<uint32_t> iso_proto_by_name(std::string_view name) { return find_exact(kIsoProtoNames, name); }

std::optional<uint32_t> lookup_proto_name(ast::Proto qualifier, std::string_view name,
                                          const NameResolver& resolver) {
  switch (qualifier) {
    case ast::Proto::Default:
    case ast::Proto::Ip:
    case ast::Proto::Ip6:
      if (auto number = resolver.protocol(name)) return *number;
      return std::nullopt;
    case ast::Proto::Link:
      return link_proto_by_name(name);
    case ast::Proto::Iso:
      return iso_proto_by_name(name);
    default:
      return std::nullopt;
  }
}

std::optional<NamedPort> lookup_port_name(std::string_view name, const NameResolver& resolver) {
  constexpr uint8_t kTcp = 6, kUdp = 17;
  auto tcp = resolver.service(name, "tcp");
  auto udp = resolver.service(name, "udp");
  if (tcp) {
    if (udp && *udp == *tcp) return NamedPort{*tcp, std::nullopt};
    return NamedPort{*tcp, kTcp};
  }
  if (udp) return NamedPort{*udp, kUdp};
  return std::nullopt;
}

std::optional<NamedNetwork> lookup_network_name(std::string_view name, const NameResolver& resolver) {
  auto number = resolver.network(name);
  if (!number || *number == 0) return std::nullopt;
  NamedNetwork out{*number, 0xffffffffu};
  while (out.address != 0 && (out.address & 0xff000000u) == 0) {
    out.address <<= 8;
    out.mask <<= 8;
  }
  return out;
}

std::optional<uint32_t> pf_reason_by_name(std::string_view name) { return find_ignoring_case(kPfReasons, name); }
std::optional<uint32_t> pf_action_by_name(std::string_view name) { return find_ignoring_case(kPfActions, name); }

std::optional<uint32_t> wlan_type_by_name(std::string_view name) { return find_ignoring_case(kWlanTypes, name); }

bool wlan_type_has_subtypes(uint32_t type) {
  for (const auto& table : kWlanSubtypeTables)
    if (table.type == type) return true;
  return false;
}

std::optional<uint32_t> wlan_subtype_by_name(uint32_t type, std::string_view name) {
  for (const auto& table : kWlanSubtypeTables)
    if (table.type == type) return find_ignoring_case(table.names, name);
  return std::nullopt;
}

std::optional<uint32_t> wlan_type_subtype_by_name(std::string_view name) {
  for (const auto& table : kWlanSubtypeTables)
    if (auto subtype = find_ignoring_case(table.names, name)) return *subtype | table.type;
  return std::nullopt;
}

std::optional<uint32_t> wlan_dir_by_name(std::string_view name) { return find_ignoring_case(kWlanDirs, name); }

std::optional<LlcKind> llc_kind_by_name(std::string_view name) {
  using Frame = LlcKind::Frame;
  if (equals_ignoring_case(name, "i")) return LlcKind{Frame::I};
  if (equals_ignoring_case(name, "s")) return LlcKind{Frame::S};
  if (equals_ignoring_case(name, "u")) return LlcKind{Frame::U};
  // The lexer reads "rnr" (and its synonym "rulenum") as a pflog keyword; the
  // grammar still takes `llc rnr` as the RNR command.
  if (equals_ignoring_case(name, "rulenum")) return LlcKind{Frame::SCommand, 0x05};
  if (auto command = find_ignoring_case(kLlcSCommands, name)) return LlcKind{Frame::SCommand, *command};
  if (auto command = find_ignoring_case(kLlcUCommands, name)) return LlcKind{Frame::UCommand, *command};
  return std::nullopt;
}

}  // namespace bpfc::sema

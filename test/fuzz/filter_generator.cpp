#include "filter_generator.h"

#include <string>

#include "generator_values.h"

namespace bpfc::fuzz {
namespace {

// Every protocol name of the grammar's `pname`, the common ones first; the
// rest (link-layer synonyms, OSI, DECnet, ...) are valid in fewer places.
const char* const kProtocolNames[] = {
    "ip",    "ip",   "ip",    "ip6",   "ip6",   "tcp",   "tcp",   "udp",   "udp",  "icmp",   "icmp6",
    "ether", "ether", "arp",  "rarp",  "sctp",  "igmp",  "igrp",  "pim",   "vrrp", "carp",   "ah",
    "esp",   "link", "ppp",   "slip",  "fddi",  "tr",    "wlan",  "atalk", "aarp", "decnet", "lat",
    "sca",   "mopdl", "moprc", "iso",  "esis",  "es-is", "isis",  "is-is", "l1",   "l2",     "iih",
    "lsp",   "snp",  "psnp",  "csnp",  "clnp",  "stp",   "ipx",   "netbeui", "radio"};

// Protocols that make sense alone, and that support [index].
const char* const kAbbreviations[] = {"ip",  "ip6",  "tcp", "udp", "icmp", "icmp6", "arp", "rarp", "sctp",
                                      "igmp", "igrp", "pim", "vrrp", "carp", "ah",   "esp",  "stp", "ipx",
                                      "atalk", "aarp", "decnet", "iso", "netbeui", "lat", "sca", "mopdl", "moprc"};
const char* const kIndexable[] = {"ether", "link", "ip",  "ip6",  "tcp", "udp",  "icmp", "icmp6", "arp",
                                  "rarp",  "sctp", "igmp", "igrp", "pim", "vrrp", "carp"};

const char* const kDirections[] = {"src",          "dst",          "src or dst", "dst or src", "src and dst",
                                   "dst and src",  "addr1",        "address2",   "addr3",      "addr4",
                                   "ra",           "ta"};

const char* const kRelops[] = {"=", "==", "!=", "<", "<=", ">", ">="};
const char* const kArithOps[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};

const char* const kNamedConstants[] = {
    "tcpflags",    "tcp-fin",      "tcp-syn",          "tcp-rst",     "tcp-push",     "tcp-ack",
    "tcp-urg",     "tcp-ece",      "tcp-cwr",          "icmptype",    "icmpcode",     "icmp-echo",
    "icmp-echoreply", "icmp-unreach", "icmp-timxceed",  "icmp-maskreply", "icmp6type", "icmp6code",
    "icmp6-echo",  "icmp6-echoreply", "icmp6-neighborsolicit", "icmp6-routeradvert",
    "icmp6-multicastrouterterm"};

const char* const kLlcKinds[] = {"i",  "s",  "u",    "rr", "rnr",   "rej",  "ui",  "ua",
                                 "disc", "dm", "sabme", "test", "xid", "frmr", "bogus"};
const char* const kWlanTypes[] = {"mgt", "ctl", "data", "0", "1", "2", "3", "bogus"};
const char* const kWlanSubtypes[] = {"assoc-req", "assocreq", "probe-req", "beacon", "atim", "disassoc", "auth",
                                     "deauth", "ps-poll", "rts", "cts", "ack", "cf-end", "data", "null",
                                     "qos", "qos-data", "qos-null", "bogus"};
const char* const kWlanDirections[] = {"nods", "tods", "fromds", "dstods", "0", "1", "2", "3", "4", "bogus"};
const char* const kPflogActions[] = {"pass", "block", "drop", "scrub", "nat", "rdr", "binat", "match", "bogus"};
const char* const kPflogReasons[] = {"match",  "bad-offset", "fragment", "short", "normalize",
                                     "memory", "0",          "7",        "bogus"};
const char* const kAtmTypes[] = {"lane", "metac", "bcc", "oamf4ec", "oamf4sc", "sc", "ilmic", "oam", "oamf4",
                                 "connectmsg", "metaconnect"};
const char* const kMtp2Types[] = {"fisu", "lssu", "lsu", "msu", "hfisu", "hlssu", "hmsu"};
const char* const kMtp3Fields[] = {"sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls"};

// The expression is cut short when it grows past this, so that one input
// never turns into megabytes of text.
constexpr size_t kMaxTextBytes = 16384;

class Generator {
 public:
  Generator(FuzzBytes& in, const FixtureNames& names, ValuePool& pool, uint32_t linktype)
      : in_(in), values_(in, names, pool), names_(names), ethernet_(linktype == 1) {
    // How many terms at most: mostly a few, so that most filters compile
    // (one refused term refuses the whole filter), sometimes many.
    budget_ = 2 + static_cast<int>(in_.percent(80) ? in_.below(6) : in_.below(64));
  }

  std::string expression(int depth) {
    if (depth <= 0 || in_.percent(25) || over_budget()) return term(depth);
    switch (in_.below(10)) {
      case 0: return "(" + expression(depth - 1) + ")";
      case 1: return (in_.percent(70) ? "not " : "!") + term(depth - 1);
      default: {
        std::string text = expression(depth - 1);
        int more = 1 + static_cast<int>(in_.below(in_.percent(90) ? 3 : 12));
        for (int i = 0; i < more && !over_budget(); ++i) {
          text += " " + logical_op() + " ";
          // A bare id after and/or takes the qualifiers of the term before.
          text += in_.percent(8) ? id_for(in_.below(8)) : term(depth - 1);
        }
        return text;
      }
    }
  }

 private:
  bool over_budget() { return --budget_ < 0 || length_hint_ > kMaxTextBytes || in_.decisions_left() == 0; }

  std::string logical_op() {
    const char* const kOps[] = {"and", "or", "and", "or", "&&", "||", "and not", "or not"};
    return in_.pick(kOps);
  }

  std::string term(int depth) {
    std::string nots;
    while (in_.percent(12) && nots.size() < 12) nots += in_.percent(70) ? "not " : "! ";
    std::string body;
    switch (in_.below(40)) {
      case 0: case 1: case 2: case 3: case 4: case 5:
        body = in_.percent(90) ? in_.pick(kAbbreviations, 16) : in_.pick(kAbbreviations);
        break;
      case 6: case 7: body = long_list(); break;
      case 8: case 9: case 10: case 11: case 12: case 13: case 14: body = relation(); break;
      case 15: case 16: case 17: case 18: body = other(); break;
      case 19: case 20: body = depth > 0 ? "(" + expression(depth - 1) + ")" : qualified(); break;
      case 21: body = std::string(in_.percent(50) ? "ip" : "ip6") + " protochain " + values_.protocol_value(); break;
      case 22: body = protocol_name(); break;  // any pname, also those that are no abbreviation
      case 23: body = exotic(); break;
      default: body = qualified(); break;
    }
    length_hint_ += body.size();
    return nots + body;
  }

  std::string protocol_name() { return in_.pick(kProtocolNames); }

  // [pname] [direction] [host|net|port|portrange] id, [pname] proto id,
  // [pname] protochain id, [pname] gateway id; kind chooses the type. The
  // protocol mostly fits the type (and the id fits the protocol), so that
  // most terms compile; the rest are any combination, for the refusals.
  std::string head(uint32_t kind) {
    static const char* const kFitting[8][6] = {
        {"ip", "ip6", "arp", "rarp", "ether", "link"},  // host
        {"ip", "ip6", "arp", "rarp", "ip", "ip6"},      // net
        {"tcp", "udp", "sctp", "tcp", "udp", "tcp"},    // port
        {"tcp", "udp", "sctp", "tcp", "udp", "udp"},    // portrange
        {"ip", "ip6", "arp", "rarp", "ether", "ip"},    // direction only
        {"ip", "ip6", "ether", "link", "iso", "isis"},  // proto
        {"ip", "ip6", "ip", "ip6", "ip", "ip6"},        // protochain
        {"ip", "ether", "link", "ip", "ip", "ip"},      // gateway
    };
    protocol_.clear();
    if (in_.percent(55)) protocol_ = in_.percent(92) ? kFitting[kind][in_.below(6)] : protocol_name();
    std::string text = protocol_.empty() ? "" : protocol_ + " ";
    const char* const kTypes[] = {"host ", "net ", "port ", "portrange ", "", "proto ", "protochain ", "gateway "};
    bool with_direction = kind <= 4 && (kind == 4 || in_.percent(40));
    if (with_direction) text += std::string(in_.percent(85) ? in_.pick(kDirections, 6) : in_.pick(kDirections)) + " ";
    text += kTypes[kind];
    return text;
  }

  std::string id_for(uint32_t kind) {
    switch (kind) {
      case 0: case 4:
        if (in_.percent(80)) {
          if (protocol_ == "ether" || protocol_ == "link") return values_.mac();
          if (protocol_ == "ip6") return values_.ipv6_host();
          if (protocol_ == "ip" || protocol_ == "arp" || protocol_ == "rarp") return values_.ipv4_host();
        }
        if (kind == 4 && in_.percent(20)) return values_.network();
        return values_.host_value();
      case 1: return values_.network();
      case 2: return values_.port();
      case 3: return values_.port_range();
      case 5: case 6: return values_.protocol_value();
      default: {
        // A gateway is a name with both an Ethernet and an IP address.
        if (!names_.ethers.empty() && in_.percent(85)) return in_.pick(names_.ethers).name;
        return in_.percent(70) ? values_.ipv4_host() : values_.any_id();
      }
    }
  }

  // An id as the grammar's `id` rule has it: a value, `not id`, or a
  // parenthesized list of ids (which inherits the qualifiers too).
  std::string id(uint32_t kind) {
    if (in_.percent(90)) return (in_.percent(10) ? "not " : "") + (in_.percent(96) ? id_for(kind) : values_.any_id());
    std::string text = "(" + id_for(kind);
    int more = static_cast<int>(in_.below(4));
    for (int i = 0; i < more; ++i) text += " " + logical_op() + " " + id_for(kind);
    return text + ")";
  }

  std::string qualified() {
    uint32_t kind = in_.below(8);
    std::string text = head(kind) + id(kind);
    while (in_.percent(20) && text.size() < 2048) text += " " + logical_op() + " " + id(kind);
    return text;
  }

  // Many like terms in a row: what set lowering turns into representatives.
  std::string long_list() {
    uint32_t kind = in_.below(5);
    if (kind == 4) kind = 0;
    std::string op = in_.percent(85) ? " or " : " and ";
    // Only or-lists of hosts, nets and ports are lowered through
    // representatives. And-lists and portrange lists go through libpcap's
    // cubic optimizer, as in libpcap: 200 and-ed portranges take seconds,
    // 390 or-ed ones 80 s in a Release build (libpcap 1.10.3: 84 s). That
    // cost is known; the fuzzer need not rediscover it.
    const uint32_t longest = op == " or " && kind != 3 ? 400 : 40;
    int count = 2 + static_cast<int>(in_.percent(80) ? in_.below(40) : in_.below(longest));
    bool repeat_head = in_.percent(30);
    std::string first_head = head(kind);
    std::string text = first_head + id_for(kind);
    for (int i = 1; i < count && text.size() < kMaxTextBytes; ++i)
      text += op + (repeat_head ? first_head : "") + id_for(kind);
    length_hint_ += text.size();
    return text;
  }

  std::string packet_access(int depth) {
    std::string index =
        depth <= 0 || in_.percent(75) ? values_.small_number(in_.percent(90) ? 64 : 70000) : arith(depth - 1);
    const char* const kSizes[] = {"", "", "", ":1", ":2", ":4", ":3", ":0", ":8"};
    std::string protocol = in_.percent(95) ? in_.pick(kIndexable) : protocol_name();
    return protocol + "[" + index + (in_.percent(95) ? in_.pick(kSizes, 6) : in_.pick(kSizes)) + "]";
  }

  std::string operand(int depth) {
    std::string minus = in_.percent(5) ? "-" : "";
    switch (in_.below(10)) {
      case 0: case 1: case 2: case 3: return minus + packet_access(depth);
      case 4: return minus + (in_.percent(50) ? "len" : "length");
      case 5: return minus + in_.pick(kNamedConstants);
      case 6: return depth > 0 ? minus + "(" + arith(depth - 1) + ")" : minus + values_.number();
      case 7: return minus + values_.small_number(256);
      default: return minus + (in_.percent(50) ? values_.small_number(256) : values_.number());
    }
  }

  std::string arith(int depth) {
    std::string text = operand(depth);
    int more = depth <= 0 ? 0 : static_cast<int>(in_.below(in_.percent(80) ? 3 : 8));
    for (int i = 0; i < more; ++i) {
      std::string op = in_.pick(kArithOps);
      std::string rhs;
      if ((op == "/" || op == "%") && in_.percent(50)) {
        rhs = in_.percent(15) ? "0" : values_.small_number(17);
      } else if ((op == "<<" || op == ">>") && in_.percent(60)) {
        rhs = values_.small_number(in_.percent(90) ? 32 : 40);
      } else {
        rhs = operand(depth - 1);
      }
      text += " " + op + " " + rhs;
    }
    return text;
  }

  std::string relation() {
    int depth = static_cast<int>(in_.below(4));
    std::string lhs = arith(depth);
    if (in_.percent(30)) lhs += " & " + values_.number();
    return lhs + " " + in_.pick(kRelops) + " " + (in_.percent(70) ? values_.number() : arith(depth));
  }

  std::string optional_number(uint32_t limit) {
    if (in_.percent(40)) return "";
    return " " + (in_.percent(85) ? values_.small_number(limit) : values_.number());
  }

  // The "other" primitives that apply to common link types (on the others
  // they are refused, which is fine now and then).
  std::string other() {
    switch (in_.below(ethernet_ ? 12 : 8)) {
      case 0: return (in_.percent(50) ? "less " : "greater ") + values_.number();
      case 1: {
        const char* const kByteOps[] = {"&", "|", "<", ">", "="};
        return "byte " + values_.small_number(64) + " " + in_.pick(kByteOps) + " " + values_.small_number(256);
      }
      case 2: return in_.percent(50) ? "inbound" : "outbound";
      case 3: return "ifindex " + values_.number();
      case 4: return (in_.percent(50) ? "geneve" : "vxlan") + optional_number(1u << 24);
      case 5: {
        const char* const kCasters[] = {"", "", "ip ", "ip6 ", "ether ", "link "};
        return std::string(in_.pick(kCasters)) + (in_.percent(50) ? "broadcast" : "multicast");
      }
      case 6: return "mpls" + optional_number(1u << 20);
      case 7: return (in_.percent(50) ? "less " : "greater ") + values_.small_number(1600);
      case 8: case 9: return "vlan" + optional_number(4096);
      case 10: return in_.percent(30) ? "pppoed" : "pppoes" + optional_number(65536);
      default: {
        std::string text = "llc";
        if (in_.percent(60)) text += std::string(" ") + in_.pick(kLlcKinds);
        return text;
      }
    }
  }

  // Primitives of link types bpfc does not model (802.11, pflog, ATM, SS7):
  // refused almost everywhere, with libpcap's messages.
  std::string exotic() {
    switch (in_.below(8)) {
      case 0: case 1: {
        std::string prefix = in_.percent(20) ? protocol_name() + " " : "";
        switch (in_.below(3)) {
          case 0: {
            std::string text = prefix + "type " + in_.pick(kWlanTypes);
            if (in_.percent(50)) text += std::string(" subtype ") + in_.pick(kWlanSubtypes);
            return text;
          }
          case 1: return prefix + "subtype " + in_.pick(kWlanSubtypes);
          default: return prefix + (in_.percent(50) ? "dir " : "direction ") + in_.pick(kWlanDirections);
        }
      }
      case 2: case 3:
        switch (in_.below(6)) {
          case 0: return (in_.percent(50) ? "on " : "ifname ") + std::string(in_.percent(50) ? "eth0" : "lo0");
          case 1: return (in_.percent(50) ? "rset " : "ruleset ") + std::string("main");
          case 2: return (in_.percent(50) ? "rnr " : "rulenum ") + values_.number();
          case 3: return (in_.percent(50) ? "srnr " : "subrulenum ") + values_.number();
          case 4: return std::string("reason ") + in_.pick(kPflogReasons);
          default: return std::string("action ") + in_.pick(kPflogActions);
        }
      case 4: return in_.pick(kAtmTypes);
      case 5: return (in_.percent(50) ? "vpi" : "vci") + field_value();
      case 6: return in_.pick(kMtp2Types);
      default: return std::string(in_.pick(kMtp3Fields)) + field_value();
    }
  }

  // atmvalue / mtp3value: NUM | relop NUM | ( NUM or NUM ... ).
  std::string field_value() {
    switch (in_.below(3)) {
      case 0: return " " + values_.number();
      case 1: return std::string(" ") + in_.pick(kRelops) + " " + values_.number();
      default: {
        std::string text = " (" + values_.small_number(300);
        int more = static_cast<int>(in_.below(4));
        for (int i = 0; i < more; ++i) text += " or " + values_.small_number(300);
        return text + ")";
      }
    }
  }

  FuzzBytes& in_;
  ValueSpeller values_;
  const FixtureNames& names_;
  bool ethernet_;
  std::string protocol_;  // of the qualified term being generated, for its ids
  int budget_;
  size_t length_hint_ = 0;
};

}  // namespace

uint32_t pick_linktype(FuzzBytes& in) {
  if (in.percent(88)) return in.pick(kModelledLinktypes);
  // Link types bpfc does not model, unknown values and aliases: refusals
  // and raw link[] accesses.
  constexpr uint32_t kOthers[] = {2, 6, 7, 10, 11, 14, 101, 105, 107, 117, 119, 127, 129, 140, 143, 147,
                                  163, 165, 192, 197, 239, 1000, 0xffffffff};
  return in.percent(70) ? in.pick(kOthers) : in.below(320);
}

uint32_t pick_snaplen(FuzzBytes& in) {
  constexpr uint32_t kSnaplens[] = {65535, 96, 68, 1, 0xffffffff, 1500, 0};
  return in.percent(80) ? 262144 : in.pick(kSnaplens);
}

std::optional<uint32_t> pick_netmask(FuzzBytes& in) {
  if (in.percent(75)) return std::nullopt;
  constexpr uint32_t kMasks[] = {0xffffff00, 0xffff0000, 0, 0xffffffff, 0xfffffffe, 0xff00ff00};
  return in.percent(80) ? in.pick(kMasks) : in.u32();
}

FilterCase generate_filter(FuzzBytes& in, const FixtureNames& names) {
  FilterCase filter;
  filter.linktype = pick_linktype(in);
  filter.snaplen = pick_snaplen(in);
  filter.netmask = pick_netmask(in);
  Generator generator(in, names, filter.values, filter.linktype);
  if (in.percent(2)) return filter;  // the empty expression: accept everything
  filter.text = generator.expression(static_cast<int>(in.below(5)));
  return filter;
}

}  // namespace bpfc::fuzz

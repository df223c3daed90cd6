#include "link_primitives.h"

#include "synthetic_packets.h"

namespace bpfc::difftest {
namespace {

using Strings = std::vector<std::string>;

// `keyword VALUE` in every relational form libpcap 1.10.3 compiles as the
// newer libpcap does: not `!=`, which 1.10.3 compiles as `=`.
void relations(Strings& out, const std::string& keyword, const std::vector<std::string>& values) {
  static const Strings kOps = {"", "= ", "== ", "> ", ">= ", "< ", "<= "};
  for (const std::string& value : values) {
    for (const std::string& op : kOps) out.push_back(keyword + " " + op + value);
  }
  out.push_back(keyword + " (" + values.front() + " or " + values.back() + ")");
}

Strings mtp2_primitives() {
  Strings p = {"fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu", "link[2] & 0x3f = 2", "len > 8", "less 9"};
  relations(p, "sio", {"0xd2", "73", "0"});
  relations(p, "hsio", {"0x41", "255"});
  // 1.10.3 reads dpc with a 32-bit load (a halfword since), which differs on
  // truncated packets: `dpc` is checked against the corpus listings instead.
  relations(p, "opc", {"0x3b35", "0x607", "16383"});
  relations(p, "hopc", {"0x3aba", "1"});
  relations(p, "sls", {"1", "15"});
  relations(p, "hsls", {"5", "0"});
  return p;
}

Strings pflog_primitives() {
  return {"ifname testname1", "on testname1",     "on pflog0",        "rnr 0x456789",       "rulenum 5",
          "srnr 123",         "subrulenum 0",     "reason match",     "reason fragment",    "reason 3",
          "action pass",      "action block",     "action drop",      "rset testruleset2",  "ruleset main",
          "inbound",          "outbound",         "ip",               "ip6",                "tcp port 80",
          "udp",              "icmp6",            "host 10.0.0.1",    "ip6 net 2001:db8::/32",
          "ip proto 6",       "ip[0] & 0xf > 5",  "tcp[13] & 2 != 0", "link[1] = 2",        "link proto \\ip6",
          "ip6 proto 58",     "portrange 1-1024", "len > 100"};
}

// Ethernet behind a pseudo-header. (The DSA-tagged link types have no
// oracle here: libpcap 1.10.3 predates them.)
Strings netanalyzer_primitives() {
  return {"ether host 0:1:2:3:4:5", "ether src 0:1:2:3:4:5", "ether dst ff:ff:ff:ff:ff:ff", "ether broadcast",
          "ether multicast",        "broadcast",             "vlan",                         "vlan 100",
          "mpls",                   "mpls 20",               "pppoes",                       "pppoed",
          "ip",                     "ip6",                   "arp",                          "ether proto 0x88cc",
          "link[0] & 1 != 0",       "tcp port 80",           "udp",                          "ip host 10.0.0.1",
          "ether[12:2] = 0x800",    "vlan and ip",           "mpls and udp"};
}

// ARCnet without the IPv4 and ARP tests (1.10.3 also takes RFC 1051's
// system codes for them, which the newer libpcap and bpfc no longer do) and
// without `link host $XX` (1.10.3 misreads every MAC-8 address): both are
// checked against the corpus listings and savefiles instead. BACnet MS/TP
// has no oracle here at all: 1.10.3 refuses its station addresses.
Strings arcnet_primitives() {
  return {"broadcast", "multicast", "link broadcast", "link multicast", "ip6", "rarp", "atalk",
          "link proto \\ip6", "link proto \\rarp", "link[2] = 0xd4", "len > 20", "ip6 and len > 60", "not rarp"};
}

// Without `lane`: after it the newer libpcap (and bpfc) refuse the ATM
// keywords, which 1.10.3 still compiles; `lane` is checked against the
// corpus listings.
Strings sunatm_primitives() {
  Strings p = {"metac", "bcc", "sc", "ilmic", "oamf4sc", "oamf4ec", "oam", "oamf4", "connectmsg", "metaconnect",
               "llc", "ip", "ip6", "arp", "tcp port 80", "link proto \\ip", "vpi 0 and vci 5"};
  relations(p, "vpi", {"100", "0"});
  relations(p, "vci", {"20001", "5"});
  return p;
}

// Protocol tests and what builds on them, for the link types whose only
// link-specific part is how they name the payload protocol.
Strings payload_primitives() {
  return {"ip",         "ip6",          "arp",        "rarp",          "tcp port 80",      "udp",
          "icmp",       "icmp6",        "host 10.0.0.1", "ip6 net 2001:db8::/32", "ip proto 6", "atalk",
          "iso proto \\clnp", "link proto \\ip", "link proto 0x86dd", "ip[0] & 0xf > 5", "link[2] = 3",
          "len > 60",  "llc"};
}

// ipnet and Juniper have a direction field; elsewhere `inbound` needs a live capture's
// metadata (refused as newer libpcap does; 1.10.3 still compiles it).
Strings directional_primitives() {
  Strings p = payload_primitives();
  p.insert(p.end(), {"inbound", "outbound", "inbound and ip", "outbound or ip6"});
  return p;
}

}  // namespace

const std::vector<LinkPrimitives>& link_primitive_sets() {
  static const std::vector<LinkPrimitives> sets = {
      {"MTP2", kDltMtp2, mtp2_primitives()},
      {"PFLOG", kDltPflog, pflog_primitives()},
      {"NETANALYZER", kDltNetanalyzer, netanalyzer_primitives()},
      {"NETANALYZER_TRANSPARENT", kDltNetanalyzerTransparent, netanalyzer_primitives()},
      {"ARCNET", kDltArcnet, arcnet_primitives(), true},
      {"ARCNET_LINUX", kDltArcnetLinux, arcnet_primitives(), true},
      {"SUNATM", kDltSunatm, sunatm_primitives()},
      {"ATM_CLIP", kDltAtmClip, payload_primitives()},
      {"ATM_RFC1483", kDltAtmRfc1483, payload_primitives()},
      {"SYMANTEC_FIREWALL", kDltSymantecFirewall, payload_primitives()},
      {"APPLE_IP_OVER_IEEE1394", kDltAppleIpOverIeee1394, payload_primitives()},
      {"PPP_ETHER", kDltPppEther, payload_primitives()},
      {"PPP_BSDOS", kDltPppBsdos, payload_primitives()},
      {"SLIP_BSDOS", kDltSlipBsdos, payload_primitives()},
      {"LTALK", kDltLtalk, payload_primitives()},
      {"ENC", kDltEnc, payload_primitives()},
      // Own primitives only: after a generic `pppoes`, `inbound` is the PPP case above.
      {"IPNET", kDltIpnet, directional_primitives(), true},
      {"FRELAY", kDltFrelay, payload_primitives()},
      {"JUNIPER_MFR", kDltJuniperMfr, directional_primitives(), true},
      {"JUNIPER_PPP", kDltJuniperPpp, directional_primitives(), true},
      {"JUNIPER_ATM2", kDltJuniperAtm2, directional_primitives(), true},
      {"JUNIPER_ETHER", kDltJuniperEther, directional_primitives(), true},
      {"JUNIPER_GGSN", kDltJuniperGgsn, directional_primitives(), true},
      {"JUNIPER_MONITOR", kDltJuniperMonitor, directional_primitives(), true},
  };
  return sets;
}

}  // namespace bpfc::difftest

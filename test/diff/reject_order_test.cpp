// Which error bpfc reports for a filter that does not parse, against
// libpcap's order: libpcap's parser runs the code generator as rules reduce,
// so a semantic error in a construct completed before the offending token
// ("port number 65536 greater than maximum 65535" in `port 65536 and`) is
// reported instead of the syntax error, and a construct the parser had not
// yet reduced (`ether foo`, a lone number at the start) is not checked.
//
// The expected messages are those of the libpcap the corpus comes from
// (f26ae497, 1.11.0-PRE-GIT). Debian's libpcap 1.10.3, the oracle linked
// here, words many of them differently and lacks some checks, so it is asked
// only whether it also stops at the syntax error or at an earlier semantic
// one, on the entries where both versions check the construct and no host
// name is looked up.
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "corpus_entries.h"
#include "diff_report.h"
#include "libpcap_oracle.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

struct OrderCase {
  const char* linktype;
  const char* expr;
  const char* libpcap;  // pcap_compile()'s message (libpcap f26ae497)
  bool ask_debian_libpcap;
};

// Hostile and truncated filters: a semantic error before a syntax error (and
// before a scanner error), in every position (after `and`/`or`, inside
// parentheses, inside an unfinished `proto[`, before an arithmetic or
// relational operator), and the constructs libpcap has not reduced yet.
const OrderCase kCases[] = {
    {"EN10MB", "ip proto 256 1", "protocol number 256 greater than maximum 255", false},
    {"EN10MB", "ip proto 256 )", "protocol number 256 greater than maximum 255", false},
    {"EN10MB", "port 65536 (", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "tcp port 80 and (port 65536", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "(port 65536", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "not port 65536 and", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 or", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "ip[0:3] = 1 )", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0:3] = 1 and", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0:3] = ", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0:3] ", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0:3] +", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0] / 0 = 1 and", "division by zero", true},
    {"EN10MB", "ip[0] / 0 ", "division by zero", true},
    {"EN10MB", "ip[0] / 0 =", "division by zero", true},
    {"EN10MB", "1 / 0 =", "division by zero", true},
    {"EN10MB", "ip[0] / 0 = 1 )", "division by zero", true},
    {"EN10MB", "port 65536 port", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "host 1.2.3.4.5 )", "unknown host '1.2.3.4.5'", false},
    {"EN10MB", "host foo.invalid. and", "unknown host 'foo.invalid.'", false},
    {"EN10MB", "tcp port 65536 tcp", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "vlan 4096 and", "VLAN tag 4096 greater than maximum 4095", true},
    {"EN10MB", "vlan 4096 (", "VLAN tag 4096 greater than maximum 4095", true},
    {"EN10MB", "link host $100", "'link host $XX' not supported on DLT_EN10MB (Ethernet)", true},
    {"EN10MB", "link host $1000", "'link host $XX' not supported on DLT_EN10MB (Ethernet)", true},
    {"EN10MB", "ether host $100", "'link host $XX' not supported on DLT_EN10MB (Ethernet)", true},
    {"EN10MB", "ether host 100:2:3:4:5:6", "illegal link-layer address '100'", true},
    {"EN10MB", "ether host 1:2:3:4:5:600", "can't parse filter expression: syntax error", true},
    {"EN10MB", "net 10.0.0.1/8 and", "non-network bits set in \"10.0.0.1/8\"", true},
    {"EN10MB", "net 10.0.0.1/8 )", "non-network bits set in \"10.0.0.1/8\"", true},
    {"EN10MB", "tcp and", "can't parse filter expression: syntax error", true},
    {"EN10MB", "ip proto 256 and (", "protocol number 256 greater than maximum 255", false},
    {"EN10MB", "not not port 65536 )", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and port 65537 )", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "(tcp or port 65536 ", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "((port 65536", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "wlan type 7 and", "invalid 802.11 type value 0x07", true},
    {"EN10MB", "vlan 1 and vlan 4096 )", "VLAN tag 4096 greater than maximum 4095", true},
    {"EN10MB", "src port 65536 src", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "len < 1 / 0 and", "division by zero", true},
    {"EN10MB", "less 99999999999 and", "decimal number 99999999999 overflows 32 bits", true},
    {"EN10MB", "inbound and", "not a live capture, 'inbound' not supported on DLT_EN10MB (Ethernet)", false},
    {"EN10MB", "ifindex 1 )", "not a live capture, 'ifindex' not supported on DLT_EN10MB (Ethernet)", false},
    {"EN10MB", "ip proto 256 = 1", "protocol number 256 greater than maximum 255", false},
    {"EN10MB", "port 1 - 65536", "can't parse filter expression: syntax error", true},
    {"PFLOG", "srnr 4294967296", "decimal number 4294967296 overflows 32 bits", true},
    {"PFLOG", "rnr 4294967296", "decimal number 4294967296 overflows 32 bits", true},
    {"EN10MB", "ip[4294967296] = 1", "decimal number 4294967296 overflows 32 bits", true},
    {"EN10MB", "tcp port 4294967296", "decimal number 4294967296 overflows 32 bits", true},
    {"EN10MB", "4294967296 = 1", "decimal number 4294967296 overflows 32 bits", true},
    {"EN10MB", "port 65536 and 99999999999", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 99999999999", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "ip proto 256 and host 1::2::3", "protocol number 256 greater than maximum 255", true},
    {"EN10MB", "ip proto 256 1::2::3", "protocol number 256 greater than maximum 255", true},
    {"EN10MB", "ip[0] / 0 = 99999999999", "division by zero", true},
    {"EN10MB", "ip[0:3] = 99999999999", "data size must be 1, 2, or 4", true},
    {"EN10MB", "port 65536 and ip[99999999999]", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "vlan 4096 and 1::2::3", "VLAN tag 4096 greater than maximum 4095", true},
    {"IEEE802_11", "wlan addr5", "can't parse filter expression: syntax error", false},
    {"IEEE802_11", "wlan foo", "can't parse filter expression: syntax error", false},
    {"EN10MB", "ether foo", "can't parse filter expression: syntax error", false},
    {"EN10MB", "link foo", "can't parse filter expression: syntax error", false},
    {"IEEE802_11", "wlan addr5 )", "can't parse filter expression: syntax error", false},
    {"IEEE802_11", "wlan foo 1", "can't parse filter expression: syntax error", false},
    {"EN10MB", "tcp port 65536 or", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 )", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "((tcp or port 65536) and", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "! ! port 65536 )", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "tcp and port 65536 and host", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "tcp and port 65536 and ether", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and 1::2::3", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and ip[", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and ip[0", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and ip[0:", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and ip[0] =", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "portrange 1-70000 or", "port number 70000 greater than maximum 65535", true},
    {"EN10MB", "vlan (", "can't parse filter expression: syntax error", true},
    {"EN10MB", "vlan 1 and vlan (", "can't parse filter expression: syntax error", true},
    {"EN10MB", "mpls 1048576 or", "MPLS label 1048576 greater than maximum 1048575", true},
    {"EN10MB", "pppoes 65536 )", "PPPoE session number 65536 greater than maximum 65535", true},
    {"EN10MB", "host foo.invalid. mask", "unknown host 'foo.invalid.'", false},
    {"EN10MB", "net 10.0.0.1/8 or", "non-network bits set in \"10.0.0.1/8\"", true},
    {"EN10MB", "net 10.0.0.1 mask 255.0.0.0 )", "non-network bits set in \"10.0.0.1 mask 255.0.0.0\"", true},
    {"EN10MB", "net 10.0.0.0/33 and", "netmask length 33 greater than maximum 32", true},
    {"EN10MB", "ip[0:3] )", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0:3] = 1 or", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0:3] + 1", "data size must be 1, 2, or 4", true},
    {"EN10MB", "ip[0] % 0 >", "modulus by zero", true},
    {"EN10MB", "ip[0] / 0 + ip[", "division by zero", true},
    {"EN10MB", "1 + ip[0] / 0 *", "division by zero", true},
    {"EN10MB", "(ip[0] / 0", "division by zero", true},
    {"EN10MB", "ip[1 / 0", "division by zero", true},
    {"EN10MB", "ip[1 / 0 :", "division by zero", true},
    {"EN10MB", "tcp foo", "can't parse filter expression: syntax error", false},
    {"EN10MB", "tcp port 80 and ether foo", "can't parse filter expression: syntax error", false},
    {"EN10MB", "tcp port 80 and link 1", "can't parse filter expression: syntax error", true},
    {"EN10MB", "ether and", "'link' cannot be used as an abbreviation", true},
    {"EN10MB", "link and tcp", "'link' cannot be used as an abbreviation", true},
    {"EN10MB", "decnet host 1.2.3 and", "invalid DECnet address '1.2.3'", false},
    {"EN10MB", "decnet host 64.1024 )", "invalid DECnet address '64.1024'", false},
    {"EN10MB", "ip proto foo1 )", "unknown 'ip proto' value 'foo1'", false},
    {"EN10MB", "ether proto 65536 and", "EtherType 65536 greater than maximum 65535", false},
    {"EN10MB", "wlan type mgt subtype 16 )", "'type/subtype' not supported on DLT_EN10MB (Ethernet)", true},
    {"EN10MB", "host 1.2.3.4 and (port 1 or port 65536", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "(host 1.2.3.4 and (port 1 or port 65536)", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 1 or port 2 or port 65536 or", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "tcp src port 65536 dst", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "link proto 65536 and", "EtherType 65536 greater than maximum 65535", false},
    {"EN10MB", "less 1 / 0", "can't parse filter expression: syntax error", true},
    {"EN10MB", "less 65536 )", "can't parse filter expression: syntax error", true},
    {"EN10MB", "gateway foo.invalid. and", "unknown Ethernet-like host 'foo.invalid.'", false},
    {"EN10MB", "ip protochain 256 )", "protocol number 256 greater than maximum 255", false},
    {"EN10MB", "icmp[icmptype] = 99999999999", "decimal number 99999999999 overflows 32 bits", true},
    {"EN10MB", "ip6 proto 256 or", "protocol number 256 greater than maximum 255", false},
    {"EN10MB", "udp port 65536 udp", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and not", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "port 65536 and (", "port number 65536 greater than maximum 65535", true},
    {"A429", "vlan and", "'vlan' not supported on DLT_A429 (Arinc 429)", true},
    {"A429", "vlan 1 )", "'vlan' not supported on DLT_A429 (Arinc 429)", true},
    {"A429", "mpls (", "can't parse filter expression: syntax error", true},
    {"A429", "ip and", "link-layer type filtering not implemented for DLT_A429 (Arinc 429)", true},
    {"A429", "ip 1", "can't parse filter expression: syntax error", true},
    {"A429", "inbound or", "not a live capture, 'inbound' not supported on DLT_A429 (Arinc 429)", false},
    {"A429", "link multicast )", "'multicast' not supported on DLT_A429 (Arinc 429)", true},
    {"A429", "ether host 1:2:3:4:5:6 and", "'link host XX:XX:XX:XX:XX:XX' not supported on DLT_A429 (Arinc 429)", true},
    {"IEEE802_11", "wlan type 4 and", "can't parse filter expression: syntax error", true},
    {"IEEE802_11", "type data subtype beacon and", "unknown 802.11 subtype name \"beacon\"", true},
    {"IEEE802_11", "dir 4 )", "invalid 802.11 direction value 0x4", false},
    {"IEEE802_11", "wlan addr1 1:2:3:4:5:600", "can't parse filter expression: syntax error", true},
    {"SUNATM", "vpi 256 and", "VPI 256 greater than maximum 255", false},
    {"SUNATM", "vci 65536 )", "VCI 65536 greater than maximum 65535", false},
    {"SUNATM", "lane and vpi 256 or", "'vpi' supported only on SUNATM", false},
    {"MTP2", "sio 256 and", "sio 256 greater than maximum 255", true},
    {"MTP2", "dpc 16384 )", "dpc 16384 greater than maximum 16383", true},
    {"PFLOG", "action foo and", "unknown PF action \"foo\"", false},
    {"PFLOG", "reason foo )", "unknown PF reason \"foo\"", false},
    {"LINUX_SLL", "ifindex 1 and vlan 4096 and", "not a live capture, 'ifindex' not supported on DLT_LINUX_SLL (Linux cooked v1)", true},
    {"RAW", "arp and", "can't parse filter expression: syntax error", true},
    {"RAW", "ether host 1:2:3:4:5:6 )", "'link host XX:XX:XX:XX:XX:XX' not supported on DLT_RAW (Raw IPv4/IPv6)", true},
    {"SUNATM", "foo.invalid. 1", "can't parse filter expression: syntax error", false},
    {"SUNATM", "tcp and foo.invalid. 1", "syntax error in filter expression", false},
    {"SUNATM", "4096 multicast", "can't parse filter expression: syntax error", true},
    {"SUNATM", "65536 )", "can't parse filter expression: syntax error", true},
    {"SUNATM", "1.2.3.4.5 )", "can't parse filter expression: syntax error", false},
    {"SUNATM", "1.2.3.4.5 1", "can't parse filter expression: syntax error", false},
    {"SUNATM", "65536 1", "can't parse filter expression: syntax error", true},
    {"SUNATM", "tcp and 65536 )", "syntax error in filter expression", true},
    {"SUNATM", "65536 host", "can't parse filter expression: syntax error", true},
    {"SUNATM", "ether )", "'link' cannot be used as an abbreviation", true},
    {"SUNATM", "ip )", "can't parse filter expression: syntax error", true},
    {"SUNATM", "ether 1 )", "can't parse filter expression: syntax error", true},
    {"SUNATM", "ip 1", "can't parse filter expression: syntax error", true},
    {"SUNATM", "host 65536 1", "can't parse filter expression: syntax error", true},
    {"SUNATM", "net 1.2.3.4.5 1", "unknown network '1.2.3.4.5'", false},
    {"A429", "foo.invalid. 1", "can't parse filter expression: syntax error", false},
    {"A429", "tcp and foo.invalid. 1", "link-layer type filtering not implemented for DLT_A429 (Arinc 429)", false},
    {"A429", "4096 multicast", "can't parse filter expression: syntax error", true},
    {"A429", "65536 )", "can't parse filter expression: syntax error", true},
    {"A429", "1.2.3.4.5 )", "can't parse filter expression: syntax error", false},
    {"A429", "1.2.3.4.5 1", "can't parse filter expression: syntax error", false},
    {"A429", "65536 1", "can't parse filter expression: syntax error", true},
    {"A429", "tcp and 65536 )", "link-layer type filtering not implemented for DLT_A429 (Arinc 429)", true},
    {"A429", "65536 host", "can't parse filter expression: syntax error", true},
    {"A429", "ether )", "'link' cannot be used as an abbreviation", true},
    {"A429", "ip )", "link-layer type filtering not implemented for DLT_A429 (Arinc 429)", true},
    {"A429", "ether 1 )", "can't parse filter expression: syntax error", true},
    {"A429", "host 65536 1", "link-layer type filtering not implemented for DLT_A429 (Arinc 429)", true},
    {"A429", "net 1.2.3.4.5 1", "unknown network '1.2.3.4.5'", false},
    {"SUNATM", "tcp and not foo.invalid. 1", "syntax error in filter expression", false},
    {"SUNATM", "tcp and (foo.invalid. 1", "syntax error in filter expression", false},
    {"SUNATM", "tcp or foo.invalid. 1", "syntax error in filter expression", false},
    {"SUNATM", "not foo.invalid. 1", "can't parse filter expression: syntax error", false},
    {"SUNATM", "(foo.invalid. 1", "can't parse filter expression: syntax error", false},
    {"SUNATM", "tcp and foo.invalid.", "syntax error in filter expression", false},
    {"PFLOG", "on foo and rule 1", "syntax error in filter expression", false},
    {"PFLOG", "rule 1 and srnr 4294967296", "can't parse filter expression: syntax error", false},
    {"IEEE802_11", "ether subtype", "can't parse filter expression: syntax error", true},
    {"IEEE802_11", "wlan subtype << qos-cf-poll", "can't parse filter expression: syntax error", true},
    {"IEEE802_11", "wlan subtype 1::2::3 probe-req", "invalid Ethernet address 1::2::", true},
    {"IEEE802_11", "wlan type 16777216 subtype =", "invalid 802.11 type value 0x1000000", true},
    {"IEEE802_11", "type 16777216 subtype :", "invalid 802.11 type value 0x1000000", true},
    {"IEEE802_11", "type mgt subtype 99 )", "invalid 802.11 subtype value 0x63", true},
    {"IEEE802_11", "type 5 subtype", "invalid 802.11 type value 0x05", true},
    {"EN10MB", "icmptype == 0 && icmpcode == 0x10000 && icmp6type == 0 && icmp6code == 0", "expression rejects all packets", true},
    {"EN10MB", "icmptype == 0 && icmpcode == 0x10000", "expression rejects all packets", true},
    {"EN10MB", "icmptype == 0 && icmpcode == 0x10000 and", "can't parse filter expression: syntax error", true},
    {"EN10MB", "1 == 0 and", "can't parse filter expression: syntax error", true},
    {"EN10MB", "1 == 0 && 2 == and", "can't parse filter expression: syntax error", true},
    {"EN10MB", "tcp && 2 == and", "can't parse filter expression: syntax error", true},
    {"EN10MB", "ip[0] == 0 && ip[1] == and", "can't parse filter expression: syntax error", true},
    {"EN10MB", "1 == 0 && 2 )", "syntax error in filter expression", true},
    {"MTP2", "sio (73 or 74 or 4096", "sio 4096 greater than maximum 255", true},
    {"MTP2", "sio (73 or 4096", "sio 4096 greater than maximum 255", true},
    {"EN10MB", "tcp and (port 1 or 65536", "port number 65536 greater than maximum 65535", true},
    {"EN10MB", "vlan (1 or 4096", "can't parse filter expression: syntax error", true},
    {"MTP2", "sio (73 or 4096 1", "sio 4096 greater than maximum 255", true},
    {"EN10MB", "(tcp or 65536", "syntax error in filter expression", true},
};

bool is_syntax_error(const std::string& message) {
  return message.find("can't parse filter expression") != std::string::npos;
}

TEST(DifferentialRejectOrder, FirstErrorIsLibpcaps) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  int exact = 0, total = 0;
  for (const OrderCase& c : kCases) {
    ++total;
    auto dlt = linktype_from_string(c.linktype);
    ASSERT_TRUE(dlt) << c.linktype;
    Subject subject{std::string("order:") + c.expr, c.expr, *dlt, kDefaultSnaplen, std::nullopt};
    BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
    EXPECT_FALSE(ours.program) << c.linktype << " '" << c.expr << "' compiles; libpcap says: " << c.libpcap;
    EXPECT_EQ(ours.error, c.libpcap) << c.linktype << " '" << c.expr << "'";
    if (ours.error == c.libpcap) ++exact;
    if (!c.ask_debian_libpcap) continue;
    OracleResult theirs = libpcap_compile(c.expr, *dlt, kDefaultSnaplen, std::nullopt, true);
    EXPECT_FALSE(theirs.program) << c.linktype << " '" << c.expr << "': Debian's libpcap compiles it";
    EXPECT_EQ(is_syntax_error(theirs.error), is_syntax_error(ours.error))
        << c.linktype << " '" << c.expr << "': Debian's libpcap says: " << theirs.error << "; bpfc: " << ours.error;
  }
  std::cout << "[diff] reject order: libpcap's message in " << exact << " of " << total << "\n";
}

}  // namespace
}  // namespace bpfc::difftest

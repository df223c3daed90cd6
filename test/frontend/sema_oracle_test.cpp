// Differential check of parse + sema against Debian's libpcap (1.10.3) on a
// grid of qualifier/value combinations over several link types: both must
// accept the same expressions, except where the corpus' newer libpcap (our
// reference) changed the verdict. The grid holds no host or network names,
// so libpcap never consults a name service for them.
#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/frontend/sema.h"

namespace bpfc {
namespace {

const std::string kFixtures = std::string(BPFC_TEST_DIR) + "/fixtures/names";

std::vector<std::string> grid() {
  const std::vector<std::string> protos = {
      "",      "link ",  "ether ", "ip ",   "arp ",  "rarp ", "sctp ",   "tcp ",    "udp ",  "icmp ",  "igmp ",
      "igrp ", "pim ",   "vrrp ",  "carp ", "atalk ", "aarp ", "decnet ", "lat ",   "sca ",  "moprc ", "mopdl ",
      "ip6 ",  "icmp6 ", "ah ",    "esp ",  "iso ",  "esis ", "isis ",   "l1 ",     "l2 ",   "iih ",   "lsp ",
      "snp ",  "csnp ",  "psnp ",  "clnp ", "stp ",  "ipx ",  "netbeui ", "radio "};
  const std::vector<std::string> dirs = {"", "src ", "src and dst ", "addr1 "};
  const std::vector<std::string> types = {"", "host ", "net ", "port ", "portrange ", "proto ", "protochain ",
                                          "gateway "};
  const std::vector<std::string> values = {"1",          "300",         "70000",   "10.1",
                                           "1.2.3.4",    "1.2.3.0/24",  "1.2.3.4/24", "1.2.3.0 mask 255.255.255.0",
                                           "fe80::1",    "fe80::/16",   "a:b:c:d:e:f", "\\tcp"};
  std::vector<std::string> out = {
      "tcp", "ether", "ip broadcast", "broadcast", "multicast", "ip6 multicast", "vlan 100", "mpls 5",
      "mpls and vlan", "vlan and mpls", "pppoes 5 and vlan", "pppoes and ip", "geneve and ip", "llc", "llc i",
      "llc rnr", "ether[0] = 1", "radio[0] = 1", "tcp[0:4] = 1", "stp[0] = 1", "len / 0 = 1", "len % 0 = 1",
      "len << 32 = 1", "len / (0+1) = 1", "type mgt", "type mgt subtype beacon", "subtype beacon", "dir tods",
      "lane and ether host a:b:c:d:e:f", "vpi 1", "fisu", "sio 5", "reason match", "on eth0", "byte 1 = 2",
      "ip protochain 6", "protochain 6", "less 5", "not ip", "ether proto \\ip", "ip proto \\tcp", "ah", "l1"};
  for (const auto& proto : protos)
    for (const auto& dir : dirs)
      for (const auto& type : types)
        for (const auto& value : values) {
          if (proto.empty() && dir.empty() && type.empty()) continue;
          // A name only where it is a protocol: never a host name.
          if (value[0] == '\\' && type != "proto " && type != "protochain ") continue;
          out.push_back(proto + dir + type + value);
        }
  return out;
}

// Verdicts the corpus' libpcap changed since 1.10.3, which bpfc follows.
bool newer_libpcap_rejects(const std::string& message) {
  for (const char* change : {"greater than maximum", "DECnet address", "'decnet' is not a valid qualifier",
                             "not a live capture"})
    if (message.find(change) != std::string::npos) return true;
  return false;
}

TEST(SemaOracle, AgreesWithDebianLibpcapOnAQualifierGrid) {
  auto resolver = make_file_resolver(kFixtures);
  auto expressions = grid();
  const std::pair<const char*, int> linktypes[] = {{"EN10MB", 1}, {"RAW", 12},      {"IEEE802_11", 105},
                                                   {"LINUX_SLL2", 276}, {"ARCNET", 7}, {"PPP", 9},
                                                   {"C_HDLC", 104}, {"FRELAY", 107}, {"NULL", 0}, {"MTP2", 140}};
  int agreed = 0, newer_rules = 0;
  for (auto [name, dlt] : linktypes) {
    pcap_t* pcap = pcap_open_dead(dlt, 262144);
    ASSERT_NE(pcap, nullptr);
    for (const auto& text : expressions) {
      bpf_program program;
      bool libpcap_accepts = pcap_compile(pcap, &program, text.c_str(), 0, PCAP_NETMASK_UNKNOWN) == 0;
      std::string libpcap_message = libpcap_accepts ? "" : pcap_geterr(pcap);
      if (libpcap_accepts) pcap_freecode(&program);

      auto parsed = parse_filter(text);
      std::optional<Diagnostic> ours;
      if (!parsed) {
        ours = parsed.error();
      } else {
        LowerOptions options;
        options.linktype = static_cast<uint32_t>(dlt);
        options.resolver = resolver.get();
        ours = check_filter(*parsed, options);
      }
      if (libpcap_accepts == !ours) {
        ++agreed;
      } else if (libpcap_accepts && newer_libpcap_rejects(ours->message)) {
        ++newer_rules;
      } else {
        ADD_FAILURE() << name << ": " << text << " -> libpcap: " << (libpcap_accepts ? "accepts" : libpcap_message)
                      << ", bpfc: " << (ours ? ours->message : "accepts");
      }
    }
    pcap_close(pcap);
  }
  std::printf("agreed on %d expressions; %d follow the newer libpcap's stricter checks\n", agreed, newer_rules);
}

}  // namespace
}  // namespace bpfc

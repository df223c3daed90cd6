// `bpfc filter` prints the corpus savefiles (test/corpus/pcaps) and the
// bundled examples/sample.pcap exactly as `tcpdump -n -q` does.
//
// Which files are compared under every printing flag is decided by a rule,
// not by hand: libpcap opens the file, its link type is one bpfc dissects,
// and every packet in it matches (libpcap's pcap_offline_filter)
//     arp or rarp or (ip and (tcp or udp or icmp)) or (ip6 and (tcp or udp or icmp6))
// i.e. it holds only ARP and IPv4/IPv6 TCP, UDP, ICMP and ICMPv6. The files
// holding the further protocols bpfc dissects (MPLS, GRE, AH/ESP/IPComp,
// VRRP/CARP, PIM, PPPoE, LLC/SNAP, IPX, DECnet, IPv6 extension headers) are
// compared too, each listed with what it holds. Files of link types bpfc
// does not dissect are listed with what bpfc prints instead.
#include <pcap/pcap.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "tcpdump_comparison.h"

namespace bpfc::dissecttest {
namespace {

const std::string kPcapsDir = BPFC_TEST_DIR "/corpus/pcaps";
const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

constexpr const char* kRuleFilter =
    "arp or rarp or (ip and (tcp or udp or icmp)) or (ip6 and (tcp or udp or icmp6))";

const std::set<int> kDissectedLinkTypes = {DLT_EN10MB, DLT_RAW,        DLT_NULL,       DLT_LOOP,
                                           DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV4, DLT_IPV6};

const std::vector<std::vector<std::string>> kEveryFlag = {
    {},      {"-e"},    {"-v"},     {"-vv"},   {"-x"},       {"-xx"},          {"-X"},
    {"-XX"}, {"-A"},    {"-t"},     {"-tt"},   {"-ttt"},     {"-tttt"},        {"-ttttt"},
    {"-e", "-v", "-XX"}, {"--nano", "-tt"},
};

struct CorpusFile {
  std::string path;
  int dlt = -1;
  size_t packets = 0;
  size_t matching_rule = 0;
};

// What libpcap says about a savefile: its link type, and how many of its
// packets match the rule.
std::optional<CorpusFile> classify(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
  if (handle == nullptr) return std::nullopt;
  CorpusFile file{path, pcap_datalink(handle)};
  bpf_program program{};
  if (kDissectedLinkTypes.count(file.dlt) != 0 &&
      pcap_compile(handle, &program, kRuleFilter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1) {
      ++file.packets;
      if (pcap_offline_filter(&program, header, data) != 0) ++file.matching_rule;
    }
    pcap_freecode(&program);
  }
  pcap_close(handle);
  return file;
}

std::vector<CorpusFile> corpus_files() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapsDir)) paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<CorpusFile> files;
  for (const std::string& path : paths) {
    if (auto file = classify(path)) files.push_back(*file);
  }
  return files;
}

bool follows_rule(const CorpusFile& file) {
  return kDissectedLinkTypes.count(file.dlt) != 0 && file.packets > 0 && file.matching_rule == file.packets;
}

std::string base_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

bool shows_payload_as_text(const std::vector<std::string>& flags) {
  return std::find(flags.begin(), flags.end(), "-A") != flags.end();
}

class CorpusPrinting : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testsupport::program_available("tcpdump")) GTEST_SKIP() << "tcpdump is not installed: nothing to compare with";
    setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
  }

  void expect_same(const std::string& path, const std::vector<std::vector<std::string>>& flag_sets) {
    for (const std::vector<std::string>& flags : flag_sets) {
      Differences differences;
      differences.payload_as_text = shows_payload_as_text(flags);
      ComparisonResult result = compare_with_tcpdump(path, flags, differences);
      EXPECT_TRUE(result.identical) << result.report;
      lines_ += result.lines;
    }
  }

  size_t lines_ = 0;
};

TEST_F(CorpusPrinting, BundledSampleWithEveryFlag) {
  expect_same(kSample, kEveryFlag);
  EXPECT_GT(lines_, 1000u);
}

TEST_F(CorpusPrinting, FilesOfArpIpTcpUdpIcmpWithEveryFlag) {
  std::vector<std::string> compared;
  for (const CorpusFile& file : corpus_files()) {
    if (!follows_rule(file)) continue;
    compared.push_back(base_name(file.path));
    expect_same(file.path, kEveryFlag);
  }
  std::cout << "[dissect] corpus files under the rule, compared with every flag:";
  for (const std::string& name : compared) std::cout << ' ' << name;
  std::cout << "\n";
  EXPECT_GE(compared.size(), 5u);
  EXPECT_GT(lines_, 1000u);
}

// The files holding the protocols printed beyond ARP/IP/TCP/UDP/ICMP, each
// with what it holds. tcpdump's -v decoding of PIM is not reproduced, so
// that file is compared without -v.
struct FurtherProtocolFile {
  std::string name;
  std::string holds;
  bool verbose;
};

const std::vector<FurtherProtocolFile> kFurtherProtocolFiles = {
    {"AH-IPcomp-IPv4.pcap", "AH and IPComp over IPv4", true},
    {"AH-IPcomp-IPv6.pcap", "AH and IPComp over IPv6", true},
    {"ah-ipip-ping.pcap", "AH over IPv4, a later fragment", true},
    {"ipv6_ah_modes.pcap", "AH over IPv6 in transport and tunnel mode", true},
    {"carp.pcap", "CARP, printed as VRRP as tcpdump does by default", true},
    {"vrrp.pcap", "VRRP versions 2 and 3 over IPv4 and IPv6", true},
    {"pim-packet-assortment.pcap", "PIMv2 over IPv6", false},
    {"pppoe.pcap", "PPPoE discovery (PADI with tags)", true},
    {"pppoes.pcap", "PPPoE session with LCP echo requests", true},
    {"llc.pcap", "802.2 LLC (NetBeui U, S and I frames) and IPX over 802.3", true},
    {"decnet.pcap", "DECnet routing and NSP messages", true},
    {"ipv6_ext_headers.pcap", "IPv6 hop-by-hop, routing, fragment and destination options headers", true},
};

// Corpus files of link types bpfc dissects that are compared nowhere,
// with why: tcpdump dissects what they carry, bpfc does not.
const std::map<std::string, std::string> kNotCompared = {
    {"ISIS_external_lsp.pcap", "IS-IS over 802.2 LLC: bpfc prints the LLC line (\"OSI Unnumbered, ui...\")"},
    {"loopback.pcap", "Ethernet configuration testing protocol (0x9000): bpfc names the ethertype only"},
};

TEST_F(CorpusPrinting, FilesOfFurtherProtocols) {
  const std::vector<std::vector<std::string>> quiet = {{}, {"-e"}, {"-x"}, {"-xx"}, {"-X"}, {"-XX"}, {"-A"}, {"-tt"}};
  const std::vector<std::vector<std::string>> verbose = {{"-v"}, {"-vv"}, {"-e", "-v"}};
  for (const FurtherProtocolFile& file : kFurtherProtocolFiles) {
    SCOPED_TRACE(file.name + " (" + file.holds + ")");
    std::string path = kPcapsDir + "/" + file.name;
    expect_same(path, quiet);
    if (file.verbose) expect_same(path, verbose);
  }
  EXPECT_GT(lines_, 1000u);
}

// bpfc prints packets of link types it does not dissect as
// "link-type NAME, length N" where tcpdump dissects them: a deliberate,
// listed difference, checked here instead of compared.
TEST_F(CorpusPrinting, OtherLinkTypesPrintTheirNameAndLength) {
  size_t files = 0;
  for (const CorpusFile& file : corpus_files()) {
    if (kDissectedLinkTypes.count(file.dlt) != 0) continue;
    // A header whose link type has reserved bits set: libpcap masks them,
    // bpfc refuses the file (tested with the savefile readers).
    const char* name = pcap_datalink_val_to_name(file.dlt);
    if (name == nullptr) continue;
    testsupport::ProcessResult result = testsupport::run_process({BPFC_BINARY, "filter", "-t", "-r", file.path});
    EXPECT_EQ(result.exit_code, 0) << file.path << ": " << result.err;
    size_t lines = 0;
    std::string prefix = std::string("link-type ") + name + ", length ";
    for (size_t at = 0; at < result.out.size();) {
      size_t end = result.out.find('\n', at);
      ASSERT_NE(end, std::string::npos) << file.path;
      std::string line = result.out.substr(at, end - at);
      EXPECT_EQ(line.rfind(prefix, 0), 0u) << file.path << ": " << line;
      ++lines;
      at = end + 1;
    }
    EXPECT_GT(lines, 0u) << file.path;
    ++files;
  }
  EXPECT_GE(files, 10u);
}

// Every corpus savefile of a link type bpfc dissects is compared (under
// the rule or as a file of further protocols) or listed with the reason it
// is not: a new file in the corpus has to be placed.
TEST_F(CorpusPrinting, EveryDissectedCorpusFileIsComparedOrListed) {
  std::set<std::string> further;
  for (const FurtherProtocolFile& file : kFurtherProtocolFiles) further.insert(file.name);
  for (const CorpusFile& file : corpus_files()) {
    if (kDissectedLinkTypes.count(file.dlt) == 0) continue;
    std::string name = base_name(file.path);
    int places = follows_rule(file) + static_cast<int>(further.count(name)) + static_cast<int>(kNotCompared.count(name));
    EXPECT_EQ(places, 1) << name << " is under the rule: " << follows_rule(file)
                         << ", a further-protocol file: " << further.count(name)
                         << ", listed as not compared: " << kNotCompared.count(name);
  }
}

}  // namespace
}  // namespace bpfc::dissecttest

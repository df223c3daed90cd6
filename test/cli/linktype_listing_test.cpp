// `bpfc compile -L` and `bpfc help linktypes`: the link types come from the
// compiler's own table, and what the listing says each one supports
// compiles.
#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "bpfc/compat/linktype_support.h"
#include "bpfc/driver/compile.h"
#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

struct ListedLinktype {
  std::string name;
  uint32_t dlt = 0;
  std::string description;
  std::string protocols;
  std::vector<std::string> primitives;
};

std::vector<ListedLinktype> parse_listing(const std::string& text) {
  std::vector<ListedLinktype> listed;
  const std::regex entry(R"(  ([A-Z0-9_]+) +(\d+)  (.+))");
  const std::regex detail(R"( +protocols: (.*?)(; also (.*))?)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, entry)) {
      listed.push_back({match[1], static_cast<uint32_t>(std::stoul(match[2])), match[3], "", {}});
    } else if (std::regex_match(line, match, detail) && !listed.empty()) {
      listed.back().protocols = match[1];
      std::istringstream primitives(match[3].str());
      std::string primitive;
      while (std::getline(primitives, primitive, ',')) {
        listed.back().primitives.push_back(primitive.substr(primitive.find_first_not_of(' ')));
      }
    }
  }
  return listed;
}

const std::map<std::string, std::vector<std::string>> kPrimitiveProbes = {
    {"ether host", {"ether host 1:2:3:4:5:6", "ether src 1:2:3:4:5:6"}},
    {"vlan", {"vlan", "vlan 100 and ip"}},
    {"mpls", {"mpls", "mpls 20 and ip"}},
    {"llc", {"llc"}},
    {"inbound/outbound", {"inbound", "outbound"}},
    {"ifindex", {"ifindex 1"}},
    {"wlan type/subtype/dir", {"type data", "subtype beacon", "wlan dir tods"}},
    {"wlan addr1..addr4/ra/ta", {"wlan addr1 1:2:3:4:5:6", "wlan ra 1:2:3:4:5:6", "wlan addr4 1:2:3:4:5:6"}},
    {"radio[...]", {"radio[0] = 0", "radio[2:2] > 8"}},
};

bool carries_ip(const LinktypeSupport& support) {
  return support.protocols.starts_with("ip") || support.protocols.starts_with("any");
}

TEST(LinktypeListing, ListsWhatTheCompilerTableSays) {
  const ProcessResult r = bpfc({"compile", "-L"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<ListedLinktype> listed = parse_listing(r.out);
  size_t expected = 0;
  for (const LinktypeName& linktype : linktype_names()) expected += linktype_support(linktype.value).header_modelled;
  ASSERT_EQ(listed.size(), expected) << r.out;
  ASSERT_GE(listed.size(), 10u) << r.out;
  for (const ListedLinktype& entry : listed) {
    SCOPED_TRACE(entry.name);
    EXPECT_EQ(linktype_from_string(entry.name), entry.dlt);
    EXPECT_EQ(linktype_description(entry.dlt), entry.description);
    const LinktypeSupport support = linktype_support(entry.dlt);
    EXPECT_TRUE(support.header_modelled);
    EXPECT_EQ(entry.protocols, support.protocols);
    // What the listing claims compiles through the whole pipeline, with
    // other filters of the same primitive too; what it leaves out does not
    // compile (in process: hundreds of runs of the binary are slow under the
    // sanitizers).
    CompileOptions options;
    options.linktype = entry.dlt;
    for (const auto& [primitive, probes] : kPrimitiveProbes) {
      const bool claimed = std::find(entry.primitives.begin(), entry.primitives.end(), primitive) != entry.primitives.end();
      for (const std::string& probe : probes) {
        for (int level : {0, 2}) {
          options.opt_level = level;
          const bool compiles = compile_cbpf(probe, options).ok();
          if (claimed) {
            EXPECT_TRUE(compiles) << probe << " -O" << level;
          } else if (probe == probes.front()) {
            EXPECT_FALSE(compiles) << probe << " compiles but is not listed";
          }
        }
      }
    }
    // IP, where the link type can carry it (not on SS7 links, MS/TP or
    // LocalTalk).
    options.opt_level = 2;
    if (carries_ip(support)) {
      EXPECT_TRUE(compile_cbpf("ip or ip6", options).ok());
    }
  }
  // The binary takes the names and the numbers of the listing.
  for (const ListedLinktype& entry : listed) {
    if (!carries_ip(linktype_support(entry.dlt))) continue;
    const ProcessResult by_name = bpfc({"compile", "-y", entry.name, "tcp"});
    EXPECT_EQ(by_name.exit_code, 0) << entry.name << ": " << by_name.err;
    EXPECT_EQ(bpfc({"compile", "-y", std::to_string(entry.dlt), "tcp"}).out, by_name.out) << entry.name;
  }
  EXPECT_NE(r.out.find("  EN10MB            1  Ethernet\n"), std::string::npos) << r.out;
}

TEST(LinktypeListing, HelpLinktypesNamesEveryOtherLinktype) {
  const ProcessResult r = bpfc({"help", "linktypes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(bpfc({"compile", "-L"}).out, 0), 0u) << "starts with the -L listing";
  size_t others = 0;
  for (const LinktypeName& linktype : linktype_names()) {
    const LinktypeSupport support = linktype_support(linktype.value);
    if (!support.known || support.header_modelled) continue;
    ++others;
    const std::string entry = " " + std::string(linktype.name) + " (" + std::to_string(linktype.value) + ")";
    EXPECT_NE(r.out.find(entry), std::string::npos) << entry;
    // -y accepts it; only filters that read no packet byte compile (a
    // sample, to keep the test quick).
    if (others % 16 == 1) {
      EXPECT_EQ(bpfc({"compile", "-y", std::string(linktype.name), "len > 100"}).exit_code, 0) << linktype.name;
    }
  }
  EXPECT_NE(r.out.find("The " + std::to_string(others) + " other named link types"), std::string::npos) << r.out;
  EXPECT_EQ(bpfc({"help", "linktypes"}).exit_code, 0);
  EXPECT_EQ(bpfc({"compile", "-L", "tcp"}).exit_code, 2);
}

}  // namespace
}  // namespace bpfc::clitest

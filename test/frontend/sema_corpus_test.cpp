// libpcap's own reject and accept corpora through parse_filter() and
// check_filter(): every expression libpcap rejects must be rejected (by the
// parser or by sema), with libpcap's message, and every expression it accepts
// must pass sema. Names resolve from test/fixtures/names, never the network.
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <cstdlib>

#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/frontend/sema.h"
#include "bpfc/linktype/linktype.h"

namespace bpfc {
namespace {

const std::string kCorpus = std::string(BPFC_TEST_DIR) + "/corpus";
const std::string kFixtures = std::string(BPFC_TEST_DIR) + "/fixtures/names";

// Share of sema's rejections whose message must contain libpcap's text (the
// corpus holds the text libpcap's own harness looks for in its message).
constexpr double kMinimumMessageMatch = 1.0;

struct Entry {
  std::string dlt, expr, errstr, name;
  std::optional<std::string> netmask, skip;
  bool linux_extensions = false;  // accept entries compiled for a live Linux capture
};

std::vector<Entry> load_entries(const std::string& directory) {
  std::vector<Entry> entries;
  for (const auto& file : std::filesystem::directory_iterator(directory)) {
    if (file.path().extension() != ".jsonl") continue;
    std::ifstream in(file.path());
    std::string line;
    while (std::getline(in, line)) {
      auto json = nlohmann::json::parse(line);
      if (json.contains("savefile") && !json["savefile"].is_null()) continue;
      Entry entry;
      entry.dlt = json["dlt"].get<std::string>();
      entry.expr = json["expr"].get<std::string>();
      entry.name = json.value("name", "");
      if (json.contains("errstr") && !json["errstr"].is_null()) entry.errstr = json["errstr"].get<std::string>();
      if (!json["netmask"].is_null()) entry.netmask = json["netmask"].get<std::string>();
      if (!json["skip"].is_null()) entry.skip = json["skip"].get<std::string>();
      entry.linux_extensions = json.value("linuxext", false);
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

// bpfc compiles as libpcap on Linux does with names configured: entries that
// libpcap's harness skips there (or on this byte order) do not apply.
bool applies_here(const Entry& entry) {
  if (!entry.skip) return true;
  const std::string& why = *entry.skip;
  return why.rfind("configure the ", 0) == 0;
}

LowerOptions options_for(const Entry& entry, const NameResolver& resolver) {
  LowerOptions options;
  options.linktype = linktype_from_string(entry.dlt).value();
  options.resolver = &resolver;
  if (entry.linux_extensions) options.context = CompileContext::Linux;
  if (entry.netmask) {
    in_addr mask{};
    EXPECT_EQ(inet_pton(AF_INET, entry.netmask->c_str(), &mask), 1);
    options.netmask = ntohl(mask.s_addr);
  }
  return options;
}

struct Tally {
  int total = 0, parser_rejected = 0, sema_rejected = 0, accepted = 0, exact = 0, contained = 0;
};

void print_tallies(const std::map<std::string, Tally>& tallies, const char* what) {
  Tally sum;
  std::printf("%-28s %6s %6s %6s %6s %6s %6s\n", what, "total", "parser", "sema", "pass", "exact", "substr");
  for (const auto& [dlt, t] : tallies) {
    std::printf("%-28s %6d %6d %6d %6d %6d %6d\n", dlt.c_str(), t.total, t.parser_rejected, t.sema_rejected,
                t.accepted, t.exact, t.contained);
    sum.total += t.total, sum.parser_rejected += t.parser_rejected, sum.sema_rejected += t.sema_rejected;
    sum.accepted += t.accepted, sum.exact += t.exact, sum.contained += t.contained;
  }
  std::printf("%-28s %6d %6d %6d %6d %6d %6d\n", "ALL", sum.total, sum.parser_rejected, sum.sema_rejected,
              sum.accepted, sum.exact, sum.contained);
}

TEST(SemaCorpus, RejectsWhatLibpcapRejectsWithItsMessage) {
  auto resolver = make_file_resolver(kFixtures);
  auto entries = load_entries(kCorpus + "/reject");
  ASSERT_GT(entries.size(), 10000u);

  std::map<std::string, Tally> tallies;
  int sema_total = 0, sema_matched = 0, sema_exact = 0, optimizer_only = 0, parser_gaps = 0;
  std::vector<std::string> mismatches, wrongly_accepted;
  for (const auto& entry : entries) {
    if (!applies_here(entry)) continue;
    Tally& tally = tallies[entry.dlt];
    ++tally.total;
    auto parsed = parse_filter(entry.expr);
    if (!parsed) {
      ++tally.parser_rejected;
      continue;
    }
    // Refused by libpcap's optimizer, after code generation: not sema's call.
    bool optimizer_case = entry.errstr == "expression rejects all packets";
    bool syntax_case = entry.errstr.find("syntax error") != std::string::npos;
    auto diagnostic = check_filter(*parsed, options_for(entry, *resolver));
    if (!diagnostic) {
      ++tally.accepted;
      if (optimizer_case) {
        ++optimizer_only;
      } else if (syntax_case) {
        ++parser_gaps;
      } else {
        wrongly_accepted.push_back(entry.dlt + " | " + entry.expr + " | want: " + entry.errstr);
        ADD_FAILURE() << "accepted on " << entry.dlt << ": " << entry.expr << " (libpcap: " << entry.errstr << ")";
      }
      continue;
    }
    ++tally.sema_rejected;
    ++sema_total;
    bool exact = diagnostic->message == entry.errstr;
    bool contained = diagnostic->message.find(entry.errstr) != std::string::npos;
    tally.exact += exact;
    tally.contained += contained;
    sema_exact += exact;
    sema_matched += contained;
    if (!exact && contained && std::getenv("BPFC_SEMA_SHOW_DIFFERENCES"))
      std::printf("  DIFFERS %s | %s | want: %s | got: %s\n", entry.dlt.c_str(), entry.expr.c_str(),
                  entry.errstr.c_str(), diagnostic->message.c_str());
    if (!contained)
      mismatches.push_back(entry.dlt + " | " + entry.expr + " | want: " + entry.errstr +
                           " | got: " + diagnostic->message);
    EXPECT_TRUE(diagnostic->span.has_value()) << entry.expr;
  }
  print_tallies(tallies, "reject corpus (link type)");
  std::printf("sema rejections: %d, message contains libpcap's: %d (%.2f%%), identical: %d (%.2f%%)\n", sema_total,
              sema_matched, 100.0 * sema_matched / std::max(sema_total, 1), sema_exact,
              100.0 * sema_exact / std::max(sema_total, 1));
  std::printf("accepted by sema: %zu unexpected, %d left to the optimizer, %d syntax errors the parser let through\n",
              wrongly_accepted.size(), optimizer_only, parser_gaps);
  for (const auto& line : wrongly_accepted) std::printf("  ACCEPTED %s\n", line.c_str());
  for (const auto& line : mismatches) std::printf("  MISMATCH %s\n", line.c_str());
  EXPECT_GE(double(sema_matched) / std::max(sema_total, 1), kMinimumMessageMatch);
}

TEST(SemaCorpus, AcceptsWhatLibpcapAccepts) {
  auto resolver = make_file_resolver(kFixtures);
  auto entries = load_entries(kCorpus + "/accept");
  ASSERT_GT(entries.size(), 1000u);
  std::map<std::string, Tally> tallies;
  for (const auto& entry : entries) {
    if (!applies_here(entry)) continue;
    Tally& tally = tallies[entry.dlt];
    ++tally.total;
    auto parsed = parse_filter(entry.expr);
    if (!parsed) {
      ++tally.parser_rejected;
      continue;
    }
    auto diagnostic = check_filter(*parsed, options_for(entry, *resolver));
    if (!diagnostic) {
      ++tally.accepted;
      continue;
    }
    ++tally.sema_rejected;
    ADD_FAILURE() << "rejected on " << entry.dlt << ": " << entry.expr << " -> " << diagnostic->message;
  }
  print_tallies(tallies, "accept corpus (link type)");
}

}  // namespace
}  // namespace bpfc

// libpcap's test corpus through parse_filter() alone: every expression
// libpcap compiles must parse (for any link type: the link type does not
// matter to the grammar), and every expression libpcap refuses with a syntax
// error must be refused with that error. Expressions libpcap refuses for
// other reasons are mostly semantic errors (sema's job); the test reports how
// many of them the parser already refuses and checks those messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bpfc/frontend/parse.h"

namespace bpfc {
namespace {

const std::string kCorpus = std::string(BPFC_TEST_DIR) + "/corpus";
constexpr std::string_view kSyntaxError = "can't parse filter expression: syntax error";

struct CorpusExpression {
  std::string file, expr, errstr;
};

std::vector<CorpusExpression> load(const std::string& directory) {
  std::vector<CorpusExpression> entries;
  for (const auto& file : std::filesystem::directory_iterator(directory)) {
    if (file.path().extension() != ".jsonl") continue;
    std::ifstream in(file.path());
    std::string line;
    while (std::getline(in, line)) {
      const auto json = nlohmann::json::parse(line);
      if (!json.contains("expr") || !json["expr"].is_string()) continue;
      CorpusExpression entry;
      entry.file = file.path().filename().string();
      entry.expr = json["expr"].get<std::string>();
      if (json.contains("errstr") && json["errstr"].is_string()) entry.errstr = json["errstr"].get<std::string>();
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

TEST(ParseCorpus, EveryAcceptedExpressionParses) {
  const auto entries = load(kCorpus + "/accept");
  ASSERT_GT(entries.size(), 1000u);
  for (const auto& entry : entries) {
    // Not a filter: libpcap's harness uses this entry to test its -d printer.
    if (entry.expr == "_enumerate_bpf_image") continue;
    auto result = parse_filter(entry.expr);
    EXPECT_TRUE(result.ok()) << entry.file << ": " << entry.expr << "\n  -> " << result.error().message;
  }
}

TEST(ParseCorpus, EverySyntaxErrorIsRejectedAsSuch) {
  const auto entries = load(kCorpus + "/reject");
  size_t syntax_errors = 0;
  for (const auto& entry : entries) {
    if (entry.errstr != kSyntaxError) continue;
    ++syntax_errors;
    auto result = parse_filter(entry.expr);
    ASSERT_FALSE(result.ok()) << entry.file << ": " << entry.expr;
    EXPECT_EQ(result.error().message, kSyntaxError) << entry.file << ": " << entry.expr;
    EXPECT_TRUE(result.error().span.has_value()) << entry.expr;
  }
  EXPECT_GE(syntax_errors, 27u);
}

// The scanner's own errors (malformed numbers and addresses) are the parser's
// to report, with libpcap's wording.
TEST(ParseCorpus, ScannerErrorsUseLibpcapWording) {
  const auto entries = load(kCorpus + "/reject");
  size_t checked = 0;
  for (const auto& entry : entries) {
    const bool scanner_error = entry.errstr.find("overflows 32 bits") != std::string::npos ||
                               entry.errstr.find("contains non-") != std::string::npos ||
                               entry.errstr.rfind("invalid IPv6 address ", 0) == 0;
    if (!scanner_error) continue;
    ++checked;
    auto result = parse_filter(entry.expr);
    ASSERT_FALSE(result.ok()) << entry.expr;
    EXPECT_EQ(result.error().message, entry.errstr) << entry.expr;
  }
  EXPECT_GE(checked, 13u);
}

// Not a requirement on the parser: measures how much of the reject corpus
// the parser alone refuses, and checks that whatever it refuses, it refuses
// with libpcap's message.
TEST(ParseCorpus, RejectCorpusCoverage) {
  const auto entries = load(kCorpus + "/reject");
  size_t others = 0, rejected_by_parser = 0;
  for (const auto& entry : entries) {
    if (entry.errstr == kSyntaxError) continue;
    ++others;
    auto result = parse_filter(entry.expr);
    if (result.ok()) continue;
    ++rejected_by_parser;
    EXPECT_EQ(result.error().message, entry.errstr) << entry.file << ": " << entry.expr;
  }
  std::printf("parser alone rejects %zu of %zu non-syntax-error reject entries\n", rejected_by_parser, others);
}

}  // namespace
}  // namespace bpfc

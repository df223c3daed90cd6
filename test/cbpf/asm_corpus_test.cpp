// The assembler over every listing in test/corpus/accept: each parses, prints
// back identically in libpcap master's style (the corpus's), and its
// "; 0x<opcode>" comments, where present, agree with the parsed opcode.
#include <gtest/gtest.h>

#include <sstream>

#include "../runtime/corpus_listings.h"
#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {
namespace {

// A corpus line without its "; comment" and the blanks before it.
std::string_view code_part(std::string_view line) {
  line = line.substr(0, line.find(';'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(AsmCorpus, EveryListingParsesAndPrintsBack) {
  const auto& listings = testing::corpus_listings();
  ASSERT_GT(listings.size(), 3000u);
  size_t comments = 0;
  for (const testing::CorpusListing& listing : listings) {
    auto parsed = parse_program(listing.listing);
    ASSERT_TRUE(parsed.ok()) << listing.where << ": " << parsed.error().message;
    const std::vector<std::string> original = lines_of(listing.listing);
    const std::vector<std::string> printed = lines_of(format_listing(*parsed, ListingStyle::Libpcap1_11));
    ASSERT_EQ(printed.size(), original.size()) << listing.where;
    for (size_t i = 0; i < original.size(); ++i) {
      ASSERT_EQ(printed[i], code_part(original[i])) << listing.where << " line " << i + 1;
      const size_t comment = original[i].find("; 0x");
      if (comment != std::string::npos) {
        EXPECT_EQ(std::stoul(original[i].substr(comment + 2), nullptr, 16), (*parsed)[i].code)
            << listing.where << " line " << i + 1;
        ++comments;
      }
    }
    // And the 1.10 style reads back to the same program.
    auto reparsed = parse_program(format_listing(*parsed));
    ASSERT_TRUE(reparsed.ok()) << listing.where << ": " << reparsed.error().message;
    // 1.10 prints ldx #pktlen as "unimp 0x81", which reads back as the same opcode.
    ASSERT_EQ(*reparsed, *parsed) << listing.where;
  }
  EXPECT_GT(comments, 0u);
}

}  // namespace
}  // namespace bpfc::cbpf

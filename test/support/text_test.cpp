// support/text.h: the ASCII helpers that name lookups, the filter scanner,
// sema and the program-listing readers share.
#include "bpfc/support/text.h"

#include <gtest/gtest.h>

namespace bpfc {
namespace {

TEST(EqualsIgnoringCase, FoldsAsciiLettersOnly) {
  EXPECT_TRUE(equals_ignoring_case("DLT_EN10MB", "dlt_en10mb"));
  EXPECT_TRUE(equals_ignoring_case("", ""));
  EXPECT_FALSE(equals_ignoring_case("ab", "abc"));
  EXPECT_FALSE(equals_ignoring_case("a-b", "a_b"));
  // '@' and '`' sit next to 'A' and 'a': no folding beyond the letters.
  EXPECT_FALSE(equals_ignoring_case("@", "`"));
  EXPECT_FALSE(equals_ignoring_case("[", "{"));
  // Bytes outside ASCII compare as they are (no locale).
  EXPECT_TRUE(equals_ignoring_case("\xc3\x89", "\xc3\x89"));
  EXPECT_FALSE(equals_ignoring_case("\xc3\x89", "\xc3\xa9"));
}

TEST(HexDigitValue, DigitsOfBothCases) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), std::nullopt);
  EXPECT_EQ(hex_digit_value('G'), std::nullopt);
  EXPECT_EQ(hex_digit_value('/'), std::nullopt);
  EXPECT_EQ(hex_digit_value(':'), std::nullopt);
}

TEST(ParseCNumber, BasesAndLimits) {
  using Status = CNumber::Status;
  struct Case {
    const char* text;
    Status status;
    const char* base;
    uint32_t value;
  };
  const Case cases[] = {
      {"", Status::Ok, "decimal", 0},
      {"0", Status::Ok, "octal", 0},
      {"0x", Status::Ok, "hexadecimal", 0},
      {"80", Status::Ok, "decimal", 80},
      {"010", Status::Ok, "octal", 8},
      {"0X1f", Status::Ok, "hexadecimal", 31},
      {"4294967295", Status::Ok, "decimal", 0xffffffffu},
      {"4294967296", Status::Overflow, "decimal", 0},
      {"037777777777", Status::Ok, "octal", 0xffffffffu},
      {"040000000000", Status::Overflow, "octal", 0},
      {"0xffffffff", Status::Ok, "hexadecimal", 0xffffffffu},
      {"0x100000000", Status::Overflow, "hexadecimal", 0},
      {"12a", Status::BadDigit, "decimal", 0},
      {"08", Status::BadDigit, "octal", 0},
      {"0xfg", Status::BadDigit, "hexadecimal", 0},
      // The first problem, left to right, decides.
      {"0037777777778", Status::BadDigit, "octal", 0},
      {"003777777777778", Status::Overflow, "octal", 0},
      // A bad digit is seen before the value it would grow overflows.
      {"040000000008", Status::BadDigit, "octal", 0},
      {"4294967295x", Status::BadDigit, "decimal", 0},
  };
  for (const Case& c : cases) {
    const CNumber n = parse_c_number(c.text);
    EXPECT_EQ(n.status, c.status) << c.text;
    EXPECT_STREQ(n.base_name, c.base) << c.text;
    EXPECT_EQ(n.value, c.value) << c.text;
  }
}

}  // namespace
}  // namespace bpfc

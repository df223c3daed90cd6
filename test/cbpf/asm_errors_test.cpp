// parse_program() errors: the line, what was expected, and a span.
#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {
namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_program(text);
  if (parsed.ok()) return "(parsed)";
  return parsed.error().message;
}

TEST(AsmErrors, Listing) {
  EXPECT_EQ(error_of("(000) ldh [12]\n(001) jeq #0x800 jt 2\n(002) ret #0"),
            "line 2: expected 'jf <target>', found the end of the line");
  EXPECT_EQ(error_of("(000) ldh [12]\n(002) ret #0"),
            "line 2: instructions are numbered from 0 in order: expected (1), found (2)");
  EXPECT_EQ(error_of("(000) lod [12]"), "line 1: unknown instruction 'lod'");
  EXPECT_EQ(error_of("(000) tax #1"), "line 1: 'tax' does not take that operand");
  EXPECT_EQ(error_of("(000) ldh [12] junk"), "line 1: expected the end of the instruction, found 'junk'");
  EXPECT_EQ(error_of("(000) ld [vlan]"),
            "line 1: unknown ancillary data name 'vlan' (known: proto, type, ifidx, nla, nlan, mark, "
            "queue, hatype, rxhash, cpu, xor_x, vlan_tci, vlanp, poff, random, vlan_tpid)");
  EXPECT_EQ(error_of("(000) jeq #1 jt 300 jf 1"),
            "line 1: jt target 300 is out of reach: a conditional jump at 0 can only reach "
            "instructions 1 to 256");
  EXPECT_EQ(error_of("(000) ld #0x100000000"), "line 1: expected a number or 'pktlen' after '#', found '0x100000000'");
}

TEST(AsmErrors, Numeric) {
  EXPECT_EQ(error_of("{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 256, 1 },"),
            "line 2: expected jf (0 to 255), found '256, 1 },'");
  EXPECT_EQ(error_of("{ 0x28, 0, 0 0x0000000c },"), "line 1: expected ',' before k, found '0x0000000c },'");
  EXPECT_EQ(error_of("2\n40 0 0 12\n"),
            "line 2: the count on line 1 says 2 instructions, but the text ends after 1");
  EXPECT_EQ(error_of("1\n40 0 0 12\n6 0 0 0\n"),
            "line 3: the count on line 1 says 1 instructions, but there are more");
  EXPECT_EQ(error_of("1\n40 0 0\n"), "line 2: expected k (0 to 4294967295), found the end of the line");
  EXPECT_EQ(error_of("hello"),
            "line 1: expected a tcpdump -d listing line like '(000) ldh [12]', a -dd line like "
            "'{ 0x28, 0, 0, 0x0000000c },' or the instruction count that starts -ddd output, "
            "found 'hello'");
}

TEST(AsmErrors, SpanCoversTheOffendingText) {
  const std::string text = "(000) ldh [12]\n(001) ret #0 junk\n";
  auto parsed = parse_program(text);
  ASSERT_FALSE(parsed.ok());
  ASSERT_TRUE(parsed.error().span);
  const SourceSpan span = *parsed.error().span;
  EXPECT_EQ(text.substr(span.begin, span.end - span.begin), "junk");
}

}  // namespace
}  // namespace bpfc::cbpf

// parse_program() errors: what was expected, and a span that gives the line
// and column.
#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {
namespace {

// "LINE:COLUMN: message", as render_diagnostic locates the error.
std::string error_of(std::string_view text) {
  auto parsed = parse_program(text);
  if (parsed.ok()) return "(parsed)";
  DiagnosticStyle style;
  style.file_name = "p";
  std::string rendered = render_diagnostic(parsed.error(), text, style);
  rendered = rendered.substr(0, rendered.find('\n'));
  const std::string error_word = " error: ";
  const size_t word = rendered.find(error_word);
  // "p:2:17: error: message" -> "2:17: message"; "p: error: message" -> "p: message"
  if (word == 2) return "p: " + rendered.substr(word + error_word.size());
  return rendered.substr(2, word - 3) + ": " + rendered.substr(word + error_word.size());
}

TEST(AsmErrors, Listing) {
  EXPECT_EQ(error_of("(000) ldh [12]\n(001) jeq #0x800 jt 2\n(002) ret #0"),
            "2:22: expected 'jf <target>', found the end of the line");
  EXPECT_EQ(error_of("(000) ldh [12]\n(002) ret #0"),
            "2:1: instructions are numbered from 0 in order: expected (1), found (2)");
  EXPECT_EQ(error_of("(000) lod [12]"), "1:1: unknown instruction 'lod'");
  EXPECT_EQ(error_of("(000) tax #1"), "1:1: 'tax' does not take that operand");
  EXPECT_EQ(error_of("(000) ldh [12] junk"), "1:16: expected the end of the instruction, found 'junk'");
  EXPECT_EQ(error_of("(000) ld [vlan]"),
            "1:1: unknown ancillary data name 'vlan' (known: proto, type, ifidx, nla, nlan, mark, "
            "queue, hatype, rxhash, cpu, xor_x, vlan_tci, vlanp, poff, random, vlan_tpid)");
  EXPECT_EQ(error_of("(000) jeq #1 jt 300 jf 1"),
            "1:1: jt target 300 is out of reach: a conditional jump at 0 can only reach "
            "instructions 1 to 256");
  EXPECT_EQ(error_of("(000) ld #0x100000000"), "1:11: expected a number or 'pktlen' after '#', found '0x100000000'");
  // A long rest of the line is quoted in part (the rendered line shows it).
  EXPECT_EQ(error_of("(000) ret #0 " + std::string(100, 'x')),
            "1:14: expected the end of the instruction, found '" + std::string(60, 'x') + "...'");
}

TEST(AsmErrors, Numeric) {
  EXPECT_EQ(error_of("{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 256, 1 },"),
            "2:12: expected jf (0 to 255), found '256, 1 },'");
  EXPECT_EQ(error_of("{ 0x28, 0, 0 0x0000000c },"), "1:14: expected ',' before k, found '0x0000000c },'");
  EXPECT_EQ(error_of("2\n40 0 0 12\n"), "2:10: the count on line 1 says 2 instructions, but the text ends after 1");
  EXPECT_EQ(error_of("1\n40 0 0 12\n6 0 0 0\n"), "3:1: the count on line 1 says 1 instructions, but there are more");
  EXPECT_EQ(error_of("1\n40 0 0\n"), "2:7: expected k (0 to 4294967295), found the end of the line");
  EXPECT_EQ(error_of("hello"),
            "1:1: expected a tcpdump -d listing line like '(000) ldh [12]', a -dd line like "
            "'{ 0x28, 0, 0, 0x0000000c },', the instruction count that starts -ddd output or "
            "bpfc's JSON, found 'hello'");
}

TEST(AsmErrors, Json) {
  EXPECT_EQ(error_of("{\"instructions\": [\n  {\"code\": 6, \"jt\": 0, \"jf\": 0, \"k\": 0},\n]}"),
            "3:1: not valid JSON: syntax error while parsing value - unexpected ']'; expected '[', '{', or a literal");
  EXPECT_EQ(error_of("{\"length\": 1}"),
            "p: expected an object with an \"instructions\" array, as `bpfc compile --format=json` writes it");
  EXPECT_EQ(error_of("{\"instructions\": [\n {\"code\": 40, \"jt\": 0, \"jf\": 0, \"k\": 12},\n"
                     "  {\"code\": 21, \"jt\": 256, \"jf\": 0, \"k\": 2048}]}"),
            "3:3: instruction 1: \"jt\" must be a whole number from 0 to 255");
  EXPECT_EQ(error_of("{\"instructions\": [{\"code\": 6, \"jt\": 0, \"jf\": 0}]}"),
            "1:19: instruction 0: \"k\" must be a whole number from 0 to 4294967295");
  EXPECT_EQ(error_of("{\"instructions\": [{\"code\": -6, \"jt\": 0, \"jf\": 0, \"k\": 0}]}"),
            "1:19: instruction 0: \"code\" must be a whole number from 0 to 65535");
  EXPECT_EQ(error_of("{\"instructions\": [{\"code\": 6.5, \"jt\": 0, \"jf\": 0, \"k\": 0}]}"),
            "1:19: instruction 0: \"code\" must be a whole number from 0 to 65535");
  EXPECT_EQ(error_of("{\"instructions\": [6]}"),
            "1:19: instruction 0: expected an object {\"code\": ..., \"jt\": ..., \"jf\": ..., \"k\": ...}");
  EXPECT_EQ(error_of("{\"length\": 2, \"instructions\": [{\"code\": 6, \"jt\": 0, \"jf\": 0, \"k\": 0}]}"),
            "p: \"length\" is 2, but there are 1 instructions");
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

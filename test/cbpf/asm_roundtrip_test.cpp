// parse_program() reads back what the printers write.
#include <gtest/gtest.h>

#include "../runtime/cbpf_program_generator.h"
#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {
namespace {

using testing::ProgramGenerator;

// The instruction as a listing shows it: fields bpf_image() does not print
// are 0 (see format.h).
Insn as_listed(Insn insn, ListingStyle style) {
  const bool branches = insn_class(insn.code) == JMP && insn_op(insn.code) != JA;
  if (!branches) insn.jt = insn.jf = 0;
  bool prints_k = false;
  switch (insn.code) {
    case RET | K: case LD | W | ABS: case LD | H | ABS: case LD | B | ABS:
    case LD | W | IND: case LD | H | IND: case LD | B | IND: case LD | IMM: case LDX | IMM:
    case LDX | B | MSH: case LD | MEM: case LDX | MEM: case ST: case STX: case JMP | JA:
    case JMP | JGT | K: case JMP | JGE | K: case JMP | JEQ | K: case JMP | JSET | K:
    case ALU | ADD | K: case ALU | SUB | K: case ALU | MUL | K: case ALU | DIV | K:
    case ALU | MOD | K: case ALU | AND | K: case ALU | OR | K: case ALU | XOR | K:
    case ALU | LSH | K: case ALU | RSH | K:
      prints_k = true;
      break;
    default:
      break;
  }
  (void)style;
  if (!prints_k) insn.k = 0;
  return insn;
}

Program random_program(ProgramGenerator& gen) {
  Program p;
  for (uint32_t n = gen.below(40); n > 0; --n) p.push_back(gen.any_insn());
  return p;
}

TEST(AsmRoundTrip, CArrayDecimalAndJsonKeepEveryField) {
  ProgramGenerator gen(1);
  for (int i = 0; i < 3000; ++i) {
    const Program p = random_program(gen);
    for (const std::string& text : {format_c_array(p), format_decimal(p), format_json(p)}) {
      auto parsed = parse_program(text);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << text;
      ASSERT_EQ(*parsed, p) << text;
    }
  }
}

TEST(AsmRoundTrip, ListingKeepsEveryPrintedField) {
  ProgramGenerator gen(2);
  for (int i = 0; i < 3000; ++i) {
    const Program raw = random_program(gen);
    for (ListingStyle style : {ListingStyle::Libpcap1_10, ListingStyle::Libpcap1_11}) {
      Program p;
      for (const Insn& insn : raw) p.push_back(as_listed(insn, style));
      const std::string text = format_listing(p, style);
      auto parsed = parse_program(text);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << text;
      ASSERT_EQ(*parsed, p) << text;
      // Printing what was read gives the same text (also for raw, whose
      // unprinted fields are dropped).
      ASSERT_EQ(format_listing(*parsed, style), text);
      ASSERT_EQ(format_listing(raw, style), text);
    }
  }
}

TEST(AsmRoundTrip, ValidProgramsRoundTripInEveryForm) {
  ProgramGenerator gen(3);
  for (int i = 0; i < 800; ++i) {
    const Program p = gen.valid_program(200);
    for (const std::string& text : {format_listing(p), format_listing(p, ListingStyle::Libpcap1_11),
                                    format_c_array(p), format_decimal(p), format_json(p)}) {
      auto parsed = parse_program(text);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << text;
      ASSERT_EQ(*parsed, p) << text;
    }
  }
}

TEST(AsmRoundTrip, Tolerance) {
  const Program expected = {stmt(LD | H | ABS, 12), jump(JMP | JEQ | K, 0x800, 0, 1),
                            stmt(RET | K, 262144), stmt(RET | K, 0)};
  // Comments, blank lines, CRLF, extra blanks, decimal for hex and vice versa.
  const char* listing =
      "\n"
      "(000) ldh      [12]                               ; 0x0028\r\n"
      "  (001)   jeq #2048 jt 2 jf 3\n"
      "\n"
      "(002) ret #0x40000   \n"
      "(003) ret      #0";
  auto parsed = parse_program(listing);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, expected);

  parsed = parse_program("{ 0x28, 0, 0, 0x0000000c },\n{0x15,0,1,2048},\n { 6, 0, 0, 0x40000 }\n{ 0x6, 0, 0, 0 },");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, expected);

  parsed = parse_program("4\n40 0 0 12\n\n21 0 1 2048\r\n6 0 0 262144\n6 0 0 0");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, expected);

  // Symbolic ancillary offsets and the spacing-free forms.
  parsed = parse_program("(000) ld [vlan_tci]\n(001) ldb [x+-1]\n(002) ldxb 4 * ( [14] & 0xf )\n"
                         "(003) ja 4\n(004) ret");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, (Program{stmt(LD | W | ABS, 0xfffff02c), stmt(LD | B | IND, 0xffffffff),
                              stmt(LDX | B | MSH, 14), stmt(JMP | JA, 0), stmt(RET | RET_A, 0)}));

  EXPECT_TRUE(parse_program("").ok());
  EXPECT_TRUE(parse_program(" \n\n")->empty());
}

TEST(AsmRoundTrip, JsonIsToldApartFromACArray) {
  const Program p = {stmt(LD | H | ABS, 12), jump(JMP | JEQ | K, 0x800, 0, 1), stmt(RET | K, 262144),
                     stmt(RET | K, 0)};
  // Compact, reordered members, extra members, no "length", no "text".
  auto parsed = parse_program(
      "  {\"instructions\":[{\"k\":12,\"jf\":0,\"jt\":0,\"code\":40,\"note\":[1,{}]},"
      "{\"code\":21,\"jt\":0,\"jf\":1,\"k\":2048},{\"code\":6,\"jt\":0,\"jf\":0,\"k\":262144},"
      "{\"code\":6,\"jt\":0,\"jf\":0,\"k\":0}],\"producer\":\"hand\"}");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, p);
  parsed = parse_program("\n{\n\n  \"length\": 0,\n  \"instructions\": []\n}\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->empty());
  parsed = parse_program("{}");
  EXPECT_FALSE(parsed.ok());
  // -dd text still reads as -dd.
  parsed = parse_program("{ 0x28, 0, 0, 0x0000000c },\n{0x15,0,1,2048},\n{ 6, 0, 0, 0x40000 },\n{ 0x6, 0, 0, 0 },");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, p);
}

// Each instruction's origin is the text it was read from, in every form.
TEST(AsmRoundTrip, OriginsPointAtEachInstruction) {
  ProgramGenerator gen(4);
  for (int i = 0; i < 200; ++i) {
    const Program p = gen.valid_program(30);
    for (const std::string& text : {format_listing(p), format_c_array(p), format_decimal(p), format_json(p)}) {
      auto parsed = parse_program_with_origins(text);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << text;
      ASSERT_EQ(parsed->program, p);
      ASSERT_EQ(parsed->origins.size(), p.size()) << text;
      for (size_t pc = 0; pc < p.size(); ++pc) {
        const SourceSpan span = parsed->origins[pc];
        const std::string written = text.substr(span.begin, span.end - span.begin);
        // Read alone, the instruction's text is that instruction.
        Insn alone;
        if (text.starts_with("(")) {
          ASSERT_EQ(written, format_insn(p[pc], static_cast<uint32_t>(pc)));
          continue;
        }
        if (text.starts_with("{\n")) {
          auto one = parse_program("{\"instructions\": [" + written + "]}");
          ASSERT_TRUE(one.ok()) << written;
          alone = one->at(0);
        } else if (text.starts_with("{")) {
          auto one = parse_program(written);
          ASSERT_TRUE(one.ok()) << written;
          alone = one->at(0);
        } else {
          auto one = parse_program("1\n" + written);
          ASSERT_TRUE(one.ok()) << written;
          alone = one->at(0);
        }
        ASSERT_EQ(alone, p[pc]) << written;
      }
    }
  }
}

TEST(AsmRoundTrip, BackwardJumpTargets) {
  // libpcap's protochain code jumps backwards; the listing shows the target pc.
  const Program p = {stmt(LD | IMM, 0), stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffffe), stmt(RET | K, 0)};
  EXPECT_EQ(format_insn(p[2], 2), "(002) ja       1");
  auto parsed = parse_program(format_listing(p));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, p);
}

}  // namespace
}  // namespace bpfc::cbpf

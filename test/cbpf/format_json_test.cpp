// format_json(): valid JSON holding every field and the -d text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../runtime/cbpf_program_generator.h"
#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {
namespace {

TEST(FormatJson, Layout) {
  const Program p = {stmt(LD | H | ABS, 12), jump(JMP | JEQ | K, 0x800, 0, 1), stmt(RET | K, 262144),
                     stmt(RET | K, 0)};
  EXPECT_EQ(format_json(p),
            "{\n"
            "  \"length\": 4,\n"
            "  \"instructions\": [\n"
            "    {\"code\": 40, \"jt\": 0, \"jf\": 0, \"k\": 12, \"text\": \"(000) ldh      [12]\"},\n"
            "    {\"code\": 21, \"jt\": 0, \"jf\": 1, \"k\": 2048, \"text\": \"(001) jeq      #0x800"
            "           jt 2\\tjf 3\"},\n"
            "    {\"code\": 6, \"jt\": 0, \"jf\": 0, \"k\": 262144, \"text\": \"(002) ret      #262144\"},\n"
            "    {\"code\": 6, \"jt\": 0, \"jf\": 0, \"k\": 0, \"text\": \"(003) ret      #0\"}\n"
            "  ]\n"
            "}\n");
  EXPECT_EQ(nlohmann::json::parse(format_json({})),
            nlohmann::json::parse(R"({"length": 0, "instructions": []})"));
}

TEST(FormatJson, CarriesEveryFieldOfRandomPrograms) {
  testing::ProgramGenerator gen(5);
  for (int i = 0; i < 500; ++i) {
    Program p;
    for (uint32_t n = gen.below(30); n > 0; --n) p.push_back(gen.any_insn());
    const nlohmann::json doc = nlohmann::json::parse(format_json(p));
    ASSERT_EQ(doc["length"], p.size());
    ASSERT_EQ(doc["instructions"].size(), p.size());
    for (uint32_t pc = 0; pc < p.size(); ++pc) {
      const auto& insn = doc["instructions"][pc];
      EXPECT_EQ(insn["code"], p[pc].code);
      EXPECT_EQ(insn["jt"], p[pc].jt);
      EXPECT_EQ(insn["jf"], p[pc].jf);
      EXPECT_EQ(insn["k"], p[pc].k);
      EXPECT_EQ(insn["text"], format_insn(p[pc], pc));
    }
  }
}

}  // namespace
}  // namespace bpfc::cbpf

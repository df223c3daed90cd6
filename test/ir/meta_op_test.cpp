// ir::Op::Meta, the kernel packet metadata (ir/README.md, "Kernel packet
// metadata"): its textual form, the verifier's legality rule, the reference
// interpreter with and without the metadata, and the cBPF backend's
// ancillary loads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/kernel_metadata.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::ir {
namespace {

// ret (meta.KIND == k) ? 7 : 0
Function equals_test(MetaKind kind, uint32_t k) {
  Function f;
  Builder b(f);
  BlockId entry = b.new_block(), yes = b.new_block(), no = b.new_block();
  b.set_block(entry);
  ValueId field = b.meta(kind);  // v0
  b.branch(Cond::Eq, field, b.constant(k), yes, no);
  b.set_block(yes);
  b.ret_const(7);
  b.set_block(no);
  b.ret_const(0);
  return f;
}

TEST(MetaOp, TextFormRoundTripsForEveryKind) {
  for (uint32_t k = 0; k < kMetaKindCount; ++k) {
    const auto kind = static_cast<MetaKind>(k);
    const std::string text = print(equals_test(kind, 3));
    EXPECT_NE(text.find(std::string("meta.") + meta_kind_name(kind)), std::string::npos) << text;
    auto parsed = parse(text);
    ASSERT_TRUE(parsed) << text << parsed.error().message;
    EXPECT_EQ(print(*parsed), text);
    EXPECT_EQ(parsed->values[0].imm, k);
  }
}

TEST(MetaOp, ParserRefusesUnknownKinds) {
  auto parsed = parse("b0:\n  v0 = meta.mark\n  ret v0\n");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("mark"), std::string::npos) << parsed.error().message;
}

TEST(MetaOp, VerifierAcceptsItOnlyWhereTheContextProvidesMetadata) {
  Function f = equals_test(MetaKind::Ifindex, 2);
  EXPECT_EQ(verify(f), std::nullopt);
  EXPECT_EQ(verify(f, {.kernel_metadata = true}), std::nullopt);
  auto problem = verify(f, {.kernel_metadata = false});
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("meta.ifindex"), std::string::npos) << *problem;
  f.values[0].imm = kMetaKindCount;
  ASSERT_TRUE(verify(f));
  EXPECT_NE(verify(f)->find("unknown metadata kind"), std::string::npos);
}

TEST(MetaOp, InterpreterReadsTheMetadataGivenAndRejectsWithoutIt) {
  const std::vector<uint8_t> packet(64, 0);
  for (uint32_t k = 0; k < kMetaKindCount; ++k) {
    const auto kind = static_cast<MetaKind>(k);
    Function f = equals_test(kind, 4);
    PacketMetadata metadata;
    metadata[kind] = 4;
    EXPECT_EQ(interpret(f, packet, 64, metadata), 7u) << meta_kind_name(kind);
    metadata[kind] = 5;
    EXPECT_EQ(interpret(f, packet, 64, metadata), 0u) << meta_kind_name(kind);
    // Another field present does not stand in for this one.
    PacketMetadata other;
    other[static_cast<MetaKind>((k + 1) % kMetaKindCount)] = 4;
    EXPECT_EQ(interpret(f, packet, 64, other), 0u) << meta_kind_name(kind);
  }
  // Absent metadata ends the filter with 0: `ret meta.pkttype` returns 0,
  // not a made-up value of the field.
  Function f;
  Builder b(f);
  b.set_block(b.new_block());
  b.ret(b.meta(MetaKind::PacketType));
  EXPECT_EQ(interpret(f, packet, 64), 0u);
  PacketMetadata outgoing;
  outgoing[MetaKind::PacketType] = 4;
  EXPECT_EQ(interpret(f, packet, 64, outgoing), 4u);
}

TEST(MetaOp, CbpfBackendEmitsLinuxAncillaryLoads) {
  const std::vector<uint8_t> packet(64, 0);
  for (uint32_t k = 0; k < kMetaKindCount; ++k) {
    const auto kind = static_cast<MetaKind>(k);
    auto program = cbpf::generate(equals_test(kind, 4));
    ASSERT_TRUE(program) << program.error().message;
    const AncillaryField field = ancillary_field(kind);
    const uint16_t size_code = field.size == 1 ? cbpf::B : field.size == 2 ? cbpf::H : cbpf::W;
    bool found = false;
    for (const cbpf::Insn& insn : *program) {
      found |= insn.code == (cbpf::LD | size_code | cbpf::ABS) && insn.k == kSkfAdOff + field.offset;
    }
    EXPECT_TRUE(found) << meta_kind_name(kind);
    // Without the kernel's metadata the load is out of any packet: 0, as
    // the interpreter says.
    EXPECT_EQ(runtime::run_cbpf(*program, packet, 64), 0u);
  }
  EXPECT_EQ(meta_kind_at(kSkfAdOff + 4), MetaKind::PacketType);
  EXPECT_EQ(meta_kind_at(kSkfAdOff + 12), std::nullopt);  // SKF_AD_MARK: not an ir::MetaKind
  EXPECT_EQ(meta_kind_at(8), std::nullopt);
}

}  // namespace
}  // namespace bpfc::ir

// validate_cbpf(): ValidationRules::Libpcap against libpcap's bpf_validate(),
// both rule sets on hand-written cases, and the wording of the errors.
#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "cbpf_program_generator.h"
#include "libpcap_oracle.h"

namespace bpfc::runtime {
namespace {

using namespace cbpf;
using testing::ProgramGenerator;

std::optional<ValidationError> libpcap_rules(const Program& p) {
  return validate_cbpf(p, ValidationRules::Libpcap);
}
std::optional<ValidationError> kernel_rules(const Program& p) {
  return validate_cbpf(p, ValidationRules::LinuxKernel);
}

TEST(ValidateLibpcap, AgreesWithBpfValidateOnRandomPrograms) {
  ProgramGenerator gen(7);
  int rejected = 0;
  constexpr int kPrograms = 40000;
  for (int i = 0; i < kPrograms; ++i) {
    const Program p = i % 4 == 0 ? gen.valid_program() : gen.mutated_program();
    const auto error = libpcap_rules(p);
    ASSERT_EQ(!error.has_value(), testing::libpcap_validate(p))
        << format_c_array(p) << (error ? error->message : "accepted");
    if (error) {
      ++rejected;
      ASSERT_EQ(error->index.has_value(), !p.empty()) << error->describe();
      if (error->index) {
        EXPECT_LT(*error->index, p.size());
      }
      EXPECT_EQ(error->message.find("instruction " + std::to_string(error->index.value_or(0)) + ":"),
                std::string::npos)
          << error->message;
    }
  }
  // Both outcomes must be well represented.
  EXPECT_GT(rejected, kPrograms / 5);
  EXPECT_LT(rejected, kPrograms * 4 / 5);
}

TEST(ValidateLibpcap, ReportsTheFirstBadInstruction) {
  Program p(20, stmt(LD | IMM, 1));
  p[19] = stmt(RET | RET_A, 0);
  p[5] = jump(JMP | JEQ | K, 0, 0, 255);
  p[7] = stmt(ST, 16);
  auto error = libpcap_rules(p);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->index, 5u);
  EXPECT_EQ(error->message,
            "jump target 261 is beyond the end of the program (length 20)");
  p[5] = stmt(JMP | JA, 294);
  EXPECT_EQ(libpcap_rules(p)->message,
            "jump target 300 is beyond the end of the program (length 20)");
  p[5] = stmt(JMP | JA, 0);
  EXPECT_EQ(libpcap_rules(p)->message,
            "scratch memory slot M[16] does not exist (the slots are M[0] to M[15])");
}

TEST(ValidateLibpcap, Messages) {
  EXPECT_EQ(libpcap_rules({})->message,
            "the program is empty (it needs at least a ret instruction)");
  EXPECT_EQ(libpcap_rules({stmt(LD | IMM, 1)})->message,
            "the program must end with a ret instruction (the last one has opcode 0x0)");
  EXPECT_EQ(libpcap_rules({stmt(ALU | DIV | K, 0), stmt(RET | K, 0)})->message,
            "division by the constant 0");
  EXPECT_EQ(libpcap_rules({stmt(ALU | MOD | K, 0), stmt(RET | K, 0)})->message,
            "modulus by the constant 0");
  EXPECT_EQ(libpcap_rules({stmt(LD | 0xc0, 0), stmt(RET | K, 0)})->message,
            "unknown load mode 0xc0 (opcode 0xc0)");
  EXPECT_EQ(libpcap_rules({stmt(ALU | 0xb0, 0), stmt(RET | K, 0)})->message,
            "unknown ALU operation 0xb0 (opcode 0xb4)");
  EXPECT_EQ(libpcap_rules({stmt(JMP | 0x50, 0), stmt(RET | K, 0)})->message,
            "unknown jump operation 0x50 (opcode 0x55)");
}

TEST(ValidateLibpcap, AcceptsWhatLibpcapAcceptsButCannotRun) {
  // bpf_validate looks at the class and mode only: these pass it, and
  // bpf_filter() would abort on them (run_cbpf returns 0).
  EXPECT_FALSE(libpcap_rules({stmt(RET | X, 0)}));       // 0x0e
  EXPECT_FALSE(libpcap_rules({stmt(MISC | 0x40, 0), stmt(RET | K, 1)}));
  EXPECT_FALSE(libpcap_rules({stmt(LDX | W | ABS, 0), stmt(RET | K, 1)}));
  // Backward ja: libpcap's userland supports them (protochain).
  EXPECT_FALSE(libpcap_rules({stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffffe), stmt(RET | K, 1)}));
  EXPECT_TRUE(kernel_rules({stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffffe), stmt(RET | K, 1)}));
}

TEST(ValidateKernel, Messages) {
  EXPECT_EQ(kernel_rules({})->index, std::nullopt);
  // About the whole program: no instruction (4096 would be an arbitrary one).
  EXPECT_EQ(kernel_rules(Program(4097, stmt(RET | K, 0)))->index, std::nullopt);
  EXPECT_EQ(kernel_rules(Program(4097, stmt(RET | K, 0)))->describe(),
            "the program has 4097 instructions; the kernel accepts at most 4096");
  EXPECT_FALSE(kernel_rules(Program(4096, stmt(RET | K, 0))));
  EXPECT_EQ(kernel_rules({stmt(RET | X, 0)})->message,
            "opcode 0xe is not a classic BPF instruction");
  EXPECT_EQ(kernel_rules({stmt(ALU | LSH | K, 32), stmt(RET | K, 0)})->message,
            "shift by the constant 32 (the kernel rejects shifts by 32 or more)");
  EXPECT_FALSE(kernel_rules({stmt(ALU | LSH | K, 31), stmt(RET | K, 0)}));
  EXPECT_EQ(kernel_rules({stmt(LD | B | ABS, 0xfffff000 + 64), stmt(RET | K, 0)})->message,
            "unknown Linux ancillary data offset SKF_AD_OFF + 64");
  EXPECT_TRUE(kernel_rules({stmt(LD | B | ABS, 0xfffff000 + 2), stmt(RET | K, 0)}));
  EXPECT_FALSE(kernel_rules({stmt(LD | W | ABS, 0xfffff000 + 44), stmt(RET | K, 0)}));  // vlan_tci
  EXPECT_FALSE(kernel_rules({stmt(LD | B | ABS, 0xfff00000), stmt(RET | K, 0)}));  // SKF_NET_OFF
  EXPECT_EQ(kernel_rules({stmt(LD | IMM, 0), stmt(RET | 0x08, 0)})->message,
            "opcode 0xe is not a classic BPF instruction");
  EXPECT_EQ(kernel_rules({stmt(LD | IMM, 0)})->message,
            "the program must end with a ret instruction (the last one has opcode 0x0)");
  // A loop (libpcap's protochain code): the kernel reads k unsigned and
  // refuses it; the message names the backward jump and where it goes.
  EXPECT_EQ(kernel_rules({stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffffe), stmt(RET | K, 1)})->message,
            "backward jump to instruction 0 (the kernel allows forward jumps only)");
  EXPECT_EQ(kernel_rules({stmt(JMP | JA, 0xfffffff0), stmt(RET | K, 1)})->message,
            "jump target -15 is before the start of the program");
}

TEST(ValidateKernel, ScratchSlotsMustBeWrittenOnEveryPathBeforeTheyAreRead) {
  const Program one_path_stores = {
      jump(JMP | JEQ | K, 0, 0, 1),  // 0: A == 0 ? 1 : 2
      stmt(ST, 3),                   // 1
      stmt(LD | MEM, 3),             // 2: not stored when coming from 0 directly
      stmt(RET | RET_A, 0),
  };
  auto error = kernel_rules(one_path_stores);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->index, 2u);
  EXPECT_EQ(error->message, "M[3] may be read before anything is stored in it");
  EXPECT_FALSE(libpcap_rules(one_path_stores));

  const Program both_paths_store = {
      stmt(ST, 3), jump(JMP | JEQ | K, 0, 0, 1), stmt(ST, 3), stmt(LD | MEM, 3), stmt(RET | RET_A, 0),
  };
  EXPECT_FALSE(kernel_rules(both_paths_store));
  // Like the kernel, code after a ret inherits what was stored before the ret.
  const Program after_ret = {
      jump(JMP | JEQ | K, 0, 1, 0),  // 0 -> 1 or 2
      stmt(RET | K, 0),              // 1
      stmt(LD | MEM, 0),             // 2: reachable only from 0, which stored nothing
      stmt(RET | RET_A, 0),
  };
  EXPECT_EQ(kernel_rules(after_ret)->index, 2u);
}

TEST(ValidateKernel, StricterThanLibpcapOnRandomPrograms) {
  // Whatever the kernel accepts, libpcap accepts (the opposite does not hold).
  ProgramGenerator gen(11);
  for (int i = 0; i < 20000; ++i) {
    const Program p = gen.mutated_program();
    if (!kernel_rules(p)) {
      ASSERT_FALSE(libpcap_rules(p)) << format_c_array(p);
    }
  }
}

}  // namespace
}  // namespace bpfc::runtime

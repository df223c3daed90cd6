// The printers against the tools they imitate: the -dd array compiled by gcc
// against linux/bpf.h gives encode()'s bytes, and the listing of a program
// the kernel loaded is the kernel's own disassembly, as `bpftool prog dump
// xlated` prints it and as the verifier's log shows each instruction.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <sstream>
#include <unistd.h>

#include "bpfc/ebpf/format.h"
#include "sample_programs.h"

namespace bpfc::ebpf {
namespace {

std::string fmt_hex(uint8_t byte) {
  static const char hex[] = "0123456789abcdef";
  return {hex[byte >> 4], hex[byte & 15]};
}

TEST(EbpfFormatExternal, CArrayCompilesToTheEncodedBytes) {
  if (!test::have_tool("gcc")) GTEST_SKIP() << "gcc is not installed";
  Program p{ldx_mem(W, R2, R1, 76), st_mem(H, R10, -32768, INT32_MIN), st_mem(W, R10, 32767, INT32_MAX),
            jmp_imm(JNE, R9, -1, -1), call(kHelperSkbLoadBytes), Insn{0xff, 15, 15, -1, -1}};
  for (const Insn& insn : ld_imm64(R10, 0x8000000000000001ull, kPseudoMapFd)) p.push_back(insn);
  p.push_back(exit_insn());
  test::ScratchDir dir;
  test::write_text(dir / "program.inc", format_c_array(p));
  test::write_text(dir / "main.c",
                   "#include <linux/bpf.h>\n#include <stdio.h>\n"
                   "static const struct bpf_insn program[] = {\n#include \"program.inc\"\n};\n"
                   "int main(void) {\n"
                   "  const unsigned char *b = (const unsigned char *)program;\n"
                   "  for (size_t i = 0; i < sizeof program; ++i) printf(\"%02x\", b[i]);\n"
                   "  return 0;\n}\n");
  const auto built = test::run_command("gcc -std=c11 -Wall -Wextra -Werror -o " + test::quote(dir / "main") + " " +
                                       test::quote(dir / "main.c"));
  ASSERT_EQ(built.status, 0) << built.output;
  const auto ran = test::run_command(test::quote(dir / "main"));
  ASSERT_EQ(ran.status, 0) << ran.output;
  std::string expected;
  for (uint8_t byte : encode(p)) expected += fmt_hex(byte);
  EXPECT_EQ(ran.output, expected);
}

// A socket filter whose instructions the verifier keeps as they are (no
// context fields but the first, no division by a register, no calls, no
// branch it can decide): one of each ALU operation in both widths, loads and
// stores of each size, atomics, and each conditional jump on unknown values.
Program kernel_listing_program() {
  Program p{ldx_mem(W, R9, R1, skb::kLen),  // the kernel rewrites this one
            mov64_reg(R8, R9), alu64_imm(RSH, R8, 3), mov64_imm(R0, 0), mov32_imm(R2, -1),
            mov64_imm(R3, 1), mov32_imm(R4, 2)};
  const uint8_t ops[] = {ADD, SUB, MUL, OR, AND, LSH, RSH, XOR, MOV, ARSH};
  for (uint8_t op : ops) {
    p.push_back(alu64_imm(op, R3, op == LSH || op == RSH || op == ARSH ? 3 : -7));
    p.push_back(alu64_reg(op == MOV ? ADD : op, R3, R8));
    p.push_back(alu32_imm(op, R4, op == LSH || op == RSH || op == ARSH ? 5 : 1000));
    p.push_back(alu32_reg(op == MOV ? ADD : op, R4, R2));
  }
  p.push_back(alu64_imm(DIV, R3, 3));
  p.push_back(alu64_imm(MOD, R3, 5));
  p.push_back(alu32_imm(DIV, R4, 7));
  p.push_back(alu64_imm(NEG, R3, 0));
  p.push_back(alu32_imm(NEG, R4, 0));
  p.push_back(to_be(R3, 16));
  p.push_back(Insn{ALU | END | TO_LE, R3, 0, 0, 64});
  for (const Insn& insn : ld_imm64(R5, 0x123456789abcdef0ull)) p.push_back(insn);
  p.push_back(stx_mem(DW, R10, R5, -8));
  p.push_back(stx_mem(W, R10, R4, -16));
  p.push_back(stx_mem(H, R10, R3, -12));
  p.push_back(stx_mem(B, R10, R3, -10));
  p.push_back(st_mem(B, R10, -9, 7));
  p.push_back(st_mem(H, R10, -24, -2));
  p.push_back(st_mem(W, R10, -20, 3));
  p.push_back(st_mem(DW, R10, -32, 100000));
  p.push_back(ldx_mem(DW, R6, R10, -8));
  p.push_back(ldx_mem(W, R7, R10, -16));
  p.push_back(ldx_mem(H, R7, R10, -12));
  p.push_back(ldx_mem(B, R7, R10, -9));
  p.push_back(Insn{STX | ATOMIC | DW, R10, R6, -8, ADD});
  p.push_back(Insn{STX | ATOMIC | W, R10, R7, -16, OR | 1});
  const uint8_t jumps[] = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};
  for (uint8_t op : jumps) {
    for (const Insn& jump : {jmp_imm(op, R9, 5, 1), jmp_reg(op, R9, R8, 1), jmp32_imm(op, R9, 5, 1),
                             jmp32_reg(op, R9, R8, 1)}) {
      p.push_back(jump);
      p.push_back(alu64_imm(ADD, R0, 1));
    }
  }
  p.push_back(exit_insn());
  return p;
}

TEST(EbpfFormatExternal, ListingIsTheKernelsDisassembly) {
  if (!test::have_tool("bpftool")) GTEST_SKIP() << "bpftool is not installed";
  const Program p = kernel_listing_program();
  std::vector<uint8_t> bytes = encode(p);
  char log[65536] = "";
  LIBBPF_OPTS(bpf_prog_load_opts, options, .log_level = 1, .log_size = sizeof log, .log_buf = log);
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "listing", "GPL",
                               reinterpret_cast<const bpf_insn*>(bytes.data()), p.size(), &options);
  if (fd < 0 && (errno == EPERM || errno == ENOSYS)) GTEST_SKIP() << "bpf() cannot load programs here: " << strerror(errno);
  ASSERT_GE(fd, 0) << strerror(errno) << "\n" << log;
  bpf_prog_info info{};
  uint32_t length = sizeof info;
  ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &length), 0);
  const auto dumped = test::run_command("bpftool prog dump xlated id " + std::to_string(info.id));
  close(fd);
  ASSERT_EQ(dumped.status, 0) << dumped.output;
  ASSERT_EQ(info.xlated_prog_len, bytes.size()) << "the kernel changed the program's length:\n" << dumped.output;

  std::istringstream kernel(dumped.output), ours(format_listing(p));
  std::string kernel_line, our_line;
  size_t lines = 0;
  while (std::getline(ours, our_line)) {
    ASSERT_TRUE(std::getline(kernel, kernel_line)) << "bpftool stopped before: " << our_line;
    if (lines++ == 0) continue;  // the context load the kernel rewrote
    EXPECT_EQ(our_line, kernel_line);
  }
  EXPECT_FALSE(std::getline(kernel, kernel_line)) << "bpftool printed more: " << kernel_line;
  EXPECT_GT(lines, 100u);
}

// Instructions of the kernel's newer instruction set (cpu v4: sign
// extension, signed division, bswap, gotol; atomics; may_goto) and helper
// calls, which bpftool 7.1's older disassembler does not know: the kernel's
// verifier log prints each instruction it checks with the kernel's own
// disassembler, before any rewriting.
Program newer_instructions_program() {
  Program p{ldx_mem(W, R9, R1, skb::kLen), mov64_reg(R8, R9), alu64_imm(RSH, R8, 3), mov64_imm(R0, 0),
            mov64_imm(R3, 5), mov32_imm(R4, 7)};
  for (int16_t bits : {8, 16, 32}) p.push_back(Insn{ALU64 | MOV | X, R2, R9, bits, 0});
  for (int16_t bits : {8, 16}) p.push_back(Insn{ALU | MOV | X, R2, R9, bits, 0});
  p.push_back(Insn{ALU64 | DIV | K, R3, 0, 1, 3});
  p.push_back(Insn{ALU64 | MOD | K, R3, 0, 1, 5});
  p.push_back(Insn{ALU | DIV | K, R4, 0, 1, 3});
  p.push_back(Insn{ALU | MOD | X, R4, R3, 1, 0});
  p.push_back(Insn{ALU64 | DIV | X, R3, R8, 1, 0});
  for (int32_t bits : {16, 32, 64}) p.push_back(Insn{ALU64 | END, R2, 0, 0, bits});
  p.push_back(stx_mem(DW, R10, R9, -8));
  p.push_back(stx_mem(DW, R10, R9, -16));
  for (uint8_t size : {B, H, W}) p.push_back(Insn{static_cast<uint8_t>(LDX | 0x80 | size), R5, R10, -8, 0});
  p.push_back(Insn{STX | ATOMIC | DW, R10, R4, -8, ADD});
  p.push_back(Insn{STX | ATOMIC | DW, R10, R4, -8, AND | 1});
  p.push_back(Insn{STX | ATOMIC | DW, R10, R4, -8, 0xe1});
  p.push_back(Insn{STX | ATOMIC | DW, R10, R4, -8, 0xf1});
  p.push_back(Insn{STX | ATOMIC | W, R10, R4, -16, OR});
  p.push_back(Insn{STX | ATOMIC | W, R10, R4, -16, XOR | 1});
  p.push_back(Insn{JMP32 | JA, 0, 0, 0, 0});
  p.push_back(call(5));  // bpf_ktime_get_ns
  p.push_back(mov64_imm(R0, 0));
  p.push_back(exit_insn());
  return p;
}

// Loads `p` as a socket filter with the verifier's log on. "" when it loaded,
// else the reason, with the log.
std::string load_with_log(const Program& p, std::string& log) {
  std::vector<uint8_t> bytes = encode(p);
  log.assign(1 << 20, '\0');
  LIBBPF_OPTS(bpf_prog_load_opts, options, .log_level = 2, .log_size = static_cast<uint32_t>(log.size()),
              .log_buf = log.data());
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "listing", "GPL",
                               reinterpret_cast<const bpf_insn*>(bytes.data()), p.size(), &options);
  log.resize(std::strlen(log.c_str()));
  if (fd >= 0) {
    close(fd);
    return "";
  }
  return strerror(errno);
}

// Each "PC: (CODE) TEXT" line of the log (before its "  ; register state")
// is format_insn()'s text for that instruction; every instruction has one.
void expect_log_matches(const Program& p, const std::string& log) {
  std::istringstream in(log);
  std::string line;
  std::vector<bool> seen(p.size(), false);
  while (std::getline(in, line)) {
    const size_t colon = line.find(": (");
    if (colon == 0 || colon == std::string::npos || line.find_first_not_of("0123456789") != colon) continue;
    const size_t pc = std::stoul(line.substr(0, colon));
    ASSERT_LT(pc, p.size()) << line;
    std::string text = line.substr(colon + 2);
    if (const size_t state = text.find(" ; "); state != std::string::npos) text = text.substr(0, state);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    EXPECT_EQ(format_insn(p, pc), text) << line;
    seen[pc] = true;
  }
  for (size_t pc = 0; pc < p.size(); ++pc) {
    if (pc > 0 && is_ld_imm64(p[pc - 1])) continue;
    EXPECT_TRUE(seen[pc]) << "the log does not show instruction " << pc << ":\n" << log;
  }
}

TEST(EbpfFormatExternal, ListingIsTheVerifierLogsDisassembly) {
  std::string probe_log;
  if (const std::string why = load_with_log({mov64_imm(R0, 0), exit_insn()}, probe_log); !why.empty())
    GTEST_SKIP() << "bpf() cannot load programs here: " << why;
  const Program p = newer_instructions_program();
  std::string log;
  const std::string refused = load_with_log(p, log);
  if (!refused.empty() && log.find("unknown opcode") != std::string::npos)
    GTEST_SKIP() << "this kernel predates the cpu v4 instructions under test:\n" << log;
  ASSERT_EQ(refused, "") << log;
  expect_log_matches(p, log);
}

// Instructions of the newest kernels, each in a program of its own: the
// ones this kernel refuses are reported, not compared.
TEST(EbpfFormatExternal, ListingIsTheVerifierLogsDisassemblyForNewestInstructions) {
  std::string probe_log;
  if (const std::string why = load_with_log({mov64_imm(R0, 0), exit_insn()}, probe_log); !why.empty())
    GTEST_SKIP() << "bpf() cannot load programs here: " << why;
  const Program setup{st_mem(DW, R10, -8, 1), mov64_imm(R4, 3)};
  const std::vector<std::pair<const char*, Program>> cases = {
      {"may_goto (6.9)", {Insn{JMP | 0xe0, 0, 0, 0, 0}}},
      {"load_acquire (6.15)", {Insn{STX | ATOMIC | DW, R5, R10, -8, 0x100}}},
      {"store_release (6.15)", {Insn{STX | ATOMIC | W, R10, R4, -8, 0x110}}},
      {"bpf-to-bpf call", {Insn{JMP | CALL, 0, 1, 0, 2}, mov64_imm(R0, 0), exit_insn(), mov64_imm(R0, 1)}},
  };
  std::string refusals;
  for (const auto& [what, insns] : cases) {
    Program p = setup;
    p.insert(p.end(), insns.begin(), insns.end());
    p.push_back(mov64_imm(R0, 0));
    p.push_back(exit_insn());
    std::string log;
    if (const std::string refused = load_with_log(p, log); !refused.empty()) {
      refusals += std::string(what) + ": " + refused + "\n";
      continue;
    }
    SCOPED_TRACE(what);
    expect_log_matches(p, log);
  }
  if (!refusals.empty()) GTEST_SKIP() << "this kernel refused, so these were not compared:\n" << refusals;
}

}  // namespace
}  // namespace bpfc::ebpf

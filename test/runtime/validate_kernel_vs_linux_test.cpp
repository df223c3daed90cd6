// ValidationRules::LinuxKernel against the running kernel: attaching a program
// to a UDP socket with setsockopt(SO_ATTACH_FILTER) runs exactly the checks
// being modelled (no traffic is needed, and no privilege).
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "cbpf_program_generator.h"

namespace bpfc::runtime {
namespace {

using namespace cbpf;
using testing::ProgramGenerator;

class KernelVerdict : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (socket_ < 0) GTEST_SKIP() << "cannot open a UDP socket: " << std::strerror(errno);
    const Program ret_zero = {stmt(RET | K, 0)};
    std::string why;
    if (!attach(ret_zero, &why)) GTEST_SKIP() << "SO_ATTACH_FILTER is not permitted here: " << why;
  }
  void TearDown() override {
    if (socket_ >= 0) ::close(socket_);
  }

  // True when the kernel accepts `p`. EINVAL is a rejection; any other error
  // means the question could not be asked, reported through `why`.
  bool attach(const Program& p, std::string* why) {
    std::vector<sock_filter> filter;
    for (const Insn& insn : p) filter.push_back(sock_filter{insn.code, insn.jt, insn.jf, insn.k});
    sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
    if (::setsockopt(socket_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0) return true;
    if (errno != EINVAL) *why = std::strerror(errno);
    return false;
  }

  // The kernel's verdict: nullopt when it could not be obtained.
  std::optional<bool> kernel_accepts(const Program& p) {
    std::string why;
    const bool accepted = attach(p, &why);
    if (!why.empty()) {
      ADD_FAILURE() << "setsockopt failed with " << why << " for\n" << format_c_array(p);
      return std::nullopt;
    }
    return accepted;
  }

  int socket_ = -1;
};

TEST_F(KernelVerdict, AgreesOnRandomPrograms) {
  ProgramGenerator gen(31337);
  int accepted = 0;
  constexpr int kPrograms = 20000;
  for (int i = 0; i < kPrograms; ++i) {
    const Program p = i % 3 == 0 ? gen.valid_program() : gen.mutated_program();
    const auto ours = validate_cbpf(p, ValidationRules::LinuxKernel);
    const auto kernel = kernel_accepts(p);
    ASSERT_TRUE(kernel.has_value());
    ASSERT_EQ(!ours.has_value(), *kernel)
        << (ours ? ours->message : "we accept") << "\n" << format_c_array(p);
    accepted += *kernel;
  }
  EXPECT_GT(accepted, kPrograms / 5);
  EXPECT_LT(accepted, kPrograms * 4 / 5);
}

TEST_F(KernelVerdict, AgreesOnEdgeCases) {
  const std::vector<Program> cases = {
      {},
      Program(4096, stmt(RET | K, 0)),
      Program(4097, stmt(RET | K, 0)),
      {stmt(ALU | LSH | K, 31), stmt(RET | K, 0)},
      {stmt(ALU | LSH | K, 32), stmt(RET | K, 0)},
      {stmt(ALU | RSH | K, 0xffffffff), stmt(RET | K, 0)},
      {stmt(LD | W | ABS, 0xfffff000 + 60), stmt(RET | K, 0)},   // vlan_tpid
      {stmt(LD | W | ABS, 0xfffff000 + 64), stmt(RET | K, 0)},
      {stmt(LD | H | ABS, 0xfffff000 + 1), stmt(RET | K, 0)},
      {stmt(LD | B | ABS, 0xffffefff), stmt(RET | K, 0)},
      {stmt(LD | B | ABS, 0xfff00000), stmt(RET | K, 0)},
      {stmt(JMP | JA, 0), stmt(RET | K, 0)},
      {stmt(JMP | JA, 1), stmt(RET | K, 0)},
      {stmt(JMP | JA, 0xffffffff), stmt(RET | K, 0)},
      {stmt(RET | K, 0), stmt(LD | MEM, 0), stmt(RET | K, 0)},
      {jump(JMP | JEQ | K, 0, 1, 0), stmt(RET | K, 0), stmt(LD | MEM, 0), stmt(RET | RET_A, 0)},
      {stmt(ST, 1), stmt(JMP | JA, 1), stmt(RET | K, 0), stmt(LDX | MEM, 1), stmt(RET | RET_A, 0)},
      {stmt(LDX | W | LEN, 0), stmt(RET | K, 0)},
      {stmt(0x0e, 0)},
  };
  for (const Program& p : cases) {
    const auto ours = validate_cbpf(p, ValidationRules::LinuxKernel);
    const auto kernel = kernel_accepts(p);
    ASSERT_TRUE(kernel.has_value());
    EXPECT_EQ(!ours.has_value(), *kernel)
        << (ours ? ours->message : "we accept") << "\n" << format_c_array(p);
  }
}

}  // namespace
}  // namespace bpfc::runtime

// What the running Linux kernel says about protochain programs, asked
// directly with SO_ATTACH_FILTER on a UDP socket (no traffic is sent):
// it refuses libpcap's loop and bpfc's (the backward jump), as bpfc's model
// of its rules says, and accepts bpfc's unrolled form.
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"
#include "libpcap_oracle.h"

namespace bpfc::difftest {
namespace {

// 0 when the kernel takes the filter, else errno.
int attach(int socket, const cbpf::Program& p) {
  std::vector<sock_filter> filter;
  for (const cbpf::Insn& insn : p) filter.push_back(sock_filter{insn.code, insn.jt, insn.jf, insn.k});
  sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
  return ::setsockopt(socket, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0 ? 0 : errno;
}

TEST(ProtochainKernel, RefusesTheLoopAndTakesTheUnrolledForm) {
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(s, 0);
  if (attach(s, {cbpf::stmt(cbpf::RET | cbpf::K, 0)}) != 0) {
    ::close(s);
    GTEST_SKIP() << "SO_ATTACH_FILTER is not permitted here";
  }
  OracleResult libpcap = libpcap_compile("ip6 protochain 6", 1, 262144, std::nullopt, true);
  ASSERT_TRUE(libpcap.program) << libpcap.error;
  CompileOptions options;
  auto loop = compile_cbpf("ip6 protochain 6", options);
  options.protochain = ProtochainForm::Unrolled;
  auto unrolled = compile_cbpf("ip6 protochain 6 or ip6 protochain 17", options);
  ASSERT_TRUE(loop.ok() && unrolled.ok());

  EXPECT_EQ(attach(s, *libpcap.program), EINVAL);
  EXPECT_EQ(attach(s, *loop), EINVAL);
  EXPECT_EQ(attach(s, *unrolled), 0);
  // bpfc's model of the kernel's rules agrees.
  EXPECT_TRUE(runtime::validate_cbpf(*libpcap.program, runtime::ValidationRules::LinuxKernel));
  EXPECT_TRUE(runtime::validate_cbpf(*loop, runtime::ValidationRules::LinuxKernel));
  EXPECT_FALSE(runtime::validate_cbpf(*unrolled, runtime::ValidationRules::LinuxKernel));
  ::close(s);
}

}  // namespace
}  // namespace bpfc::difftest

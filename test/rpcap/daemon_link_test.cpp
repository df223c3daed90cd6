// bpfc-rpcapd links no compiler: none of the compiler's, LLVM's, Z3's or
// ANTLR's symbols are in the binary, and no such shared library is needed.
#include <gtest/gtest.h>

#include "../support/process.h"

TEST(DaemonLink, LinksNoCompilerLlvmOrZ3) {
  if (!bpfc::testsupport::program_available("nm")) GTEST_SKIP() << "nm (binutils) is not installed";
  auto symbols = bpfc::testsupport::run_process({"nm", "-C", BPFC_RPCAPD_BINARY});
  ASSERT_EQ(symbols.exit_code, 0) << symbols.err;
  ASSERT_NE(symbols.out.find("bpfc::capture::rpcap::ServerSession"), std::string::npos);
  for (const char* forbidden : {"bpfc::ir::", "bpfc::frontend::", "bpfc::driver::", "bpfc::exec::", "bpfc::compat::",
                                "bpfc::optimizer::", "llvm::", "antlr4::", "z3::", "Z3_"}) {
    EXPECT_EQ(symbols.out.find(forbidden), std::string::npos) << forbidden;
  }
  if (!bpfc::testsupport::program_available("ldd")) return;
  auto libraries = bpfc::testsupport::run_process({"ldd", BPFC_RPCAPD_BINARY});
  ASSERT_EQ(libraries.exit_code, 0) << libraries.err;
  for (const char* forbidden : {"libLLVM", "libz3", "libantlr4", "libfmt"}) {
    EXPECT_EQ(libraries.out.find(forbidden), std::string::npos) << forbidden << " in\n" << libraries.out;
  }
}

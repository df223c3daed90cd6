// LLVM lives in bpfc's LLVM module (bpfc-llvm.so), which bpfc loads only to
// make native code: the program itself needs no libLLVM, the module exports
// one symbol, and without the module native code is a clear error while
// everything else, the default engine included, works as before.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "../support/scratch_dir.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

std::string module_path() {
  const std::string program = bpfc_binary();
  return program.substr(0, program.rfind('/') + 1) + "bpfc-llvm.so";
}

// bpfc with BPFC_LLVM_MODULE set to `module`.
ProcessResult bpfc_with_module(const std::string& module, std::vector<std::string> args) {
  args.insert(args.begin(), {"env", "BPFC_LLVM_MODULE=" + module, bpfc_binary()});
  return testsupport::run_process(args);
}

TEST(LlvmModule, OnlyTheModuleLinksLlvm) {
  if (!testsupport::program_available("ldd") || !testsupport::program_available("nm")) {
    GTEST_SKIP() << "ldd or nm (binutils) is not installed";
  }
  ASSERT_TRUE(file_exists(module_path())) << module_path();
  auto program = testsupport::run_process({"ldd", bpfc_binary()});
  ASSERT_EQ(program.exit_code, 0) << program.err;
  EXPECT_EQ(program.out.find("libLLVM"), std::string::npos) << program.out;
  auto module = testsupport::run_process({"ldd", module_path()});
  ASSERT_EQ(module.exit_code, 0) << module.err;
  EXPECT_NE(module.out.find("libLLVM"), std::string::npos) << module.out;
  // The module's own copies of bpfc's libraries are not exported: the one
  // function the loader looks up is the only bpfc name in its symbol table.
  auto symbols = testsupport::run_process({"nm", "-D", "-C", "--defined-only", module_path()});
  ASSERT_EQ(symbols.exit_code, 0) << symbols.err;
  EXPECT_NE(symbols.out.find("bpfc_llvm_module"), std::string::npos) << symbols.out;
  EXPECT_EQ(symbols.out.find("bpfc::"), std::string::npos) << symbols.out;
}

TEST(LlvmModule, WithoutTheModuleNativeCodeIsAClearErrorAndNoFileIsLeft) {
  testsupport::ScratchDir dir;
  const std::string missing = dir.path() + "/nowhere/bpfc-llvm.so";
  const std::string object = dir.path() + "/web.o";
  auto compiled = bpfc_with_module(missing, {"compile", "--target=llvm", "-o", object, "tcp port 80"});
  EXPECT_EQ(compiled.exit_code, 1) << compiled.err;
  EXPECT_NE(compiled.err.find("cannot load bpfc's LLVM module"), std::string::npos) << compiled.err;
  EXPECT_NE(compiled.err.find(missing), std::string::npos) << compiled.err;
  EXPECT_FALSE(file_exists(object));

  auto jit = bpfc_with_module(missing, {"filter", "--engine=jit", "-r", kSample, "tcp"});
  EXPECT_EQ(jit.exit_code, 1) << jit.err;
  EXPECT_NE(jit.err.find("cannot load bpfc's LLVM module"), std::string::npos) << jit.err;

  // A file that is no module at all.
  const std::string bogus = dir.path() + "/bpfc-llvm.so";
  std::ofstream(bogus) << "not an ELF object\n";
  auto not_elf = bpfc_with_module(bogus, {"compile", "--target=llvm", "-o", object, "tcp port 80"});
  EXPECT_EQ(not_elf.exit_code, 1) << not_elf.err;
  EXPECT_NE(not_elf.err.find(bogus), std::string::npos) << not_elf.err;
  EXPECT_FALSE(file_exists(object));

  // The C header needs no LLVM.
  auto header = bpfc_with_module(missing, {"compile", "--target=llvm", "--emit=header", "tcp port 80"});
  EXPECT_EQ(header.exit_code, 0) << header.err;
  EXPECT_NE(header.out.find("uint32_t bpfc_filter("), std::string::npos) << header.out;
}

TEST(LlvmModule, WithoutTheModuleTheDefaultEngineKeepsInterpreting) {
  // Long enough for the default engine to start compiling: the sample's
  // records a hundred times over (5,400 packets).
  const std::string sample = read_file(kSample);
  ASSERT_GT(sample.size(), 24u);
  testsupport::ScratchDir dir;
  const std::string longer = dir.path() + "/longer.pcap";
  {
    std::ofstream out(longer, std::ios::binary);
    out << sample.substr(0, 24);
    for (int i = 0; i < 100; ++i) out << sample.substr(24);
  }
  const std::string kept_with = dir.path() + "/with.pcap";
  const std::string kept_without = dir.path() + "/without.pcap";
  auto with = bpfc({"filter", "-r", longer, "-w", kept_with, "tcp or udp"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  auto without = bpfc_with_module(dir.path() + "/nowhere.so", {"filter", "-r", longer, "-w", kept_without, "tcp or udp"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.err, with.err);
  EXPECT_NE(with.err.find("5400 packets read"), std::string::npos) << with.err;
  EXPECT_EQ(read_file(kept_without), read_file(kept_with));
}

}  // namespace
}  // namespace bpfc::clitest

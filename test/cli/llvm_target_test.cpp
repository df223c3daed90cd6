// `bpfc compile --target=llvm` as users run it: objects, headers, assembly
// and LLVM IR; several filters in one object; the errors (unknown triple or
// CPU, a symbol that is no C identifier, an unwritable -o, an expression
// that reads kernel metadata) exit 1 or 2 and leave no file behind. And
// `bpfc filter --engine=jit|auto` with --jit-cache.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_helpers.h"
#include "../support/scratch_dir.h"

namespace bpfc::clitest {
namespace {

const std::string kSample = BPFC_TEST_DIR "/../examples/sample.pcap";

using testsupport::ScratchDir;

TEST(LlvmTarget, AnObjectDefinesTheFilterAndItsBatchForm) {
  ScratchDir dir;
  const std::string object = dir.path() + "/web.o";
  auto r = bpfc({"compile", "--target=llvm", "-o", object, "--symbol", "web", "tcp port 80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string bytes = read_file(object);
  ASSERT_GT(bytes.size(), 64u);
  EXPECT_EQ(bytes.substr(0, 4), "\x7f" "ELF");
  EXPECT_NE(bytes.find("web_batch"), std::string::npos);
  // --emit=obj alone means the llvm target.
  auto implied = bpfc({"compile", "--emit=obj", "-o", dir.path() + "/implied.o", "--symbol", "web", "tcp port 80"});
  ASSERT_EQ(implied.exit_code, 0) << implied.err;
  EXPECT_EQ(read_file(dir.path() + "/implied.o"), bytes);
}

TEST(LlvmTarget, TheHeaderDeclaresEverySymbol) {
  auto r = bpfc({"compile", "--emit=header", "--symbol", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("uint32_t web(const uint8_t *packet, uint32_t caplen, uint32_t wirelen);"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("void web_batch(const struct bpfc_packet *packets, uint32_t count, uint32_t *verdicts);"),
            std::string::npos);
  EXPECT_NE(r.out.find("extern \"C\""), std::string::npos);
  auto several = bpfc({"compile", "--emit=header", "web=tcp port 80", "dns=udp port 53"});
  ASSERT_EQ(several.exit_code, 0) << several.err;
  EXPECT_NE(several.out.find("uint32_t web("), std::string::npos);
  EXPECT_NE(several.out.find("uint32_t dns("), std::string::npos);
}

TEST(LlvmTarget, SeveralFiltersGoIntoOneObjectFromWordsOrFiles) {
  ScratchDir dir;
  auto words = bpfc({"compile", "--target=llvm", "--emit=llvm-ir", "web=tcp port 80", "dns=udp port 53"});
  ASSERT_EQ(words.exit_code, 0) << words.err;
  for (const char* symbol : {"@web(", "@web_batch(", "@dns(", "@dns_batch("}) {
    EXPECT_NE(words.out.find(symbol), std::string::npos) << symbol;
  }
  ScratchFile web("tcp port 80  # the web\n"), dns("udp port 53\n");
  auto files = bpfc({"compile", "--target=llvm", "--emit=llvm-ir", "-F", web.path(), "--symbol", "web", "-F",
                     dns.path(), "--symbol", "dns"});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_EQ(files.out, words.out);
  // One symbol per file.
  auto missing = bpfc({"compile", "--target=llvm", "-F", web.path(), "-F", dns.path(), "--symbol", "web"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("give one --symbol per -F file"), std::string::npos) << missing.err;
  // `len=100` is an expression, not a filter named len.
  auto len = bpfc({"compile", "--target=llvm", "--emit=llvm-ir", "len=100"});
  ASSERT_EQ(len.exit_code, 0) << len.err;
  EXPECT_NE(len.out.find("@bpfc_filter("), std::string::npos);
  // A mistake in one filter names that filter's text.
  auto broken = bpfc({"compile", "--target=llvm", "--emit=llvm-ir", "web=tcp port 80", "dns=udp port"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("udp port"), std::string::npos) << broken.err;
  // Two filters of one name.
  auto twice = bpfc({"compile", "--target=llvm", "--emit=llvm-ir", "a=tcp", "a=udp"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("two filters would define the symbol 'a'"), std::string::npos) << twice.err;
}

TEST(LlvmTarget, AssemblyForAnotherMachine) {
  auto r = bpfc({"compile", "--emit=asm", "--triple=aarch64-linux-gnu", "tcp port 80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("bpfc_filter:"), std::string::npos);
  EXPECT_NE(r.out.find("ldrh"), std::string::npos) << r.out;  // an AArch64 halfword load
  auto native = bpfc({"compile", "--emit=asm", "--cpu=native", "tcp port 80"});
  ASSERT_EQ(native.exit_code, 0) << native.err;
}

// A packet's fields are big-endian. On a big-endian machine a load is the
// field's value as it is; on a little-endian one a field that is only
// compared with constants is read in memory order and compared with the
// constant swapped (no byte swap per packet). No emulator for a big-endian
// machine here: the LLVM IR says what is compared.
TEST(LlvmTarget, LoadsFollowTheTargetsByteOrder) {
  const std::string filter = "ether[12:2] = 0x0800 or ether[12:4] & 0xff000000 = 0x86000000";
  auto big = bpfc({"compile", "--emit=llvm-ir", "--triple=powerpc64-linux-gnu", filter});
  ASSERT_EQ(big.exit_code, 0) << big.err;
  EXPECT_EQ(big.out.find("bswap"), std::string::npos) << big.out;
  EXPECT_NE(big.out.find("icmp eq i16 %3, 2048"), std::string::npos) << big.out;  // 0x0800 as it is
  auto little = bpfc({"compile", "--emit=llvm-ir", "--triple=x86_64-linux-gnu", filter});
  ASSERT_EQ(little.exit_code, 0) << little.err;
  EXPECT_EQ(little.out.find("bswap"), std::string::npos) << little.out;
  EXPECT_NE(little.out.find("icmp eq i16 %3, 8"), std::string::npos) << little.out;  // 0x0800 swapped
  // A field compared by size is swapped.
  auto used = bpfc({"compile", "--emit=llvm-ir", "--triple=x86_64-linux-gnu", "ether[12:2] > 1500"});
  ASSERT_EQ(used.exit_code, 0) << used.err;
  EXPECT_NE(used.out.find("bswap"), std::string::npos) << used.out;
}

TEST(LlvmTarget, BadInputIsAClearErrorAndLeavesNoFile) {
  ScratchDir dir;
  const std::string object = dir.path() + "/out.o";
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--triple=potato-pc-linux-gnu"}, 1, "unknown target triple 'potato-pc-linux-gnu'"},
      {{"--cpu=potato"}, 1, "unknown CPU 'potato'"},
      {{"--symbol", "2fast"}, 2, "symbol '2fast' is not a C identifier"},
      {{"--symbol", "a-b"}, 2, "symbol 'a-b' is not a C identifier"},
      {{"--context=linux", "inbound"}, 1, "the filter reads the kernel's packet metadata"},
      {{"tcp port"}, 1, "tcp port"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"compile", "--target=llvm", "-o", object};
    args.insert(args.end(), c.args.begin(), c.args.end());
    if (c.args.back().rfind("--", 0) == 0 || (c.args.size() == 2 && c.args[0] == "--symbol")) {
      args.push_back("tcp port 80");
    }
    auto r = bpfc(args);
    EXPECT_EQ(r.exit_code, c.status) << c.args.front() << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(file_exists(object)) << c.args.front();
  }
  auto unwritable = bpfc({"compile", "--target=llvm", "-o", dir.path() + "/missing/out.o", "tcp"});
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_NE(unwritable.err.find("No such file or directory"), std::string::npos) << unwritable.err;
  auto full = bpfc({"compile", "--target=llvm", "-o", "/dev/full", "tcp"});
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_TRUE(file_exists("/dev/full"));
  auto other_target = bpfc({"compile", "--target=cbpf", "--symbol", "x", "tcp"});
  EXPECT_EQ(other_target.exit_code, 2);
  EXPECT_NE(other_target.err.find("--symbol does not apply to --target=cbpf"), std::string::npos);
}

TEST(NativeEngines, FilterKeepsTheInterpretersPacketsAndTheDiskCacheIsReused) {
  auto reference = bpfc({"filter", "--engine=interp", "-r", kSample, "tcp port 80 or udp"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  ScratchDir dir;
  const std::string cache = dir.path() + "/cache";
  for (const char* engine : {"jit", "auto"}) {
    for (int run = 0; run < 2; ++run) {
      auto r = bpfc({"filter", std::string("--engine=") + engine, "--jit-cache", cache, "-r", kSample,
                     "tcp port 80 or udp"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, reference.out) << engine;
      EXPECT_EQ(r.err, reference.err) << engine;
    }
  }
  // The jit run left the code in the cache; the runs after it found it.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cache)) {
    files += entry.path().extension() == ".code";
  }
  EXPECT_EQ(files, 1u);
  // A cache directory that cannot be made is passed over.
  auto unusable = bpfc({"filter", "--engine=jit", "--jit-cache", "/dev/null/cache", "-r", kSample, "tcp"});
  EXPECT_EQ(unusable.exit_code, 0) << unusable.err;
  // The jit engine cannot run a classic program file.
  auto program = bpfc({"run", "--engine=jit", "-p", "-", "00"}, "(000) ret #1\n");
  EXPECT_EQ(program.exit_code, 2);
  EXPECT_NE(program.err.find("--engine=jit compiles an expression (-e)"), std::string::npos) << program.err;
}

}  // namespace
}  // namespace bpfc::clitest

// The object writer and reader on their own: what is written reads back,
// binutils/LLVM tools and bpftool read the sections, symbols and BTF, and
// the reader turns every kind of damaged or foreign file into an error.
#include <gtest/gtest.h>

#include <random>

#include "bpfc/ebpf/object.h"
#include "sample_programs.h"

namespace bpfc::ebpf {
namespace {

using test::program_for;

constexpr Hook kHooks[] = {Hook::Socket, Hook::Xdp, Hook::Tc, Hook::Func};

std::vector<uint8_t> object_for(Hook hook, const std::string& name = "filter") {
  ObjectOptions options;
  options.hook = hook;
  options.function_name = name;
  auto bytes = write_object(program_for(hook), options);
  if (!bytes.ok()) throw std::runtime_error(bytes.error().message);
  return *bytes;
}

TEST(EbpfObject, WhatIsWrittenReadsBack) {
  for (Hook hook : kHooks) {
    SCOPED_TRACE(std::string(name(hook)));
    const auto contents = read_object(object_for(hook, "my_filter"));
    ASSERT_TRUE(contents.ok()) << contents.error().message;
    ASSERT_EQ(contents->functions.size(), 1u);
    const ObjectFunction& f = contents->functions[0];
    EXPECT_EQ(f.section, section_name(hook));
    EXPECT_EQ(f.name, "my_filter");
    EXPECT_EQ(f.program, program_for(hook));
    EXPECT_FALSE(f.has_relocations);
    // A func object leaves the license to its caller.
    EXPECT_EQ(contents->license, hook == Hook::Func ? "" : kDefaultLicense);
  }
}

TEST(EbpfObject, PrototypesNameTheHooksContext) {
  EXPECT_EQ(function_prototype(Hook::Socket, "f"), "int f(struct __sk_buff *skb)");
  EXPECT_EQ(function_prototype(Hook::Tc, "f"), "int f(struct __sk_buff *skb)");
  EXPECT_EQ(function_prototype(Hook::Xdp, "g"), "int g(struct xdp_md *ctx)");
  EXPECT_EQ(function_prototype(Hook::Func, "filter"), "int filter(const void *data, const void *data_end)");
  EXPECT_EQ(function_prototype(Hook::Func, "filter", PacketAccess::Probe),
            "int filter(const void *data, const void *data_end)");
  EXPECT_EQ(function_prototype(Hook::Func, "filter", PacketAccess::Skb), "int filter(struct __sk_buff *skb)");
}

TEST(EbpfObject, OptionsReachTheObject) {
  ObjectOptions options;
  options.hook = Hook::Xdp;
  options.section = "xdp.frags";
  options.license = "GPL";
  auto bytes = write_object(program_for(Hook::Xdp), options);
  ASSERT_TRUE(bytes.ok());
  const auto contents = read_object(*bytes);
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(contents->functions.at(0).section, "xdp.frags");
  EXPECT_EQ(contents->license, "GPL");

  options = {};
  options.hook = Hook::Func;
  options.license = "Dual MIT/GPL";
  const auto func = read_object(*write_object(program_for(Hook::Func), options));
  ASSERT_TRUE(func.ok());
  EXPECT_EQ(func->license, "Dual MIT/GPL");
}

TEST(EbpfObject, WriterRefusesWhatAnObjectCannotHold) {
  ObjectOptions options;
  EXPECT_FALSE(write_object({}, options).ok());
  for (const std::string& bad : std::vector<std::string>{"", "2fast", "with space", "dash-ed", std::string("nul\0", 4)}) {
    options.function_name = bad;
    const auto result = write_object(program_for(Hook::Socket), options);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_NE(result.error().message.find("C identifier"), std::string::npos);
  }
  options = {};
  options.section = ".BTF";
  EXPECT_FALSE(write_object(program_for(Hook::Socket), options).ok());
  options = {};
  options.license = std::string("GPL\0x", 5);
  EXPECT_FALSE(write_object(program_for(Hook::Socket), options).ok());
}

TEST(EbpfObject, ToolsReadSectionsSymbolsAndBtf) {
  test::ScratchDir dir;
  const bool readelf = test::have_tool("readelf");
  const bool objdump = test::have_tool("llvm-objdump");
  const bool bpftool = test::have_tool("bpftool");
  if (!readelf && !objdump && !bpftool) GTEST_SKIP() << "none of readelf, llvm-objdump, bpftool is installed";
  for (Hook hook : kHooks) {
    SCOPED_TRACE(std::string(name(hook)));
    const auto path = dir / (std::string(name(hook)) + ".o");
    test::write_file(path, object_for(hook));
    if (readelf) {
      const auto r = test::run_command("readelf -W -h -S -s " + test::quote(path));
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_NE(r.output.find("REL (Relocatable file)"), std::string::npos) << r.output;
      EXPECT_NE(r.output.find("Linux BPF"), std::string::npos) << r.output;
      for (const char* section : {".BTF", ".BTF.ext", ".symtab", ".strtab"})
        EXPECT_NE(r.output.find(section), std::string::npos) << section;
      // A func object leaves the license to its caller.
      EXPECT_EQ(r.output.find(" license ") != std::string::npos, hook != Hook::Func) << r.output;
      EXPECT_NE(r.output.find(hook == Hook::Func ? "FUNC    GLOBAL HIDDEN" : "FUNC    GLOBAL DEFAULT"),
                std::string::npos)
          << r.output;
      EXPECT_EQ(r.output.find("Warning"), std::string::npos) << r.output;
    }
    if (objdump) {
      const auto r = test::run_command("llvm-objdump -d " + test::quote(path));
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_NE(r.output.find("file format elf64-bpf"), std::string::npos) << r.output;
      EXPECT_NE(r.output.find("<filter>:"), std::string::npos) << r.output;
      EXPECT_NE(r.output.find("exit"), std::string::npos) << r.output;
    }
    if (bpftool) {
      const auto r = test::run_command("bpftool btf dump file " + test::quote(path));
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_NE(r.output.find("FUNC 'filter' type_id=4 linkage=global"), std::string::npos) << r.output;
      const std::string params = hook == Hook::Func ? "\t'data' type_id=3\n\t'data_end' type_id=3"
                                 : hook == Hook::Xdp ? "\t'ctx' type_id=3"
                                                     : "\t'skb' type_id=3";
      EXPECT_NE(r.output.find(params), std::string::npos) << r.output;
      if (hook != Hook::Func) {
        EXPECT_NE(r.output.find(hook == Hook::Xdp ? "FWD 'xdp_md' fwd_kind=struct" : "FWD '__sk_buff' fwd_kind=struct"),
                  std::string::npos)
            << r.output;
      }
    }
  }
}

// Patches `n` little-endian bytes at `offset`.
void patch(std::vector<uint8_t>& bytes, size_t offset, uint64_t value, int n) {
  for (int i = 0; i < n; ++i) bytes.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t field(const std::vector<uint8_t>& bytes, size_t offset, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(bytes.at(offset + i)) << (8 * i);
  return v;
}

std::string read_error(const std::vector<uint8_t>& bytes) {
  const auto result = read_object(bytes);
  return result.ok() ? std::string("(read)") : result.error().message;
}

TEST(EbpfObject, ReaderNamesWhatIsWrong) {
  const std::vector<uint8_t> good = object_for(Hook::Xdp);
  const uint64_t shoff = field(good, 40, 8);
  auto with = [&](size_t offset, uint64_t value, int n) {
    std::vector<uint8_t> bytes = good;
    patch(bytes, offset, value, n);
    return read_error(bytes);
  };
  EXPECT_EQ(read_error({}), "not an ELF file: it does not start with the ELF magic bytes 7f 45 4c 46");
  EXPECT_EQ(read_error({'#', '!', '/', 'b', 'i', 'n'}), read_error({}));
  EXPECT_EQ(read_error({good.begin(), good.begin() + 20}),
            "truncated ELF file: 20 bytes, shorter than the 64-byte ELF64 header");
  EXPECT_EQ(with(4, 1, 1), "a 32-bit ELF file (ELFCLASS32): eBPF objects are ELF64");
  EXPECT_EQ(with(5, 2, 1), "a big-endian ELF file: bpfc reads little-endian eBPF objects");
  EXPECT_EQ(with(18, 62, 2), "an ELF file for x86-64, not for eBPF (EM_BPF, 247)");
  EXPECT_EQ(with(16, 2, 2), "ELF type 2 is not a relocatable object (ET_REL, 1), what eBPF compilers write");
  EXPECT_EQ(with(40, 0, 8), "the ELF file has no section header table, so no program sections");
  EXPECT_NE(with(40, good.size() + 8, 8).find("past the end"), std::string::npos);
  EXPECT_NE(with(60, 200, 2).find("do not fit"), std::string::npos);
  EXPECT_NE(with(62, 100, 2).find("section name table's index 100"), std::string::npos);
  // Section 2 (the program): its offset, its size, its name.
  const size_t program_header = shoff + 2 * 64;
  EXPECT_NE(with(program_header + 24, good.size(), 8).find("section 2 (offset"), std::string::npos);
  EXPECT_NE(with(program_header + 32, 1ull << 40, 8).find("runs past the end"), std::string::npos);
  EXPECT_NE(with(program_header + 32, 12, 8).find("not a whole number of"), std::string::npos);
  EXPECT_NE(with(program_header, 100000, 4).find("section 2: name offset 100000"), std::string::npos);
  // The symbol table (section 5): entry size, string table link, the symbol's extent.
  const size_t symtab_header = shoff + 5 * 64;
  EXPECT_NE(with(symtab_header + 56, 16, 8).find("ELF64 symbols are 24 bytes"), std::string::npos);
  EXPECT_NE(with(symtab_header + 40, 99, 4).find("string table 99"), std::string::npos);
  const uint64_t symbol = field(good, symtab_header + 24, 8) + 24;
  EXPECT_NE(with(symbol + 16, 1000, 8).find("function 'filter' (offset 0, 1000 bytes)"), std::string::npos);
  EXPECT_NE(with(symbol + 8, 4, 8).find("function 'filter' (offset 4"), std::string::npos);
  EXPECT_NE(with(symbol, 1u << 30, 4).find("symbol 1: name offset"), std::string::npos);
}

// Symbols that all claim the whole section would make the reader copy it
// once per symbol: a small file could ask for gigabytes.
TEST(EbpfObject, ReaderRefusesOverlappingFunctions) {
  std::vector<uint8_t> bytes = object_for(Hook::Socket);
  const uint64_t shoff = field(bytes, 40, 8);
  const size_t symtab_header = shoff + 5 * 64;
  const uint64_t symtab = field(bytes, symtab_header + 24, 8);
  // Move the section headers to make room for 4000 more copies of the
  // function symbol, appended to the symbol table at the end of the file.
  std::vector<uint8_t> headers(bytes.begin() + static_cast<long>(shoff), bytes.end());
  bytes.resize(shoff);
  const std::vector<uint8_t> symbol(bytes.begin() + static_cast<long>(symtab) + 24,
                                    bytes.begin() + static_cast<long>(symtab) + 48);
  const uint64_t new_symtab = bytes.size();
  bytes.insert(bytes.end(), 24, 0);
  for (int i = 0; i < 4001; ++i) bytes.insert(bytes.end(), symbol.begin(), symbol.end());
  const uint64_t new_shoff = bytes.size();
  bytes.insert(bytes.end(), headers.begin(), headers.end());
  patch(bytes, 40, new_shoff, 8);
  patch(bytes, new_shoff + 5 * 64 + 24, new_symtab, 8);
  patch(bytes, new_shoff + 5 * 64 + 32, 24 * 4002, 8);
  EXPECT_NE(read_error(bytes).find("function 'filter' overlaps others"), std::string::npos) << read_error(bytes);
}

// Every prefix of a valid object, and copies with random bytes changed,
// read without a crash (the sanitizer build checks the reads); the prefixes
// are all errors.
TEST(EbpfObject, ReaderSurvivesTruncationAndByteFlips) {
  for (Hook hook : kHooks) {
    const std::vector<uint8_t> good = object_for(hook);
    for (size_t n = 0; n < good.size(); ++n) {
      const auto result = read_object(std::span(good).first(n));
      EXPECT_FALSE(result.ok()) << n;
      if (!result.ok()) {
        EXPECT_FALSE(result.error().message.empty());
      }
    }
    std::mt19937 random(static_cast<uint32_t>(hook) + 1);
    size_t read = 0;
    for (int round = 0; round < 4000; ++round) {
      std::vector<uint8_t> bytes = good;
      const int flips = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < flips; ++i) {
        const size_t at = random() % bytes.size();
        bytes[at] = round % 2 == 0 ? static_cast<uint8_t>(random()) : static_cast<uint8_t>(bytes[at] ^ (1u << (random() % 8)));
      }
      const auto result = read_object(bytes);
      if (result.ok()) {
        ++read;
        for (const ObjectFunction& f : result->functions) EXPECT_LE(f.program.size() * 8, bytes.size());
      } else {
        EXPECT_FALSE(result.error().message.empty());
      }
    }
    // Most flips land in bytes no reader checks (instructions, BTF, padding).
    EXPECT_GT(read, 0u);
  }
}

}  // namespace
}  // namespace bpfc::ebpf

// The object writer. Layout: ELF header, the sections' contents in section
// order (each at its alignment), then the section header table. Section 1 is
// .strtab, which holds the section names and the symbol names both, as
// clang's objects do; serialize() fills it in last, when every name is in.
#include <fmt/format.h>

#include "bpfc/ebpf/object.h"
#include "btf.h"
#include "elf_format.h"

namespace bpfc::ebpf {
namespace {

bool is_identifier(std::string_view s) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.empty() || !alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !digit(c)) return false;
  }
  return true;
}

struct Section {
  std::string name;
  uint32_t type = elf::kShtNull;
  uint64_t flags = 0;
  std::vector<uint8_t> data;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t alignment = 1;
  uint64_t entry_size = 0;
};

// The license section comes last, so that leaving it out (func objects)
// moves no other section.
enum SectionIndex : uint16_t { kNull, kStrtab, kProgram, kBtf, kBtfExt, kSymtab, kLicense, kSectionCount };

std::vector<uint8_t> symbol_table(uint32_t name, uint8_t visibility, uint64_t size) {
  elf::Writer out;
  for (size_t i = 0; i < elf::kSymbolSize; ++i) out.u8(0);  // the null symbol
  out.u32(name);
  out.u8(elf::symbol_info(elf::kStbGlobal, elf::kSttFunc));
  out.u8(visibility);
  out.u16(kProgram);
  out.u64(0);  // value: the function starts its section
  out.u64(size);
  return std::move(out.bytes());
}

std::vector<uint8_t> serialize(std::vector<Section>& sections, const elf::StringTable& strtab,
                               const std::vector<uint32_t>& names) {
  sections[kStrtab].data.assign(strtab.data().begin(), strtab.data().end());
  elf::Writer out;
  out.raw(elf::kMagic);
  out.u8(elf::kClass64);
  out.u8(elf::kData2Lsb);
  out.u8(elf::kVersionCurrent);
  for (int i = 7; i < 16; ++i) out.u8(0);  // OS ABI (System V), ABI version, padding
  out.u16(elf::kTypeRel);
  out.u16(elf::kMachineBpf);
  out.u32(elf::kVersionCurrent);
  out.u64(0);  // e_entry
  out.u64(0);  // e_phoff
  const size_t shoff_at = out.size();
  out.u64(0);  // e_shoff, patched below
  out.u32(0);  // e_flags
  out.u16(elf::kHeaderSize);
  out.u16(0);  // e_phentsize
  out.u16(0);  // e_phnum
  out.u16(elf::kSectionHeaderSize);
  out.u16(static_cast<uint16_t>(sections.size()));
  out.u16(kStrtab);

  std::vector<uint64_t> offsets(sections.size(), 0);
  for (size_t i = 1; i < sections.size(); ++i) {
    out.align(sections[i].alignment);
    offsets[i] = out.size();
    out.raw(sections[i].data);
  }
  out.align(8);
  const uint64_t shoff = out.size();
  for (size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    out.u32(names[i]);
    out.u32(s.type);
    out.u64(s.flags);
    out.u64(0);  // sh_addr
    out.u64(offsets[i]);
    out.u64(s.data.size());
    out.u32(s.link);
    out.u32(s.info);
    out.u64(i == 0 ? 0 : s.alignment);
    out.u64(s.entry_size);
  }
  for (int i = 0; i < 8; ++i) out.bytes()[shoff_at + i] = static_cast<uint8_t>(shoff >> (8 * i));
  return std::move(out.bytes());
}

}  // namespace

std::string function_prototype(Hook hook, std::string_view function, PacketAccess access) {
  const std::string name(function);
  switch (hook) {
    case Hook::Func:
      if (access == PacketAccess::Skb) break;
      return "int " + name + "(const void *data, const void *data_end)";
    case Hook::Xdp: return "int " + name + "(struct xdp_md *ctx)";
    case Hook::Socket:
    case Hook::Tc: break;
  }
  return "int " + name + "(struct __sk_buff *skb)";
}

Result<std::vector<uint8_t>> write_object(const Program& program, const ObjectOptions& options) {
  const std::string section = options.section.empty() ? std::string(section_name(options.hook)) : options.section;
  if (program.empty()) return error("cannot write an object for an empty program");
  if (program.size() > UINT32_MAX / 8)
    return error(fmt::format("a program of {} instructions does not fit an object file", program.size()));
  if (!is_identifier(options.function_name))
    return error(fmt::format("function name '{}' is not a C identifier", options.function_name));
  if (section.find('\0') != std::string::npos) return error("the program's section name holds a NUL byte");
  for (std::string_view reserved : {"license", ".BTF", ".BTF.ext", ".symtab", ".strtab"}) {
    if (section == reserved)
      return error(fmt::format("the program cannot be in section '{}': the object uses it for its own data", section));
  }
  const std::optional<std::string> license =
      options.license ? options.license
                      : options.hook == Hook::Func ? std::nullopt : std::optional<std::string>(kDefaultLicense);
  if (license && license->find('\0') != std::string::npos) return error("the license string holds a NUL byte");
  const std::string source_line =
      options.source_line.empty() ? function_prototype(options.hook, options.function_name, options.access)
                                 : options.source_line;
  if (source_line.find_first_of(std::string_view("\0\n", 2)) != std::string::npos)
    return error("the source line holds a NUL byte or a newline");
  if (options.source_file.find('\0') != std::string::npos) return error("the source file name holds a NUL byte");

  elf::StringTable strtab;
  std::vector<uint32_t> names(kSectionCount, 0);
  std::vector<Section> sections(kSectionCount);
  auto define = [&](SectionIndex index, std::string name, uint32_t type, uint64_t flags, uint64_t alignment) {
    names[index] = strtab.add(name);
    sections[index].name = std::move(name);
    sections[index].type = type;
    sections[index].flags = flags;
    sections[index].alignment = alignment;
  };
  define(kStrtab, ".strtab", elf::kShtStrtab, 0, 1);
  define(kProgram, section, elf::kShtProgbits, elf::kShfAlloc | elf::kShfExecinstr, 8);
  sections[kProgram].data = encode(program);
  btf::FunctionBtf btf = btf::function_btf({options.hook, options.hook != Hook::Func || options.access == PacketAccess::Skb, options.function_name, section, source_line,
                                            options.source_file});
  define(kBtf, ".BTF", elf::kShtProgbits, 0, 4);
  sections[kBtf].data = std::move(btf.btf);
  define(kBtfExt, ".BTF.ext", elf::kShtProgbits, 0, 4);
  sections[kBtfExt].data = std::move(btf.btf_ext);

  define(kSymtab, ".symtab", elf::kShtSymtab, 0, 8);
  const uint8_t visibility = options.hook == Hook::Func && options.hidden ? elf::kStvHidden : elf::kStvDefault;
  sections[kSymtab].data = symbol_table(strtab.add(options.function_name), visibility, program.size() * 8);
  sections[kSymtab].link = kStrtab;
  sections[kSymtab].info = 1;  // index of the first non-local symbol
  sections[kSymtab].entry_size = elf::kSymbolSize;

  if (license) {
    define(kLicense, "license", elf::kShtProgbits, elf::kShfAlloc | elf::kShfWrite, 1);
    sections[kLicense].data.assign(license->begin(), license->end());
    sections[kLicense].data.push_back(0);
  } else {
    sections.resize(kLicense);
    names.resize(kLicense);
  }
  return serialize(sections, strtab, names);
}

}  // namespace bpfc::ebpf

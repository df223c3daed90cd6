// The object reader. Every offset, size and index comes from the file and is
// checked before use; the first inconsistency ends the read with a message
// that names the section or symbol and the numbers involved.
#include <algorithm>
#include <fmt/format.h>

#include "bpfc/ebpf/object.h"
#include "elf_format.h"

namespace bpfc::ebpf {
namespace {

struct SectionHeader {
  uint32_t name = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t entry_size = 0;
};

std::string machine_name(uint64_t machine) {
  switch (machine) {
    case 3: return "i386";
    case 40: return "ARM";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    default: return fmt::format("machine {}", machine);
  }
}

class ObjectReader {
 public:
  explicit ObjectReader(std::span<const uint8_t> bytes) : in_(bytes) {}

  Result<ObjectContents> read() {
    if (auto e = header()) return *e;
    if (auto e = section_headers()) return *e;
    ObjectContents contents;
    for (size_t i = 1; i < sections_.size(); ++i) {
      auto name = section_name(i);
      if (!name.ok()) return name.errors();
      names_.push_back(*name);
    }
    for (size_t i = 1; i < sections_.size(); ++i) {
      const SectionHeader& s = sections_[i];
      if (names_[i - 1] == "license" && s.type == elf::kShtProgbits) {
        std::span<const uint8_t> text = in_.slice(s.offset, s.size);
        const auto end = std::find(text.begin(), text.end(), uint8_t{0});
        contents.license.assign(text.begin(), end);
      }
    }
    if (auto e = functions(contents)) return *e;
    return contents;
  }

 private:
  std::optional<Diagnostic> header() {
    if (in_.size() < 4 || !std::equal(std::begin(elf::kMagic), std::end(elf::kMagic), in_.slice(0, 4).begin()))
      return error("not an ELF file: it does not start with the ELF magic bytes 7f 45 4c 46");
    if (in_.size() < elf::kHeaderSize)
      return error(fmt::format("truncated ELF file: {} bytes, shorter than the 64-byte ELF64 header", in_.size()));
    const uint64_t cls = *in_.get(4, 1), data = *in_.get(5, 1);
    if (cls != elf::kClass64)
      return error(cls == 1 ? std::string("a 32-bit ELF file (ELFCLASS32): eBPF objects are ELF64")
                            : fmt::format("unknown ELF class {}: eBPF objects are ELF64", cls));
    if (data != elf::kData2Lsb)
      return error(data == 2 ? std::string("a big-endian ELF file: bpfc reads little-endian eBPF objects")
                             : fmt::format("unknown ELF data encoding {}: bpfc reads little-endian eBPF objects", data));
    const uint64_t type = *in_.get(16, 2), machine = *in_.get(18, 2);
    if (machine != elf::kMachineBpf)
      return error(fmt::format("an ELF file for {}, not for eBPF (EM_BPF, 247)", machine_name(machine)));
    if (type != elf::kTypeRel)
      return error(fmt::format("ELF type {} is not a relocatable object (ET_REL, 1), what eBPF compilers write", type));
    shoff_ = *in_.get(40, 8);
    shentsize_ = *in_.get(58, 2);
    shnum_ = *in_.get(60, 2);
    shstrndx_ = *in_.get(62, 2);
    return std::nullopt;
  }

  std::optional<Diagnostic> read_section_header(uint64_t index, SectionHeader& s) {
    const uint64_t at = shoff_ + index * elf::kSectionHeaderSize;
    if (!in_.has(at, elf::kSectionHeaderSize))
      return error(fmt::format("truncated ELF file: section header {} at offset {} runs past the end ({} bytes)",
                               index, at, in_.size()));
    s.name = static_cast<uint32_t>(*in_.get(at, 4));
    s.type = static_cast<uint32_t>(*in_.get(at + 4, 4));
    s.flags = *in_.get(at + 8, 8);
    s.offset = *in_.get(at + 24, 8);
    s.size = *in_.get(at + 32, 8);
    s.link = static_cast<uint32_t>(*in_.get(at + 40, 4));
    s.info = static_cast<uint32_t>(*in_.get(at + 44, 4));
    s.entry_size = *in_.get(at + 56, 8);
    return std::nullopt;
  }

  std::optional<Diagnostic> section_headers() {
    if (shoff_ == 0) return error("the ELF file has no section header table, so no program sections");
    if (shentsize_ != elf::kSectionHeaderSize)
      return error(fmt::format("section header entries of {} bytes: ELF64 has 64", shentsize_));
    if (shoff_ > in_.size())
      return error(fmt::format("truncated ELF file: the section header table starts at offset {}, past the end ({} bytes)",
                               shoff_, in_.size()));
    // More than 0xff00 sections: the count is in section 0's sh_size and
    // the name table's index in its sh_link.
    SectionHeader first;
    if (auto e = read_section_header(0, first)) return e;
    uint64_t count = shnum_ == 0 ? first.size : shnum_;
    if (shstrndx_ == elf::kShnXindex) shstrndx_ = first.link;
    if (count == 0) return error("the ELF file has no sections");
    if (count > (in_.size() - shoff_) / elf::kSectionHeaderSize)
      return error(fmt::format("truncated ELF file: {} section headers of 64 bytes at offset {} do not fit in {} bytes",
                               count, shoff_, in_.size()));
    sections_.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
      if (auto e = read_section_header(i, sections_[i])) return e;
      const SectionHeader& s = sections_[i];
      if (i > 0 && s.type != elf::kShtNobits && s.type != elf::kShtNull && !in_.has(s.offset, s.size))
        return error(fmt::format("truncated ELF file: section {} (offset {}, {} bytes) runs past the end ({} bytes)", i,
                                 s.offset, s.size, in_.size()));
    }
    if (shstrndx_ == 0 || shstrndx_ >= count)
      return error(fmt::format("the section name table's index {} is outside the {} sections", shstrndx_, count));
    if (sections_[shstrndx_].type != elf::kShtStrtab)
      return error(fmt::format("the section name table (section {}) is not a string table", shstrndx_));
    return std::nullopt;
  }

  // The NUL-terminated string at `offset` of string table `table`.
  Result<std::string> string_at(uint64_t table, uint64_t offset, std::string_view what) {
    const SectionHeader& s = sections_[table];
    if (offset >= s.size)
      return error(fmt::format("{}: name offset {} is outside its string table (section {}, {} bytes)", what, offset,
                               table, s.size));
    std::span<const uint8_t> text = in_.slice(s.offset + offset, s.size - offset);
    const auto end = std::find(text.begin(), text.end(), uint8_t{0});
    if (end == text.end())
      return error(fmt::format("{}: its name at offset {} of section {} is not NUL-terminated", what, offset, table));
    return std::string(text.begin(), end);
  }

  Result<std::string> section_name(uint64_t index) {
    return string_at(shstrndx_, sections_[index].name, fmt::format("section {}", index));
  }

  static bool executable(const SectionHeader& s) {
    return s.type == elf::kShtProgbits && (s.flags & elf::kShfExecinstr) != 0 && s.size > 0;
  }

  struct Symbol {
    uint64_t section;
    uint64_t value;
    uint64_t size;
    std::string name;
  };

  // Function symbols, by section and offset.
  Result<std::vector<Symbol>> function_symbols() {
    std::vector<Symbol> symbols;
    for (size_t t = 1; t < sections_.size(); ++t) {
      const SectionHeader& table = sections_[t];
      if (table.type != elf::kShtSymtab) continue;
      if (table.entry_size != elf::kSymbolSize || table.size % elf::kSymbolSize != 0)
        return error(fmt::format("symbol table (section {}): {} bytes in entries of {}; ELF64 symbols are 24 bytes", t,
                                 table.size, table.entry_size));
      if (table.link == 0 || table.link >= sections_.size() || sections_[table.link].type != elf::kShtStrtab)
        return error(fmt::format("symbol table (section {}): its string table {} is not a string table section", t,
                                 table.link));
      for (uint64_t at = table.offset; at < table.offset + table.size; at += elf::kSymbolSize) {
        const uint64_t type = *in_.get(at + 4, 1) & 0x0f;
        const uint64_t section = *in_.get(at + 6, 2);
        if (type != elf::kSttFunc || section == elf::kShnUndef || section >= elf::kShnLoreserve) continue;
        const uint64_t index = (at - table.offset) / elf::kSymbolSize;
        auto name = string_at(table.link, *in_.get(at, 4), fmt::format("symbol {}", index));
        if (!name.ok()) return name.errors();
        if (section >= sections_.size())
          return error(fmt::format("symbol {} ('{}') is in section {}, past the {} sections", index, *name, section,
                                   sections_.size()));
        const SectionHeader& code = sections_[section];
        if (!executable(code)) continue;
        const uint64_t value = *in_.get(at + 8, 8), size = *in_.get(at + 16, 8);
        if (value % 8 != 0 || size % 8 != 0 || value > code.size || size > code.size - value)
          return error(fmt::format(
              "function '{}' (offset {}, {} bytes) is not a whole number of instructions inside section {} ({} bytes)",
              *name, value, size, section, code.size));
        symbols.push_back({section, value, size, std::move(*name)});
      }
    }
    std::sort(symbols.begin(), symbols.end(), [](const Symbol& a, const Symbol& b) {
      return a.section != b.section ? a.section < b.section : a.value < b.value;
    });
    return symbols;
  }

  std::optional<Diagnostic> functions(ObjectContents& contents) {
    auto symbols = function_symbols();
    if (!symbols.ok()) return symbols.error();
    relocated_.assign(sections_.size(), false);
    for (const SectionHeader& r : sections_) {
      if ((r.type == elf::kShtRel || r.type == elf::kShtRela) && r.size > 0 && r.info < sections_.size())
        relocated_[r.info] = true;
    }
    for (size_t i = 1; i < sections_.size(); ++i) {
      const SectionHeader& s = sections_[i];
      if (!executable(s)) continue;
      if (s.size % 8 != 0)
        return error(fmt::format("section {} ('{}') holds {} bytes, not a whole number of 8-byte instructions", i,
                                 names_[i - 1], s.size));
      const bool relocated = relocated_[i];
      std::optional<Diagnostic> overlap;
      auto add = [&](std::string name, uint64_t offset, uint64_t size) {
        // Functions do not overlap, so together they are smaller than the
        // file; symbols that say otherwise would have the reader copy the
        // same bytes over and over.
        decoded_ += size;
        if (decoded_ > in_.size()) {
          overlap = error(fmt::format("function '{}' overlaps others: the symbols describe more code than the file's {} bytes",
                                      name, in_.size()));
          return;
        }
        ObjectFunction f;
        f.section = names_[i - 1];
        f.name = std::move(name);
        f.program = *decode(in_.slice(s.offset + offset, size));
        f.has_relocations = relocated;
        contents.functions.push_back(std::move(f));
      };
      // The symbols are sorted by section: this section's are one run.
      const auto first = std::lower_bound(symbols->begin(), symbols->end(), i,
                                          [](const Symbol& sym, uint64_t section) { return sym.section < section; });
      auto last = first;
      while (last != symbols->end() && last->section == i) ++last;
      if (first == last) add(names_[i - 1], 0, s.size);
      for (auto sym = first; sym != last && !overlap; ++sym) {
        // A symbol without a size runs to the next function or the section's end.
        const uint64_t end = sym + 1 != last ? (sym + 1)->value : s.size;
        add(sym->name, sym->value, sym->size != 0 ? sym->size : end - sym->value);
      }
      if (overlap) return overlap;
    }
    return std::nullopt;
  }

  elf::Reader in_;
  uint64_t shoff_ = 0, shentsize_ = 0, shnum_ = 0, shstrndx_ = 0;
  std::vector<SectionHeader> sections_;
  std::vector<std::string> names_;  // of sections 1..
  std::vector<bool> relocated_;     // by section: a relocation section applies to it
  uint64_t decoded_ = 0;            // bytes of functions read so far
};

}  // namespace

Result<ObjectContents> read_object(std::span<const uint8_t> bytes) { return ObjectReader(bytes).read(); }

}  // namespace bpfc::ebpf

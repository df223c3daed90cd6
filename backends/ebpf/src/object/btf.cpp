// The BTF encoding (Documentation/bpf/btf.rst): a header, the types (ids
// from 1; 0 is void), then the strings they name. .BTF.ext's func_info is
// grouped by section and names the section through .BTF's strings; in an
// object file its insn_off counts bytes.
#include "btf.h"

#include "elf_format.h"

namespace bpfc::ebpf::btf {
namespace {

constexpr uint16_t kMagic = 0xeb9f;
constexpr uint8_t kVersion = 1;
constexpr uint32_t kHeaderSize = 24;

enum Kind : uint32_t { kInt = 1, kPtr = 2, kFwd = 7, kConst = 10, kFunc = 12, kFuncProto = 13 };
constexpr uint32_t kIntSigned = 1;
constexpr uint32_t kLinkageGlobal = 1;

uint32_t info(Kind kind, uint32_t vlen = 0) { return (static_cast<uint32_t>(kind) << 24) | vlen; }

// struct btf_type: name_off, info, then size (INT) or type (the others).
void type(elf::Writer& out, uint32_t name, uint32_t type_info, uint32_t size_or_type) {
  out.u32(name);
  out.u32(type_info);
  out.u32(size_or_type);
}

struct Param {
  uint32_t name;
  uint32_t type;
};

}  // namespace

FunctionBtf function_btf(const FunctionDescription& description) {
  const Hook hook = description.hook;
  elf::StringTable strings;
  elf::Writer types;
  // [1] int
  type(types, strings.add("int"), info(kInt), 4);
  types.u32((kIntSigned << 24) | 32);
  std::vector<Param> params;
  if (!description.takes_skb && hook == Hook::Func) {
    // [2] const void, [3] const void *
    type(types, 0, info(kConst), 0);
    type(types, 0, info(kPtr), 2);
    params = {{strings.add("data"), 3}, {strings.add("data_end"), 3}};
  } else {
    // [2] struct __sk_buff / struct xdp_md, declared only: the kernel knows
    // the context by the struct's name; [3] a pointer to it.
    const bool xdp = hook == Hook::Xdp;  // a func taking a context takes an __sk_buff
    type(types, strings.add(xdp ? "xdp_md" : "__sk_buff"), info(kFwd), 0);
    type(types, 0, info(kPtr), 2);
    params = {{strings.add(xdp ? "ctx" : "skb"), 3}};
  }
  // [4] int (params), [5] the function
  type(types, 0, info(kFuncProto, static_cast<uint32_t>(params.size())), 1);
  for (const Param& p : params) {
    types.u32(p.name);
    types.u32(p.type);
  }
  type(types, strings.add(description.function), info(kFunc, kLinkageGlobal), 4);
  const uint32_t section_name = strings.add(description.section);
  const uint32_t file_name = strings.add(description.source_file);
  const uint32_t line = strings.add(description.source_line);

  FunctionBtf result;
  elf::Writer btf;
  btf.u16(kMagic);
  btf.u8(kVersion);
  btf.u8(0);  // flags
  btf.u32(kHeaderSize);
  btf.u32(0);  // type_off
  btf.u32(static_cast<uint32_t>(types.size()));
  btf.u32(static_cast<uint32_t>(types.size()));  // str_off
  btf.u32(static_cast<uint32_t>(strings.data().size()));
  btf.raw(types.bytes());
  btf.text(strings.data());
  result.btf = std::move(btf.bytes());

  // func_info and line_info: record size, then per section its name, count
  // and records: {insn_off, type_id} and {insn_off, file_name_off,
  // line_off, line << 10 | column}. Without line_info libbpf warns on every
  // load that it is missing.
  elf::Writer func_info;
  func_info.u32(8);
  func_info.u32(section_name);
  func_info.u32(1);
  func_info.u32(0);  // the function starts the section
  func_info.u32(kFunctionTypeId);
  elf::Writer line_info;
  line_info.u32(16);
  line_info.u32(section_name);
  line_info.u32(1);
  line_info.u32(0);
  line_info.u32(file_name);
  line_info.u32(line);
  line_info.u32(1u << 10);  // line 1, column 0
  elf::Writer ext;
  ext.u16(kMagic);
  ext.u8(kVersion);
  ext.u8(0);
  ext.u32(kHeaderSize);
  ext.u32(0);  // func_info_off, from the end of the header
  ext.u32(static_cast<uint32_t>(func_info.size()));
  ext.u32(static_cast<uint32_t>(func_info.size()));  // line_info_off
  ext.u32(static_cast<uint32_t>(line_info.size()));
  ext.raw(func_info.bytes());
  ext.raw(line_info.bytes());
  result.btf_ext = std::move(ext.bytes());
  return result;
}

}  // namespace bpfc::ebpf::btf

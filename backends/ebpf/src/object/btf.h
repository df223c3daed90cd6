// BTF for an object's one function: its prototype in .BTF and, in .BTF.ext,
// the func_info record that ties the instructions at the start of the
// program section to that prototype.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/ebpf/hook.h"

namespace bpfc::ebpf::btf {

// The id of the FUNC type in function_btf()'s .BTF.
inline constexpr uint32_t kFunctionTypeId = 5;

struct FunctionBtf {
  std::vector<uint8_t> btf;      // the .BTF section
  std::vector<uint8_t> btf_ext;  // the .BTF.ext section
};

// What the BTF describes; the strings must be free of NUL bytes.
struct FunctionDescription {
  Hook hook = Hook::Socket;
  bool takes_skb = true;  // the function's one argument is the context (else func's data, data_end)
  std::string_view function;
  std::string_view section;
  std::string_view source_line;  // shown above the first instruction
  std::string_view source_file;
};

FunctionBtf function_btf(const FunctionDescription& description);

}  // namespace bpfc::ebpf::btf

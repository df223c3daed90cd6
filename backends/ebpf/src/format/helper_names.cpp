// Helper names from the kernel's own list: linux/bpf.h's __BPF_FUNC_MAPPER
// names the helpers in the order of their ids (enum bpf_func_id is built from
// it), so the names always match the headers the program was built with.
#include <array>
#include <linux/bpf.h>

#include "bpfc/ebpf/format.h"

namespace bpfc::ebpf {
namespace {

// Older headers write the list as FN(a), FN(b), ...; newer ones put the comma
// into __BPF_FUNC_MAPPER's own expansion. Both make an initializer list.
#define BPFC_HELPER_NAME(x) "bpf_" #x
constexpr const char* kHelperNames[] = {__BPF_FUNC_MAPPER(BPFC_HELPER_NAME)};
#undef BPFC_HELPER_NAME

constexpr size_t kHelperCount = sizeof(kHelperNames) / sizeof(kHelperNames[0]);

}  // namespace

std::string_view helper_name(int32_t id) {
  // Id 0 is "unspec", not a helper.
  if (id <= 0 || static_cast<size_t>(id) >= kHelperCount) return {};
  return kHelperNames[id];
}

}  // namespace bpfc::ebpf

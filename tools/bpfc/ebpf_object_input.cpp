#include "ebpf_object_input.h"

#include <span>

#include "bpfc/ebpf/object.h"
#include "cli_status.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

// libbpf's section names for the hooks (its SEC() table): "socket", "xdp",
// "tc" and their variants; ".text" holds the func hook's function.
std::optional<ebpf::Hook> hook_of_section(const std::string& section) {
  const auto starts = [&section](std::string_view prefix) { return section.rfind(prefix, 0) == 0; };
  if (starts("socket")) return ebpf::Hook::Socket;
  if (starts("xdp")) return ebpf::Hook::Xdp;
  if (starts("tc") || starts("classifier")) return ebpf::Hook::Tc;
  if (section == ".text") return ebpf::Hook::Func;
  return std::nullopt;
}

}  // namespace

std::optional<EbpfObjectInput> read_ebpf_object(const std::string& path) {
  std::string error;
  auto bytes = read_text_input(path, error);
  if (!bytes) {
    report_failure(error);
    return std::nullopt;
  }
  const std::string name = input_display_name(path);
  auto contents = ebpf::read_object(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  if (!contents) {
    report_failure(name + ": " + contents.error().message);
    return std::nullopt;
  }
  if (contents->functions.empty()) {
    report_failure(name + ": the object holds no program");
    return std::nullopt;
  }
  if (contents->functions.size() > 1) {
    std::string names;
    for (const auto& function : contents->functions) names += (names.empty() ? "" : ", ") + function.name;
    report_failure(name + ": the object holds " + std::to_string(contents->functions.size()) + " programs (" +
                   names + "); bpfc runs objects with one");
    return std::nullopt;
  }
  const ebpf::ObjectFunction& function = contents->functions.front();
  if (function.has_relocations) {
    report_failure(name + ": " + function.name +
                   " has relocations (maps or calls into other sections), which bpfc does not apply");
    return std::nullopt;
  }
  auto hook = hook_of_section(function.section);
  if (!hook) {
    report_failure(name + ": section '" + function.section +
                   "' is not a hook bpfc runs (socket, xdp, tc, or .text for a function)");
    return std::nullopt;
  }
  return EbpfObjectInput{function.program, *hook, function.section, function.name, contents->license};
}

}  // namespace bpfc::cli

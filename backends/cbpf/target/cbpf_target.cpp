#include "cbpf_target.h"

#include <cstdlib>
#include <utility>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::cbpf {
namespace {

int listing_level(std::string_view listing) {
  if (listing == "ddd") return 3;
  if (listing == "dd") return 2;
  return 1;
}

}  // namespace

Result<Program> generate_validated(const ir::Function& function) {
  auto program = generate(function);
  if (!program) return program.errors();
  if (auto invalid = runtime::validate_cbpf(*program, runtime::ValidationRules::Libpcap)) {
    return error("internal error: the generated program fails libpcap's validation: " + invalid->describe());
  }
  return program;
}

std::string format_as(const Program& program, std::string_view format, int listing) {
  if (format == "json") {
    std::string json = format_json(program);
    if (json.empty() || json.back() != '\n') json.push_back('\n');
    return json;
  }
  if (listing >= 3) return format_decimal(program);
  if (listing == 2) return format_c_array(program);
  return format_listing(program);
}

void register_target(driver::TargetRegistry& registry) {
  driver::Target target;
  target.name = "cbpf";
  target.description = "classic BPF, as pcap_compile() gives it (tcpdump -d/-dd/-ddd, JSON; run by bpfc filter)";
  target.emits = {driver::Emits::TextListing, driver::Emits::Json, driver::Emits::ExecutableFilter};
  target.options = {
      {"format", "text (a listing) or json", {"text", "json"}},
      {"listing", "the text layout: tcpdump -d, -dd (a C array) or -ddd (decimal)", {"d", "dd", "ddd"}},
  };
  target.emit = [](const ir::Function& function, const CompileOptions& options,
                   const driver::TargetSettings& settings) -> Result<driver::Emitted> {
    auto program = generate_validated(function);
    if (!program) return program.errors();
    driver::Emitted emitted;
    const auto chosen = [&settings](std::string_view option, std::string fallback) {
      auto found = settings.find(option);
      return found == settings.end() ? fallback : found->second;
    };
    emitted.bytes = format_as(*program, chosen("format", "text"), listing_level(chosen("listing", "d")));
    if (auto warning = kernel_refusal_warning(*program, options)) emitted.warnings.push_back(std::move(*warning));
    emitted.instructions = program->size();
    return emitted;
  };
  // A second target of the same name is a build mistake, not a user's.
  if (!registry.add(std::move(target))) std::abort();
}

}  // namespace bpfc::cbpf

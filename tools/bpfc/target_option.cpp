#include "target_option.h"

#include <algorithm>

#include "bpfc/driver/target.h"
#include "cli_status.h"

namespace bpfc::cli {
namespace {

// "cbpf and ir", "a, b and c".
std::string spoken_list(const driver::TargetRegistry& registry) {
  std::string text;
  const auto& all = registry.all();
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) text += i + 1 == all.size() ? " and " : ", ";
    text += all[i].name;
  }
  return text;
}

std::string emits_text(const driver::Target& target) {
  std::string text;
  for (driver::Emits kind : target.emits) text += (text.empty() ? "" : ", ") + std::string(driver::describe(kind));
  return text;
}

std::string option_help(const driver::TargetRegistry& registry) {
  std::string help = "What to compile to (--emit is the same option). The targets:";
  for (const driver::Target& target : registry.all()) {
    help += "\n  " + target.name + (target.name == driver::kDefaultTarget ? " (default)" : "") + ": " +
            target.description + " [" + emits_text(target) + "]";
  }
  return help;
}

}  // namespace

CLI::Option* add_target_option(CLI::App& command, std::string& target) {
  const driver::TargetRegistry& registry = driver::targets();
  std::string type_name;
  for (const driver::Target& known : registry.all()) type_name += (type_name.empty() ? "" : "|") + known.name;
  CLI::Option* option = command.add_option_function<std::string>(
      "--target,--emit",
      [&target, &registry](const std::string& name) {
        if (registry.find(name) == nullptr) {
          throw UsageError("unknown target '" + name + "' (the targets are " + spoken_list(registry) +
                           "; bpfc compile --help describes them)");
        }
        target = name;
      },
      option_help(registry));
  option->type_name(type_name);
  option->default_str(std::string(driver::kDefaultTarget));
  return option;
}

namespace {

// Options the CLI spells its own way (--format, -d/-dd/-ddd).
bool has_own_spelling(const std::string& option) { return option == "format" || option == "listing"; }

}  // namespace

void add_target_specific_options(CLI::App& command, std::map<std::string, std::string>& given) {
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> options;  // name -> help, values
  for (const driver::Target& target : driver::targets().all()) {
    for (const driver::TargetOption& option : target.options) {
      if (has_own_spelling(option.name)) continue;
      auto& [help, values] = options[option.name];
      help += (help.empty() ? "" : "; ") + ("(--target=" + target.name + ") " + option.description);
      for (const std::string& value : option.values) {
        if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
      }
    }
  }
  for (const auto& [name, described] : options) {
    const auto& [help, values] = described;
    std::string type_name;
    for (const std::string& value : values) type_name += (type_name.empty() ? "" : "|") + value;
    command
        .add_option_function<std::string>(
            "--" + name, [&given, name = name](const std::string& value) { given[name] = value; }, help)
        ->type_name(type_name);
  }
}

std::vector<std::string> target_formats() {
  std::vector<std::string> formats = {"text"};
  for (const driver::Target& target : driver::targets().all()) {
    const driver::TargetOption* format = target.find_option("format");
    if (format == nullptr) continue;
    for (const std::string& value : format->values) {
      if (std::find(formats.begin(), formats.end(), value) == formats.end()) formats.push_back(value);
    }
  }
  return formats;
}

}  // namespace bpfc::cli

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

// "obj, llvm-ir, asm and header": every target's "emit" values.
std::string kinds_of(const driver::TargetRegistry& registry) {
  std::vector<std::string> kinds;
  for (const driver::Target& known : registry.all()) {
    if (const driver::TargetOption* emit = known.find_option("emit")) {
      for (const std::string& kind : emit->values) kinds.push_back(kind);
    }
  }
  std::string text;
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (i > 0) text += i + 1 == kinds.size() ? " and " : ", ";
    text += kinds[i];
  }
  return text;
}

std::string option_help(const driver::TargetRegistry& registry) {
  std::string help = "What to compile to. The targets:";
  for (const driver::Target& target : registry.all()) {
    help += "\n  " + target.name + (target.name == driver::kDefaultTarget ? " (default)" : "") + ": " +
            target.description + " [" + emits_text(target) + "]";
  }
  return help;
}

}  // namespace

void add_target_option(CLI::App& command, std::string& target, std::map<std::string, std::string>& given) {
  const driver::TargetRegistry& registry = driver::targets();
  std::string type_name;
  for (const driver::Target& known : registry.all()) type_name += (type_name.empty() ? "" : "|") + known.name;
  CLI::Option* option = command.add_option_function<std::string>(
      "--target",
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

  std::string kinds;
  for (const driver::Target& known : registry.all()) {
    if (const driver::TargetOption* emit = known.find_option("emit")) {
      for (const std::string& kind : emit->values) kinds += (kinds.empty() ? "" : "|") + kind;
    }
  }
  command
      .add_option_function<std::string>(
          "--emit",
          [&target, &given, &registry](const std::string& kind) {
            if (registry.find(kind) != nullptr) {
              target = kind;
              return;
            }
            bool known = false;
            for (const driver::Target& one : registry.all()) {
              const driver::TargetOption* emit = one.find_option("emit");
              if (emit == nullptr) continue;
              for (const std::string& value : emit->values) known = known || value == kind;
            }
            if (!known) {
              throw UsageError("unknown --emit '" + kind + "' (a target's name, as for --target, or what the llvm "
                               "target writes: " + std::string(kinds_of(registry)) + ")");
            }
            given["emit"] = kind;
          },
          "What to write: " + kinds + " (for --target=llvm, which --emit=KIND alone implies), or a target's name "
          "as for --target")
      ->type_name(type_name + "|" + kinds);
}

const driver::Target* target_emitting(std::string_view kind) {
  const driver::Target* found = nullptr;
  for (const driver::Target& one : driver::targets().all()) {
    const driver::TargetOption* emit = one.find_option("emit");
    if (emit == nullptr) continue;
    for (const std::string& value : emit->values) {
      if (value != kind) continue;
      if (found != nullptr) return nullptr;
      found = &one;
    }
  }
  return found;
}

namespace {

// Options the CLI spells its own way (--format, -d/-dd/-ddd).
bool has_own_spelling(const std::string& option) {
  return option == "format" || option == "listing" || option == "emit" || option == "symbol";
}

}  // namespace

void add_target_specific_options(CLI::App& command, std::map<std::string, std::string>& given) {
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> options;  // name -> help, values
  for (const driver::Target& target : driver::targets().all()) {
    for (const driver::TargetOption& option : target.options) {
      if (has_own_spelling(option.name)) continue;
      auto& [help, values] = options[option.name];
      help += (help.empty() ? "" : "; ") + ("(--target=" + target.name + ") " + option.description);
      if (option.values.empty() && values.empty()) values.push_back(option.value_name);
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

#include "cli_reference.h"

#include <algorithm>

namespace bpfc::cli {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : text) {
    if (c == separator) {
      parts.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  parts.push_back(current);
  return parts;
}

// The fixed set of values an option takes, read off its type name: bpfc's
// choice options (add_choice_option, --target, --engine) name it
// "text|json", or the one value in lowercase ("interp") where there is one
// (placeholders such as FILE are uppercase); a CLI11 IsMember validator
// appends it in braces, "TEXT:{text,json}".
std::vector<std::string> choices_in(const std::string& type_name) {
  const size_t open = type_name.find(":{");
  const size_t close = type_name.rfind('}');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return split(type_name.substr(open + 2, close - open - 2), ',');
  }
  if (type_name.find('|') != std::string::npos && type_name.find_first_of(" []") == std::string::npos) {
    return split(type_name, '|');
  }
  if (!type_name.empty() && type_name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos) {
    return {type_name};
  }
  return {};
}

OptionReference describe_option(CLI::Option& option) {
  OptionReference ref;
  ref.positional = !option.nonpositional();
  if (ref.positional) {
    ref.names.push_back(option.get_name(true));
  } else {
    for (const std::string& s : option.get_snames()) ref.names.push_back("-" + s);
    for (const std::string& l : option.get_lnames()) ref.names.push_back("--" + l);
  }
  // CLI11 makes a flag an option expected zero times.
  ref.takes_value = option.get_expected_max() > 0 && option.get_type_size_max() > 0;
  ref.repeatable = option.get_items_expected_max() > 1 || option.get_expected_max() > 1;
  ref.required = option.get_required();
  if (ref.takes_value) {
    ref.type_name = option.get_type_name();
    ref.choices = choices_in(ref.type_name);
  }
  ref.default_value = option.get_default_str();
  ref.description = option.get_description();
  return ref;
}

CommandReference describe_command(CLI::App& command) {
  CommandReference ref;
  ref.name = command.get_parent() == nullptr ? "" : command.get_name();
  ref.description = command.get_description();
  ref.footer = command.get_footer();
  for (CLI::Option* option : command.get_options()) {
    OptionReference described = describe_option(*option);
    (described.positional ? ref.positionals : ref.options).push_back(std::move(described));
  }
  return ref;
}

bool is_visible(const CLI::App* command) { return !command->get_group().empty(); }

}  // namespace

bool OptionReference::has_name(const std::string& name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<CommandReference> describe_commands(CLI::App& app) {
  std::vector<CommandReference> commands;
  commands.push_back(describe_command(app));
  for (CLI::App* sub : app.get_subcommands([](CLI::App* command) { return is_visible(command); })) {
    commands.front().subcommands.push_back(sub->get_name());
    commands.push_back(describe_command(*sub));
  }
  return commands;
}

}  // namespace bpfc::cli

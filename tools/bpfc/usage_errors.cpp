#include "usage_errors.h"

#include <string_view>
#include <vector>

namespace bpfc::cli {
namespace {

std::string command_name(const CLI::App& command) {
  const CLI::App* parent = command.get_parent();
  return parent == nullptr ? command.get_name() : parent->get_name() + " " + command.get_name();
}

const CLI::Option* find_option(const CLI::App& command, std::string_view word) {
  if (word.empty()) return nullptr;
  for (const CLI::Option* option : command.get_options()) {
    if (option->check_name(std::string(word))) return option;
  }
  return nullptr;
}

// The options of `command` that CLI11's message names, in message order.
// CLI11 names an option by its first long name (or short, or positional
// name), delimited by spaces, ':' or '='.
std::vector<const CLI::Option*> options_named_in(const CLI::App& command, std::string_view message) {
  std::vector<const CLI::Option*> named;
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find_first_of(" :=,", start);
    if (end == std::string_view::npos) end = message.size();
    if (const CLI::Option* option = find_option(command, message.substr(start, end - start))) {
      bool seen = false;
      for (const CLI::Option* other : named) seen = seen || other == option;
      if (!seen) named.push_back(option);
    }
    start = end + 1;
  }
  return named;
}

// An option of another command that has the name `word`: a hint for
// `bpfc -r x.pcap` or `bpfc compile -w out`.
std::string other_command_with(const CLI::App& top, const CLI::App& command, const std::string& word) {
  for (const CLI::App* other : top.get_subcommands([](const CLI::App*) { return true; })) {
    if (other != &command && find_option(*other, word) != nullptr) return command_name(*other);
  }
  return "";
}

std::string describe_unknown_option(const CLI::App& top, const CLI::App& command, const std::string& word) {
  std::string name = word.substr(0, word.find('='));
  std::string message = "unknown option '" + name + "'";
  if (&command != &top) message += " for " + command_name(command);
  if (&command == &top && (name == "-v" || name == "-V")) return message + " (the version is bpfc --version)";
  std::string other = other_command_with(top, command, name);
  if (!other.empty()) message += " (it is an option of " + other + ")";
  return message;
}

std::string missing_required(const CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_required() && option->count() == 0) {
      return command_name(command) + " needs " + option_label(*option) + " " + option->get_type_name();
    }
  }
  return "a required option is missing";
}

}  // namespace

const CLI::App& selected_command(const CLI::App& top) {
  for (const CLI::App* command : top.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->parsed()) return *command;
  }
  return top;
}

std::string option_label(const CLI::Option& option) {
  std::string label;
  for (const std::string& name : option.get_snames()) label += (label.empty() ? "-" : "/-") + name;
  for (const std::string& name : option.get_lnames()) label += (label.empty() ? "--" : "/--") + name;
  return label.empty() ? option.get_name() : label;
}

std::string describe_parse_error(const CLI::App& top, const CLI::ParseError& error) {
  const CLI::App& command = selected_command(top);
  const std::vector<const CLI::Option*> named = options_named_in(command, error.what());
  const std::string first = named.empty() ? "an option" : option_label(*named[0]);
  const std::string second = named.size() < 2 ? "another option" : option_label(*named[1]);
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) return missing_required(command);
  if (dynamic_cast<const CLI::ExcludesError*>(&error) != nullptr) {
    return first + " and " + second + " cannot be used together";
  }
  if (dynamic_cast<const CLI::RequiresError*>(&error) != nullptr) return first + " applies only with " + second;
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr && !named.empty()) {
    // Either a single-valued option came twice (CLI11: "At Most 1 required
    // but received 2"), or a value is missing: the option ended the command
    // line or was followed by another option.
    const bool repeated = std::string_view(error.what()).find("received") != std::string_view::npos;
    if (repeated && named[0]->get_items_expected_max() <= 1) return first + " can be given only once";
    return first + " needs a value (" + named[0]->get_type_name() + ")";
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    return "unexpected words on the command line of " + command_name(command);
  }
  if (!named.empty()) return "invalid value for " + first;
  return "invalid command line";
}

std::optional<std::string> describe_leftover_words(const CLI::App& top) {
  const CLI::App& command = selected_command(top);
  for (const CLI::App* app : {&command, &top}) {
    std::vector<std::string> words = app->remaining();
    // CLI11 keeps the "--" that ends the options among the leftovers.
    std::erase(words, "--");
    if (words.empty()) continue;
    const std::string& word = words.front();
    if (word.size() > 1 && word[0] == '-') return describe_unknown_option(top, *app, word);
    if (app == &top) return "unknown command '" + word + "'";
    return "unexpected argument '" + word + "' for " + command_name(*app);
  }
  return std::nullopt;
}

}  // namespace bpfc::cli

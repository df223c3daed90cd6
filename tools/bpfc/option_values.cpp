#include "option_values.h"

#include <charconv>

#include "cli_status.h"

namespace bpfc::cli {
namespace {

std::string invalid(const std::string& noun, std::string_view text, const std::string& reason) {
  return "invalid " + noun + " '" + std::string(text) + "' (" + reason + ")";
}

// What the rule accepts, for the message about a value it refuses.
std::string expectation(const NumberRule& rule) {
  const bool unbounded = rule.max >= std::numeric_limits<uint32_t>::max();
  if (unbounded && rule.min > 0) return "must be at least " + std::to_string(rule.min);
  return "must be from " + std::to_string(rule.min) + " to " + std::to_string(rule.max);
}

std::string join_choices(const std::vector<std::string>& choices) {
  std::string text;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
    text += choices[i];
  }
  return text;
}

}  // namespace

uint64_t parse_number_value(std::string_view text, const NumberRule& rule) {
  std::string_view digits = text;
  const bool negative = digits.starts_with('-');
  if (negative || digits.starts_with('+')) digits.remove_prefix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 10);
  const bool too_large = ec == std::errc::result_out_of_range;
  if (digits.empty() || end != digits.data() + digits.size() || (ec != std::errc() && !too_large)) {
    throw UsageError(invalid(rule.noun, text, "not a number"));
  }
  const bool below = negative ? value != 0 || rule.min > 0 : value < rule.min;
  const bool above = !negative && (too_large || value > rule.max);
  if (below || above) throw UsageError(invalid(rule.noun, text, expectation(rule)));
  return negative ? 0 : value;
}

CLI::Option* add_choice_option(CLI::App& command, const std::string& names, std::string& target, std::string noun,
                               std::vector<std::string> choices, const std::string& help) {
  const std::string type_name = [&] {
    std::string text;
    for (const std::string& choice : choices) text += (text.empty() ? "" : "|") + choice;
    return text;
  }();
  CLI::Option* option = command.add_option_function<std::string>(
      names,
      [&target, noun = std::move(noun), choices = std::move(choices)](const std::string& text) {
        for (const std::string& choice : choices) {
          if (text == choice) {
            target = text;
            return;
          }
        }
        throw UsageError(invalid(noun, text, "must be " + join_choices(choices)));
      },
      help);
  option->type_name(type_name);
  return option;
}

}  // namespace bpfc::cli

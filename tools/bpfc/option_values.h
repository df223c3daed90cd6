// Options whose values bpfc converts itself instead of leaving it to CLI11,
// so that every bad value is reported in one style, as a UsageError naming
// what the value is for: "invalid count 'abc' (not a number)", "invalid
// format 'xml' (must be text or json)".
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

// The accepted values of a numeric option and what the value is called in
// messages ("count", "snaplen", "optimization level").
struct NumberRule {
  std::string noun;
  uint64_t min = 0;
  uint64_t max = std::numeric_limits<uint32_t>::max();
};

// A decimal number within the rule's bounds; throws UsageError otherwise.
uint64_t parse_number_value(std::string_view text, const NumberRule& rule);

namespace detail {
template <typename T>
struct NumberTarget {
  using Value = T;
};
template <typename T>
struct NumberTarget<std::optional<T>> {
  using Value = T;
};
}  // namespace detail

// Adds an option taking a decimal number checked against `rule` when parsed
// (an integer target, or a std::optional one for options that may be
// absent). --help shows the value as `type_name`.
template <typename Target>
CLI::Option* add_number_option(CLI::App& command, const std::string& names, Target& target, NumberRule rule,
                               const std::string& help, const std::string& type_name = "N") {
  using Value = typename detail::NumberTarget<Target>::Value;
  static_assert(std::is_integral_v<Value>);
  CLI::Option* option = command.add_option_function<std::string>(
      names, [&target, rule](const std::string& text) { target = static_cast<Value>(parse_number_value(text, rule)); },
      help);
  option->type_name(type_name);
  return option;
}

// Adds an option taking one word out of `choices`, stored in `target`.
CLI::Option* add_choice_option(CLI::App& command, const std::string& names, std::string& target, std::string noun,
                               std::vector<std::string> choices, const std::string& help);

}  // namespace bpfc::cli

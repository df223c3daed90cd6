// Targets and their registry: the part a target's library links (the
// driver's pipeline is not in it, so a target never links the driver).
#include <utility>

#include "bpfc/driver/target.h"

namespace bpfc::driver {

std::string_view describe(Emits kind) {
  switch (kind) {
    case Emits::TextListing: return "text listing";
    case Emits::Json: return "JSON";
    case Emits::BinaryObject: return "binary object";
    case Emits::ExecutableFilter: return "executable filter";
  }
  return "output";
}

const TargetOption* Target::find_option(std::string_view option) const {
  for (const TargetOption& candidate : options) {
    if (candidate.name == option) return &candidate;
  }
  return nullptr;
}

std::string Target::setting(const TargetSettings& settings, std::string_view option) const {
  if (auto chosen = settings.find(option); chosen != settings.end()) return chosen->second;
  const TargetOption* known = find_option(option);
  return known != nullptr && !known->values.empty() ? known->values.front() : std::string();
}

std::optional<std::string> Target::check_settings(const TargetSettings& settings) const {
  for (const auto& [option, value] : settings) {
    const TargetOption* known = find_option(option);
    if (known == nullptr) return "target " + name + " has no option '" + option + "'";
    bool accepted = known->values.empty();
    for (const std::string& allowed : known->values) accepted = accepted || allowed == value;
    if (!accepted) {
      std::string allowed;
      for (const std::string& one : known->values) allowed += (allowed.empty() ? "" : ", ") + one;
      return "target " + name + " takes " + option + " " + allowed + ", not '" + value + "'";
    }
  }
  return std::nullopt;
}

bool TargetRegistry::add(Target target) {
  if (find(target.name) != nullptr) return false;
  targets_.push_back(std::move(target));
  return true;
}

const Target* TargetRegistry::find(std::string_view name) const {
  for (const Target& target : targets_) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

std::string TargetRegistry::names() const {
  std::string text;
  for (const Target& target : targets_) text += (text.empty() ? "" : ", ") + target.name;
  return text;
}

}  // namespace bpfc::driver

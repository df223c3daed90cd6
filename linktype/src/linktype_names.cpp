// Name and number lookups over the link-type table (dlt.h).
#include <charconv>
#include <span>

#include "bpfc/linktype/dlt.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/support/text.h"

namespace bpfc {
namespace {

#define BPFC_LINKTYPE_ROW(identifier, value, name, description) LinktypeName{value, name, description},
constexpr LinktypeName kLinktypes[] = {BPFC_LINKTYPE_TABLE(BPFC_LINKTYPE_ROW)};
constexpr LinktypeName kLinktypeAliases[] = {BPFC_LINKTYPE_ALIASES(BPFC_LINKTYPE_ROW)};
#undef BPFC_LINKTYPE_ROW

std::optional<uint32_t> parse_number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

const LinktypeName* find_by_value(uint32_t dlt) {
  for (const auto& entry : kLinktypes)
    if (entry.value == dlt) return &entry;
  return nullptr;
}

}  // namespace

std::optional<uint32_t> linktype_from_string(std::string_view text) {
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') return parse_number(text);
  if (text.size() > 4 && equals_ignoring_case(text.substr(0, 4), "DLT_")) text.remove_prefix(4);
  for (std::span<const LinktypeName> table :
       {std::span<const LinktypeName>(kLinktypes), std::span<const LinktypeName>(kLinktypeAliases)})
    for (const auto& entry : table)
      if (equals_ignoring_case(entry.name, text)) return entry.value;
  return std::nullopt;
}

std::optional<std::string_view> linktype_name(uint32_t dlt) {
  if (const auto* entry = find_by_value(dlt)) return entry->name;
  return std::nullopt;
}

std::optional<std::string_view> linktype_description(uint32_t dlt) {
  if (const auto* entry = find_by_value(dlt)) return entry->description;
  return std::nullopt;
}

std::span<const LinktypeName> linktype_names() { return kLinktypes; }

std::string linktype_display(uint32_t dlt) {
  if (const auto* entry = find_by_value(dlt))
    return "DLT_" + std::string(entry->name) + " (" + std::string(entry->description) + ")";
  return "DLT " + std::to_string(dlt);
}

}  // namespace bpfc

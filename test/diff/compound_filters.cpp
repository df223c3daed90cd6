#include "compound_filters.h"

#include <fstream>
#include <stdexcept>

#include "libpcap_oracle.h"

namespace bpfc::difftest {
namespace {

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::vector<CompoundFilter> load_compound_filters(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<CompoundFilter> filters;
  std::string linktype_name = "EN10MB";
  uint32_t linktype = 1;
  std::string raw;
  for (size_t line = 1; std::getline(in, raw); ++line) {
    const std::string text = trimmed(raw);
    if (text.empty() || text.front() == '#') continue;
    const std::string directive = "[linktype ";
    if (text.rfind(directive, 0) == 0 && text.back() == ']') {
      linktype_name = trimmed(text.substr(directive.size(), text.size() - directive.size() - 1));
      const std::optional<uint32_t> dlt = libpcap_linktype(linktype_name);
      if (!dlt) throw std::runtime_error(path + ":" + std::to_string(line) + ": unknown link type " + linktype_name);
      linktype = *dlt;
      continue;
    }
    filters.push_back(CompoundFilter{line, linktype_name, linktype, text});
  }
  return filters;
}

}  // namespace bpfc::difftest

#include "linktype_listing.h"

#include <string_view>

#include "bpfc/compat/linktype_support.h"

namespace bpfc::cli {
namespace {

constexpr size_t kNameWidth = 14;
constexpr size_t kLineWidth = 79;

std::string padded(std::string_view text, size_t width) {
  std::string out(text);
  if (out.size() < width) out.resize(width, ' ');
  return out;
}

std::string right_aligned(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string join(const std::vector<std::string_view>& words) {
  std::string text;
  for (std::string_view word : words) {
    if (!text.empty()) text += ", ";
    text += word;
  }
  return text;
}

bool compiles_for(const LinktypeName& linktype) { return linktype_support(linktype.value).header_modelled; }

}  // namespace

std::string linktype_listing() {
  std::string text = "Link types bpfc compiles filters for (give -y the name or the DLT number):\n";
  text += "  " + padded("NAME", kNameWidth) + "  DLT  DESCRIPTION\n";
  size_t others = 0;
  for (const LinktypeName& linktype : linktype_names()) {
    const LinktypeSupport support = linktype_support(linktype.value);
    if (!support.header_modelled) {
      others += support.known;
      continue;
    }
    text += "  " + padded(linktype.name, kNameWidth) + right_aligned(std::to_string(linktype.value), 5) + "  " +
            std::string(linktype.description) + "\n";
    std::string detail = "protocols: " + std::string(support.protocols);
    if (!support.primitives.empty()) detail += "; also " + join(support.primitives);
    text += std::string(kNameWidth + 9, ' ') + detail + "\n";
  }
  text += "\nThe " + std::to_string(others) +
          " other named link types libpcap knows are accepted by -y too (bpfc help\n"
          "linktypes lists them), but for them bpfc compiles only filters that read no\n"
          "packet byte, such as 'len > 100', and refuses the others.\n";
  return text;
}

std::string linktype_help() {
  std::string text = linktype_listing();
  text += "\nThe other link types, as NAME (DLT):\n";
  std::string line = " ";
  for (const LinktypeName& linktype : linktype_names()) {
    if (compiles_for(linktype) || !linktype_support(linktype.value).known) continue;
    std::string entry = " " + std::string(linktype.name) + " (" + std::to_string(linktype.value) + ")";
    if (line.size() + entry.size() + 1 > kLineWidth) {
      text += line + "\n";
      line = " ";
    }
    line += entry + ",";
  }
  if (line.size() > 1) {
    line.pop_back();  // the last comma
    text += line + "\n";
  }
  text += "\nNames are case-insensitive and may start with DLT_; -y also takes the number.\n";
  return text;
}

}  // namespace bpfc::cli

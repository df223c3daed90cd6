#include "or_lists.h"

namespace bpfc::bench {
namespace {

constexpr uint32_t kListBase = 10u << 24;  // 10.0.0.0
constexpr size_t kPorts = 65535;
// List members are spread out, never adjacent: consecutive addresses, ports
// or /24s would merge into one range when bpfc lowers a list to a search
// tree, which would flatter it.
constexpr uint32_t kSpread = 3;

std::string term(ListKind kind, size_t index) {
  switch (kind) {
    case ListKind::Host:
      return "host " + dotted(list_host(index));
    case ListKind::Port:
      return "port " + std::to_string((index - 1) * kSpread % kPorts + 1);
    case ListKind::Net:
      return "net " + dotted(kListBase + static_cast<uint32_t>((index - 1) * kSpread << 8)) + "/24";
  }
  return {};
}

}  // namespace

std::string_view list_kind_name(ListKind kind) {
  switch (kind) {
    case ListKind::Host: return "host";
    case ListKind::Port: return "port";
    case ListKind::Net: return "net";
  }
  return "?";
}

std::optional<ListKind> parse_list_kind(std::string_view name) {
  for (ListKind kind : kAllListKinds) {
    if (list_kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

uint32_t list_host(size_t index) { return kListBase + static_cast<uint32_t>(index * kSpread); }

std::string dotted(uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string(address >> 16 & 0xff) + "." +
         std::to_string(address >> 8 & 0xff) + "." + std::to_string(address & 0xff);
}

std::string make_or_list(ListKind kind, size_t terms) {
  std::string text;
  text.reserve(terms * 24);
  for (size_t i = 1; i <= terms; ++i) {
    if (i > 1) text += " or ";
    text += term(kind, i);
  }
  return text;
}

}  // namespace bpfc::bench

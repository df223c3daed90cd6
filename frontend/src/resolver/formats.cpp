// The name-database file formats, parsed without touching the C library's
// resolver (so tests can point them at fixture files).
#include "resolver/formats.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace bpfc::resolver_formats {
namespace {

// The fields of one line, with the '#' comment removed.
std::vector<std::string_view> fields_of(std::string_view line) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    auto fields = fields_of(line);
    if (!fields.empty()) visit(fields);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

std::vector<std::string> strings_of(const std::vector<std::string_view>& fields, size_t from) {
  std::vector<std::string> out;
  for (size_t i = from; i < fields.size(); ++i) out.emplace_back(fields[i]);
  return out;
}

// One inet_network()/strtoul() number part: decimal, 0x hex or 0 octal.
std::optional<uint32_t> parse_number_part(std::string_view part) {
  int base = 10;
  if (part.size() > 1 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
  } else if (part.size() > 1 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.empty()) return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, base);
  if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<uint32_t> parse_inet_network(std::string_view text) {
  uint32_t result = 0;
  int parts = 0;
  while (true) {
    size_t dot = text.find('.');
    auto part = parse_number_part(text.substr(0, dot));
    if (!part || *part > 255 || ++parts > 4) return std::nullopt;
    result = (result << 8) | *part;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return result;
}

std::optional<MacAddr> parse_mac_address(std::string_view text) {
  MacAddr mac{};
  size_t pos = 0;
  for (int byte = 0; byte < 6; ++byte) {
    if (byte > 0) {
      if (pos >= text.size() || text[pos] != ':') return std::nullopt;
      ++pos;
    }
    size_t start = pos;
    while (pos < text.size() && pos - start < 2 && std::isxdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start) return std::nullopt;
    unsigned value = 0;
    std::from_chars(text.data() + start, text.data() + pos, value, 16);
    mac[byte] = static_cast<uint8_t>(value);
  }
  if (pos != text.size()) return std::nullopt;
  return mac;
}

std::vector<HostEntry> parse_hosts(std::string_view text) {
  std::vector<HostEntry> entries;
  for_each_line(text, [&](const std::vector<std::string_view>& fields) {
    if (fields.size() < 2) return;
    std::string address(fields[0]);
    Ipv6Addr v6{};
    in_addr v4{};
    if (inet_pton(AF_INET, address.c_str(), &v4) == 1)
      entries.push_back({Ipv4Addr(ntohl(v4.s_addr)), strings_of(fields, 1)});
    else if (inet_pton(AF_INET6, address.c_str(), v6.data()) == 1)
      entries.push_back({v6, strings_of(fields, 1)});
  });
  return entries;
}

std::vector<EtherEntry> parse_ethers(std::string_view text) {
  std::vector<EtherEntry> entries;
  for_each_line(text, [&](const std::vector<std::string_view>& fields) {
    if (fields.size() < 2) return;
    if (auto mac = parse_mac_address(fields[0])) entries.push_back({*mac, std::string(fields[1])});
  });
  return entries;
}

std::vector<NetworkEntry> parse_networks(std::string_view text) {
  std::vector<NetworkEntry> entries;
  for_each_line(text, [&](const std::vector<std::string_view>& fields) {
    if (fields.size() < 2) return;
    auto number = parse_inet_network(fields[1]);
    if (!number) return;
    std::vector<std::string> names{std::string(fields[0])};
    for (size_t i = 2; i < fields.size(); ++i) names.emplace_back(fields[i]);
    entries.push_back({std::move(names), *number});
  });
  return entries;
}

std::vector<ServiceEntry> parse_services(std::string_view text) {
  std::vector<ServiceEntry> entries;
  for_each_line(text, [&](const std::vector<std::string_view>& fields) {
    if (fields.size() < 2) return;
    std::string_view port_proto = fields[1];
    size_t slash = port_proto.find('/');
    if (slash == std::string_view::npos) return;
    uint32_t port = 0;
    auto digits = port_proto.substr(0, slash);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535) return;
    std::vector<std::string> names{std::string(fields[0])};
    for (size_t i = 2; i < fields.size(); ++i) names.emplace_back(fields[i]);
    entries.push_back({std::move(names), uint16_t(port), std::string(port_proto.substr(slash + 1))});
  });
  return entries;
}

std::vector<ProtocolEntry> parse_protocols(std::string_view text) {
  std::vector<ProtocolEntry> entries;
  for_each_line(text, [&](const std::vector<std::string_view>& fields) {
    if (fields.size() < 2) return;
    uint32_t number = 0;
    auto [end, ec] = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), number);
    if (ec != std::errc() || end != fields[1].data() + fields[1].size() || number > 255) return;
    std::vector<std::string> names{std::string(fields[0])};
    for (size_t i = 2; i < fields.size(); ++i) names.emplace_back(fields[i]);
    entries.push_back({std::move(names), uint8_t(number)});
  });
  return entries;
}

}  // namespace bpfc::resolver_formats

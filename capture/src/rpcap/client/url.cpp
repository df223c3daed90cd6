// rpcap:// and rpcaps:// capture source strings.
#include <cctype>
#include <charconv>

#include "bpfc/capture/rpcap/client.h"

namespace bpfc::capture::rpcap {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool is_rpcap_url(std::string_view text) {
  return starts_with_nocase(text, "rpcap://") || starts_with_nocase(text, "rpcaps://");
}

Result<RemoteAddress> parse_rpcap_url(std::string_view url) {
  RemoteAddress address;
  std::string_view rest;
  if (starts_with_nocase(url, "rpcap://")) {
    rest = url.substr(8);
  } else if (starts_with_nocase(url, "rpcaps://")) {
    rest = url.substr(9);
    address.tls = true;
  } else {
    return error("'" + std::string(url) + "' is not an rpcap:// source");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) address.device = std::string(rest.substr(slash + 1));
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return error("'" + std::string(url) + "': unclosed '[' in the host");
    address.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return error("'" + std::string(url) + "': unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return error("'" + std::string(url) + "': empty port");
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return error("'" + std::string(url) + "': an IPv6 host must be written in brackets, rpcap://[::1]:2002/eth0");
    }
    address.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return error("'" + std::string(url) + "': empty port");
    }
  }
  if (address.host.empty()) return error("'" + std::string(url) + "' names no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return error("'" + std::string(url) + "': invalid port '" + std::string(port_text) + "'");
    }
    address.port = static_cast<uint16_t>(port);
  }
  if (address.device.find("://") != std::string::npos) {
    return error("'" + std::string(url) + "': the device must be an interface name, not a URL");
  }
  if (address.device.size() > kMaxDeviceNameBytes) {
    return error("'" + std::string(url) + "': the device name is over " + std::to_string(kMaxDeviceNameBytes) +
                 " bytes");
  }
  return address;
}

std::string format_rpcap_url(const RemoteAddress& address) {
  std::string host = address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  return std::string(address.tls ? "rpcaps://" : "rpcap://") + host + ":" + std::to_string(address.port) + "/" +
         address.device;
}

}  // namespace bpfc::capture::rpcap

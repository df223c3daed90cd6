// -l: the hosts allowed to connect, as numeric addresses only. A name would
// need DNS at every connection, and a resolver the client can influence
// decides nothing here.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap {
namespace {

std::array<uint8_t, 16> mapped(const in_addr& v4) {
  std::array<uint8_t, 16> out{};
  out[10] = out[11] = 0xff;
  std::memcpy(out.data() + 12, &v4, 4);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<HostList> HostList::parse(std::string_view text) {
  HostList list;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string item(trim(text.substr(0, comma)));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, item.c_str(), &v4) == 1) {
      list.hosts_.push_back(mapped(v4));
    } else if (inet_pton(AF_INET6, item.c_str(), &v6) == 1) {
      std::array<uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), &v6, 16);
      list.hosts_.push_back(bytes);
    } else {
      return bpfc::error("'" + item + "' is not a numeric IPv4 or IPv6 address (host names are not resolved)");
    }
  }
  return list;
}

bool HostList::allows(const sockaddr_storage& peer) const {
  if (hosts_.empty()) return true;
  std::array<uint8_t, 16> address{};
  if (peer.ss_family == AF_INET) {
    address = mapped(reinterpret_cast<const sockaddr_in&>(peer).sin_addr);
  } else if (peer.ss_family == AF_INET6) {
    std::memcpy(address.data(), &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, 16);
  } else {
    return false;
  }
  for (const auto& host : hosts_) {
    if (host == address) return true;
  }
  return false;
}

}  // namespace bpfc::capture::rpcap

// VRRP (RFC 3768 version 2, RFC 5798 version 3) as tcpdump prints it. CARP
// shares its IP protocol number; tcpdump prints it as VRRP unless told
// otherwise (-T carp), and so does bpfc.
#include "ip_protocols.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace vrrp {
constexpr uint32_t kVersionAndType = 0;
constexpr uint32_t kVirtualRouter = 1;
constexpr uint32_t kPriority = 2;
constexpr uint32_t kAddressCount = 3;
constexpr uint32_t kAuthType = 4;       // version 2
constexpr uint32_t kInterval = 5;       // version 2: seconds; version 3: low byte of centiseconds
constexpr uint32_t kChecksum = 6;
constexpr uint32_t kAddresses = 8;
constexpr uint8_t kAdvertisement = 1;
constexpr uint8_t kAuthSimple = 1;
}  // namespace vrrp

constexpr Name kTypes[] = {{vrrp::kAdvertisement, "Advertisement"}};
constexpr Name kAuthTypes[] = {{0, "none"}, {1, "simple"}, {2, "ah"}};

// The IP TTL or hop limit, which VRRP requires to be 255.
uint8_t hop_limit(const IpHeader& ip) { return ip.v6 ? ip.header[7] : ip.header[8]; }

// -v: the checksum, the virtual addresses and a simple password.
bool print_details(Context& c, const Bytes& b, uint32_t length, const IpHeader& ip, unsigned version,
                   uint8_t auth_type) {
  Text& o = c.o;
  if (!b.has(vrrp::kAddressCount, 1)) {
    c.give_up("vrrp");
    return false;
  }
  uint32_t addresses = b.u8(vrrp::kAddressCount);
  if (b.has(0, length)) {
    Checksum sum;
    if (version == 3) ip.add_pseudo_header(sum, ip_protocol::kVrrp, length);
    sum.add(b.clip(length));
    if (sum.result() != 0) {
      if (!b.has(vrrp::kChecksum, 2)) {
        c.give_up("vrrp");
        return false;
      }
      o.print(", (bad vrrp cksum {:x})", b.u16(vrrp::kChecksum));
    }
  }
  o << ", addrs";
  if (addresses > 1) o.print("({})", addresses);
  o << ':';
  char separator = ' ';
  uint32_t at = vrrp::kAddresses;
  uint32_t size = ip.v6 ? 16 : 4;
  for (uint32_t i = 0; i < addresses; ++i, at += size) {
    if (!b.has(at, size)) {
      c.give_up("vrrp");
      return false;
    }
    o << separator;
    ip.v6 ? o.ipv6(b.at(at)) : o.ipv4(b.at(at));
    separator = ',';
  }
  if (version == 2 && auth_type == vrrp::kAuthSimple) {
    // Up to 8 characters, stopping at a NUL; unprintable ones escaped.
    o << " auth \"";
    for (uint32_t i = 0; i < 8; ++i) {
      if (!b.has(at + i, 1)) {
        c.give_up("vrrp");
        return false;
      }
      uint8_t ch = b.u8(at + i);
      if (ch == 0) break;
      o.escaped_char(ch);
    }
    o << '"';
  }
  return true;
}

}  // namespace

void print_vrrp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool) {
  Text& o = c.o;
  o << "VRRP";
  if (!b.has(vrrp::kVersionAndType, 1)) return c.give_up("vrrp");
  unsigned version = b.u8(vrrp::kVersionAndType) >> 4;
  uint8_t type = b.u8(vrrp::kVersionAndType) & 0x0f;
  std::string_view type_name = name_of(kTypes, type);
  if (type_name.empty()) {
    o.print("v{}, unknown type ({})", version, type);
  } else {
    o.print("v{}, {}", version, type_name);
  }
  if (uint8_t ttl = hop_limit(ip); ttl != 255) o.print(", (ttl {})", ttl);
  if (version < 2 || version > 3 || type != vrrp::kAdvertisement) return;
  if (!b.has(vrrp::kVirtualRouter, 2)) return c.give_up("vrrp");
  o.print(", vrid {}, prio {}", b.u8(vrrp::kVirtualRouter), b.u8(vrrp::kPriority));
  uint8_t auth_type = 0;
  if (version == 2) {
    if (!b.has(vrrp::kAuthType, 1)) return c.give_up("vrrp");
    auth_type = b.u8(vrrp::kAuthType);
    std::string_view auth = name_of(kAuthTypes, auth_type);
    if (auth.empty()) {
      o.print(", authtype #{}", auth_type);
    } else {
      o.print(", authtype {}", auth);
    }
    if (!b.has(vrrp::kInterval, 1)) return c.give_up("vrrp");
    o.print(", intvl {}s, length {}", b.u8(vrrp::kInterval), length);
  } else {
    if (!b.has(vrrp::kAuthType, 2)) return c.give_up("vrrp");
    uint32_t interval = (b.u8(vrrp::kAuthType) & 0x0f) << 8 | b.u8(vrrp::kInterval);
    o.print(", intvl {}cs, length {}", interval, length);
  }
  if (c.options.verbosity > 0) print_details(c, b, length, ip, version, auth_type);
}

}  // namespace bpfc::dissect

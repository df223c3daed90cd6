// BSD loopback (DLT_NULL, DLT_LOOP): a 4-byte address family in the byte
// order of the machine that captured it (NULL) or in network order (LOOP).
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

constexpr uint32_t kHeader = 4;

// The BSD families; IPv6 has a different value on each BSD.
constexpr uint32_t kInet = 2;
constexpr uint32_t kInet6Values[] = {24, 28, 30};
constexpr uint32_t kIpx = 23;
constexpr Name kFamilyNames[] = {{2, "IPv4"}, {6, "NS"},    {7, "ISO"},   {16, "Appletalk"},
                                 {23, "IPX"}, {24, "IPv6"}, {28, "IPv6"}, {30, "IPv6"}};

void print_family(Text& o, uint32_t family, uint32_t length) {
  std::string_view name = name_of(kFamilyNames, family);
  if (name.empty()) {
    o.print("Unknown AF {}", family);
  } else {
    o << name;
  }
  o.print(", length {}: ", length);
}

}  // namespace

void print_bsd_loopback(Context& c, Bytes b, uint32_t length) {
  if (!b.has(0, kHeader)) return c.give_up("null");
  c.link_header_length = kHeader;
  uint32_t family = static_cast<uint32_t>(b.u8(0)) | static_cast<uint32_t>(b.u8(1)) << 8 |
                    static_cast<uint32_t>(b.u8(2)) << 16 | static_cast<uint32_t>(b.u8(3)) << 24;
  if ((family & 0xffff0000) != 0) family = __builtin_bswap32(family);
  if (c.options.link_header) print_family(c.o, family, length);
  b = b.from(kHeader);
  if (family == kInet) return print_ipv4(c, b, length - kHeader);
  for (uint32_t inet6 : kInet6Values) {
    if (family == inet6) return print_ipv6(c, b, length - kHeader);
  }
  if (family == kIpx) return print_ipx(c, b, length - kHeader);
  // OSI and AppleTalk, which tcpdump dissects and bpfc does not, print as
  // an unknown family does.
  if (!c.options.link_header) print_family(c.o, family, length);
}

}  // namespace bpfc::dissect

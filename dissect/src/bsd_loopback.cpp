// BSD loopback (DLT_NULL, DLT_LOOP): a 4-byte address family in the byte
// order of the machine that captured it (NULL) or in network order (LOOP).
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

constexpr uint32_t kHeader = 4;

// The BSD families; IPv6 has a different value on each BSD.
constexpr Name kFamilyNames[] = {{7, "ISO"}, {16, "Appletalk"}, {23, "IPX"}, {6, "NS"}};
constexpr uint32_t kInet = 2;
constexpr uint32_t kInet6Values[] = {24, 28, 30};

}  // namespace

void print_bsd_loopback(Context& c, Bytes b, uint32_t length) {
  if (!b.has(0, kHeader)) return c.o.truncated("null");
  uint32_t family = static_cast<uint32_t>(b.u8(0)) | static_cast<uint32_t>(b.u8(1)) << 8 |
                    static_cast<uint32_t>(b.u8(2)) << 16 | static_cast<uint32_t>(b.u8(3)) << 24;
  if ((family & 0xffff0000) != 0) family = __builtin_bswap32(family);
  b = b.from(kHeader);
  length -= kHeader;
  if (family == kInet) return print_ipv4(c, b, length);
  for (uint32_t inet6 : kInet6Values) {
    if (family == inet6) return print_ipv6(c, b, length);
  }
  std::string_view name = name_of(kFamilyNames, family);
  if (name.empty()) {
    c.o.print("Unknown AF {}", family);
  } else {
    c.o << name;
  }
  c.o.print(", length {}: ", length + kHeader);
}

}  // namespace bpfc::dissect

// IPsec headers (AH RFC 4302, ESP RFC 4303) and IP payload compression
// (IPComp RFC 3173) as `tcpdump -n -q` prints them. bpfc decrypts and
// decompresses nothing, as tcpdump without -E does not.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ah {
constexpr uint32_t kLength = 1;  // in 32-bit words, minus 2
constexpr uint32_t kReserved = 2;
constexpr uint32_t kSpi = 4;
constexpr uint32_t kSequence = 8;
constexpr uint32_t kIcv = 12;
}  // namespace ah

namespace esp {
constexpr uint32_t kSpi = 0;
constexpr uint32_t kSequence = 4;
constexpr uint32_t kHeader = 8;
}  // namespace esp

constexpr uint32_t kIpcompCpi = 2;

}  // namespace

uint32_t print_ah(Context& c, Bytes b) {
  Text& o = c.o;
  auto need = [&](uint32_t offset, uint32_t n) {
    if (b.has(offset, n)) return true;
    c.give_up("ah");
    return false;
  };
  o << "AH";
  if (!need(ah::kLength, 1)) return 0;
  uint32_t words = b.u8(ah::kLength);
  uint32_t header_length = (words + 2) * 4;
  o << '(';
  if (c.options.verbosity > 0) o.print("length={}({}-bytes),", words, header_length);
  if (!need(ah::kReserved, 2)) return 0;
  if (uint16_t reserved = b.u16(ah::kReserved); reserved != 0) o.print("reserved=0x{:x}[MustBeZero],", reserved);
  if (!need(ah::kSpi, 4)) return 0;
  o.print("spi=0x{:08x},", b.u32(ah::kSpi));
  if (!need(ah::kSequence, 4)) return 0;
  o.print("seq=0x{:x},", b.u32(ah::kSequence));
  o << "icv=0x";
  for (uint32_t at = ah::kIcv; at < header_length; ++at) {
    if (!need(at, 1)) return 0;
    o.hex2(b.u8(at));
  }
  o << "): ";
  return header_length;
}

void print_esp(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) {
  // tcpdump wants more than the header (some of the encrypted payload).
  if (b.size <= esp::kHeader) return c.o.truncated("esp");
  c.o.print("ESP(spi=0x{:08x},seq=0x{:x}), length {}", b.u32(esp::kSpi), b.u32(esp::kSequence), length);
}

void print_ipcomp(Context& c, Bytes b, uint32_t, const IpHeader&, bool) {
  if (!b.has(kIpcompCpi, 2)) return c.give_up("ipcomp");
  c.o.print("IPComp(cpi=0x{:04x})", b.u16(kIpcompCpi));
}

}  // namespace bpfc::dissect

// MPLS label stacks (RFC 3032) as `tcpdump -n -q` prints them, and the
// packet below the stack when it is IPv4 or IPv6.
#include "protocols.h"

namespace bpfc::dissect {
namespace {

constexpr uint32_t kEntry = 4;
constexpr std::string_view kReservedLabels[] = {
    "IPv4 explicit NULL", "router alert", "IPv6 explicit NULL", "implicit NULL", "rsvd", "rsvd", "rsvd", "rsvd",
    "rsvd",               "rsvd",         "rsvd",               "rsvd",          "rsvd", "rsvd", "rsvd", "rsvd"};

uint32_t label_of(uint32_t entry) { return entry >> 12; }
uint32_t traffic_class_of(uint32_t entry) { return (entry >> 9) & 0x7; }
bool bottom_of_stack(uint32_t entry) { return (entry & 0x100) != 0; }
uint32_t ttl_of(uint32_t entry) { return entry & 0xff; }

enum class Payload { Unknown, Ipv4, Ipv6, Osi };

}  // namespace

void print_mpls(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  const bool verbose = c.options.verbosity > 0;
  o << "MPLS";
  uint32_t entry = 0;
  uint32_t depth = 0;
  do {
    if (length < kEntry) {
      o.invalid();
      if (!b.has(0, length)) c.give_up("mpls");
      return;
    }
    if (!b.has(0, kEntry)) return c.give_up("mpls");
    entry = b.u32(0);
    o.print("{}(label {}", depth > 0 && verbose ? "\n\t" : " ", label_of(entry));
    ++depth;
    if (verbose && label_of(entry) < std::size(kReservedLabels)) o.print(" ({})", kReservedLabels[label_of(entry)]);
    o.print(", tc {}", traffic_class_of(entry));
    if (bottom_of_stack(entry)) o << ", [S]";
    o.print(", ttl {})", ttl_of(entry));
    b = b.from(kEntry);
    length -= kEntry;
  } while (!bottom_of_stack(entry));
  // What is below the stack: the reserved labels say, otherwise the first
  // nibble has to do.
  Payload payload = Payload::Unknown;
  switch (label_of(entry)) {
    case 0:
    case 3:
      payload = Payload::Ipv4;
      break;
    case 2:
      payload = Payload::Ipv6;
      break;
    default: {
      if (length < 1) return;
      if (!b.has(0, 1)) return c.give_up("mpls");
      uint8_t first = b.u8(0);
      payload = first >= 0x45 && first <= 0x4f   ? Payload::Ipv4
                : first >= 0x60 && first <= 0x6f ? Payload::Ipv6
                : first >= 0x81 && first <= 0x83 ? Payload::Osi
                                                 : Payload::Unknown;
    }
  }
  switch (payload) {
    case Payload::Unknown:
      return;
    case Payload::Ipv4:
      o << (verbose ? "\n\t" : " ");
      return print_ipv4(c, b, length);
    case Payload::Ipv6:
      o << (verbose ? "\n\t" : " ");
      return print_ipv6(c, b, length);
    case Payload::Osi:
      // tcpdump dissects OSI (IS-IS, ES-IS, CLNP) here; bpfc does not.
      return;
  }
}

}  // namespace bpfc::dissect

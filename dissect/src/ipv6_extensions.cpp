#include "ipv6_extensions.h"

namespace bpfc::dissect {
namespace {

// Hop-by-hop and destination options (RFC 8200 section 4.2).
enum OptionType : uint8_t {
  kPad1 = 0,
  kPadN = 1,
  kJumboPayload = 0xc2,
  kRouterAlert = 0x05,
  kHomeAddress = 0xc9,
};
constexpr uint32_t kOptionMinimum = 2;
constexpr uint32_t kRouterAlertLength = 4;
constexpr uint32_t kJumboLength = 6;
constexpr uint32_t kHomeAddressMinimum = 18;

// Routing header types.
constexpr uint8_t kSourceRoute = 0;  // deprecated (RFC 5095)
constexpr uint8_t kMobileRoute = 2;
constexpr uint8_t kSegmentRoute = 4;

uint32_t options_header_length(const Bytes& b, uint32_t offset) { return (b.u8(offset + 1) + 1u) * 8; }

// The sub-options of a home address option.
bool print_sub_options(Text& o, const Bytes& b, uint32_t at, uint32_t length) {
  for (uint32_t i = 0; i < length;) {
    uint32_t option_length;
    if (b.u8(at + i) == kPad1) {
      option_length = 1;
    } else {
      if (i + 1 >= length) return false;
      option_length = b.u8(at + i + 1) + 2u;
    }
    if (i + option_length > length) return false;
    switch (b.u8(at + i)) {
      case kPad1:
        o << ", pad1";
        break;
      case kPadN:
        if (length - i < kOptionMinimum) {
          o << ", padn: trunc";
          return false;
        }
        o << ", padn";
        break;
      default:
        if (length - i < kOptionMinimum) {
          o.print(", sopt_type {}: trunc)", b.u8(at + i));
          return false;
        }
        o.print(", sopt_type 0x{:02x}: len={}", b.u8(at + i), b.u8(at + i + 1));
        break;
    }
    i += option_length;
  }
  return true;
}

// The options of a hop-by-hop (`hop_by_hop`) or destination options header:
// problems always, the options themselves with -v. False when they are cut
// short or malformed.
bool print_options(Context& c, Ipv6Chain& chain, uint32_t at, uint32_t length, bool hop_by_hop) {
  Text& o = c.o;
  const Bytes& b = chain.b;
  const bool verbose = c.options.verbosity > 0;
  if (length == 0) return true;
  bool found_jumbo = false;
  for (uint32_t i = 0; i < length;) {
    uint8_t type = b.u8(at + i);
    uint32_t option_length;
    if (type == kPad1) {
      option_length = 1;
    } else {
      if (i + 1 >= length) return false;
      option_length = b.u8(at + i + 1) + 2u;
    }
    if (i + option_length > length) return false;
    uint32_t left = length - i;
    switch (type) {
      case kPad1:
        if (verbose) o << "(pad1)";
        break;
      case kPadN:
        if (left < kOptionMinimum) {
          o << "(padn: trunc)";
          return false;
        }
        if (verbose) o << "(padn)";
        break;
      case kRouterAlert:
        if (left < kRouterAlertLength) {
          o << "(rtalert: trunc)";
          return false;
        }
        if (b.u8(at + i + 1) != kRouterAlertLength - 2) {
          o.print("(rtalert: invalid len {})", b.u8(at + i + 1));
          return false;
        }
        if (verbose) o.print("(rtalert: 0x{:04x}) ", b.u16(at + i + 2));
        break;
      case kJumboPayload: {
        if (left < kJumboLength) {
          o << "(jumbo: trunc)";
          return false;
        }
        if (b.u8(at + i + 1) != kJumboLength - 2) {
          o.print("(jumbo: invalid len {})", b.u8(at + i + 1));
          return false;
        }
        uint32_t jumbo_length = b.u32(at + i + 2);
        if (found_jumbo) {
          if (verbose) o.print("(jumbo: {} - already seen) ", jumbo_length);
          break;
        }
        found_jumbo = true;
        if (!hop_by_hop) {
          if (verbose) o.print("(jumbo: {} - not a hop-by-hop option) ", jumbo_length);
        } else if (chain.payload_length != 0) {
          if (verbose) o.print("(jumbo: {} - payload len != 0) ", jumbo_length);
        } else if (jumbo_length < 65536) {
          if (verbose) o.print("(jumbo: {} - < 65536) ", jumbo_length);
        } else {
          chain.found_jumbo = true;
          chain.payload_length = jumbo_length;
          if (verbose) o.print("(jumbo: {}) ", jumbo_length);
        }
        break;
      }
      case kHomeAddress:
        if (left < kHomeAddressMinimum) {
          o << "(homeaddr: trunc)";
          return false;
        }
        if (b.u8(at + i + 1) < kHomeAddressMinimum - 2) {
          o.print("(homeaddr: invalid len {})", b.u8(at + i + 1));
          return false;
        }
        if (verbose) {
          o << "(homeaddr: ";
          o.ipv6(b.at(at + i + 2));
          if (b.u8(at + i + 1) > kHomeAddressMinimum - 2 &&
              !print_sub_options(o, b, at + i + kHomeAddressMinimum, option_length - kHomeAddressMinimum)) {
            return false;
          }
          o << ')';
        }
        break;
      default:
        if (left < kOptionMinimum) {
          o.print("(type {}: trunc)", type);
          return false;
        }
        if (verbose) o.print("(opt_type 0x{:02x}: len={})", type, b.u8(at + i + 1));
        break;
    }
    i += option_length;
  }
  if (verbose) o << ' ';
  return true;
}

// Hop-by-hop and destination options headers share a layout: next header,
// length in 8-octet units beyond the first 8, options.
uint32_t print_options_header(Context& c, Ipv6Chain& chain, std::string_view protocol, std::string_view name,
                              bool hop_by_hop) {
  const Bytes& b = chain.b;
  if (!b.has(chain.offset + 1, 1)) {
    c.give_up(protocol);
    return 0;
  }
  uint32_t size = options_header_length(b, chain.offset);
  if (!b.has(chain.offset, size)) {
    c.o.truncated(protocol);
    return 0;
  }
  c.o << name;
  if ((hop_by_hop || c.options.verbosity > 0) && !print_options(c, chain, chain.offset + 2, size - 2, hop_by_hop)) {
    c.o.truncated(protocol);
    return 0;
  }
  chain.next = b.u8(chain.offset);
  return size;
}

}  // namespace

uint32_t print_hop_by_hop(Context& c, Ipv6Chain& chain) {
  uint32_t size = print_options_header(c, chain, "hbhopt", "HBH ", true);
  if (c.gave_up) return 0;
  if (chain.payload_length == 0 && !chain.found_jumbo) {
    c.o << "[No valid Jumbo Payload Hop-by-Hop option found]";
    c.o.invalid();
    return 0;
  }
  return size;
}

uint32_t print_destination_options(Context& c, Ipv6Chain& chain) {
  return print_options_header(c, chain, "dstopt", "DSTOPT ", false);
}

uint32_t print_routing(Context& c, Ipv6Chain& chain) {
  Text& o = c.o;
  const Bytes& b = chain.b;
  uint32_t at = chain.offset;
  auto need = [&](uint32_t offset, uint32_t n) {
    if (b.has(at + offset, n)) return true;
    c.give_up("rt6");
    return false;
  };
  o << "RT6";
  if (!need(1, 1)) return 0;
  uint32_t length = b.u8(at + 1);
  o.print(" (len={}", length);
  if (!need(2, 1)) return 0;
  uint8_t type = b.u8(at + 2);
  o.print(", type={}", type);
  if (type == kSourceRoute) o << " [Deprecated]";
  if (!need(3, 1)) return 0;
  o.print(", segleft={}", b.u8(at + 3));
  uint32_t addresses_at;
  switch (type) {
    case kSourceRoute:
    case kMobileRoute:
      if (!need(4, 4)) return 0;
      if (b.u32(at + 4) != 0 || c.options.verbosity > 0) o.print(", rsv=0x{:x}", b.u32(at + 4));
      addresses_at = 8;
      break;
    case kSegmentRoute:
      if (!need(4, 1)) return 0;
      o.print(", last-entry={}", b.u8(at + 4));
      if (!need(5, 1)) return 0;
      if (b.u8(at + 5) != 0 || c.options.verbosity > 0) o.print(", flags=0x{:x}", b.u8(at + 5));
      if (!need(6, 2)) return 0;
      o.print(", tag={:x}", b.u16(at + 6));
      addresses_at = 8;
      break;
    default:
      o << " (unknown type)";
      o.invalid();
      return 0;
  }
  if (length % 2 == 1) {
    o.print(" (invalid length {})", length);
    o.invalid();
    return 0;
  }
  for (uint32_t i = 0; i < length / 2; ++i) {
    if (!need(addresses_at + 16 * i, 16)) return 0;
    o.print(", [{}]", i);
    o.ipv6(b.at(at + addresses_at + 16 * i));
  }
  o << ") ";
  chain.next = b.u8(at);
  return (length + 1) * 8;
}

uint32_t print_fragment(Context& c, Ipv6Chain& chain) {
  const Bytes& b = chain.b;
  uint32_t at = chain.offset;
  // What follows this header in the datagram (the payload length counts
  // from the end of the IPv6 header).
  uint64_t rest = 40 + static_cast<uint64_t>(b.u16(4)) - at - 8;
  if (c.options.verbosity > 0) {
    if (!b.has(at + 4, 4) || !b.has(at + 2, 2)) {
      c.give_up("frag6");
      return 0;
    }
    c.o.print("frag (0x{:08x}:{}|{})", b.u32(at + 4), b.u16(at + 2) & 0xfff8, rest);
  } else {
    if (!b.has(at + 2, 2)) {
      c.give_up("frag6");
      return 0;
    }
    c.o.print("frag ({}|{})", b.u16(at + 2) & 0xfff8, rest);
  }
  // A later fragment: no header of the transport to show.
  if ((b.u16(at + 2) & 0xfff8) != 0) return 0;
  c.o << ' ';
  chain.next = b.u8(at);
  return 8;
}

}  // namespace bpfc::dissect

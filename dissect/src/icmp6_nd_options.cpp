// Neighbour discovery options (RFC 4861, RFC 6106, RFC 4191, RFC 6275) as
// tcpdump -v lists them, one per line.
#include "icmp6.h"
#include "names.h"

namespace bpfc::dissect {
namespace {

enum OptionType : uint8_t {
  kSourceLinkAddress = 1,
  kTargetLinkAddress = 2,
  kPrefixInformation = 3,
  kRedirectedHeader = 4,
  kMtu = 5,
  kAdvertisementInterval = 7,
  kHomeAgentInformation = 8,
  kRouteInformation = 24,
  kRdnss = 25,
  kDnssl = 31,
};

constexpr Name kOptionNames[] = {
    {kSourceLinkAddress, "source link-address"},
    {kTargetLinkAddress, "destination link-address"},
    {kPrefixInformation, "prefix info"},
    {kRedirectedHeader, "redirected header"},
    {kMtu, "mtu"},
    {kRdnss, "rdnss"},
    {kDnssl, "dnssl"},
    {kAdvertisementInterval, "advertisement interval"},
    {kHomeAgentInformation, "homeagent information"},
    {kRouteInformation, "route info"},
};

constexpr Name kPrefixFlags[] = {{0x80, "onlink"}, {0x40, "auto"}, {0x20, "router"}};
constexpr std::string_view kRoutePreferences[] = {"medium", "high", "rsv", "low"};

void print_lifetime(Text& o, uint32_t seconds) {
  if (seconds == 0xffffffff) {
    o << "infinity";
  } else {
    o.print("{}s", seconds);
  }
}

// A DNS name in wire form (RFC 1035) starting at `at` in `b`, whose
// compression pointers count from `base`; each label is followed by a dot.
// Returns where the name ends (after the first pointer, if any), or 0
// when it runs past the capture or is malformed (after printing why).
uint32_t print_domain(Text& o, const Bytes& b, uint32_t base, uint32_t at) {
  constexpr uint32_t kMaxName = 255;
  constexpr uint8_t kTypeMask = 0xc0, kLabel = 0x00, kPointer = 0xc0, kExtended = 0x40;
  if (!b.has(at, 1)) return 0;
  uint32_t end = 0;  // set at the first pointer
  uint32_t max_offset = at - base;
  uint32_t name_chars = 0;
  uint8_t first = b.u8(at);
  if (first == 0) {
    o << '.';
    return at + 1;
  }
  while (b.has(at, 1)) {
    uint8_t length = b.u8(at);
    if (length == 0) {
      ++at;
      break;
    }
    switch (length & kTypeMask) {
      case kPointer: {
        if (!b.has(at + 1, 1)) return 0;
        if (end == 0) end = at + 2;
        uint32_t offset = ((length << 8) | b.u8(at + 1)) & 0x3fff;
        if (offset >= max_offset) {
          o << "<BAD PTR>";
          return 0;
        }
        max_offset = offset;
        at = base + offset;
        continue;
      }
      case kExtended:
        o.print("<ELT {}>", length & 0x3f);
        return 0;
      case kLabel:
        break;
      default:
        o << "<BAD LABEL TYPE>";
        return 0;
    }
    if (!b.has(at + 1, length)) return 0;
    uint32_t shown = name_chars + length <= kMaxName ? length : name_chars < kMaxName ? kMaxName - name_chars : 0;
    for (uint32_t i = 0; i < shown; ++i) o.escaped_char(b.u8(at + 1 + i));
    name_chars += length;
    if (name_chars <= kMaxName) o << '.';
    ++name_chars;
    at += 1 + length;
  }
  if (name_chars > kMaxName) o << "<DOMAIN NAME TOO LONG>";
  return end != 0 ? end : at;
}

// One option's value; false when a field was not captured (c.gave_up set).
bool print_option(Context& c, const Bytes& option, uint8_t type, uint32_t units, const Bytes& message,
                  uint32_t options_offset) {
  Text& o = c.o;
  uint32_t size = units * 8;
  auto need = [&](uint32_t offset, uint32_t n) {
    if (option.has(offset, n)) return true;
    c.give_up("icmp6");
    return false;
  };
  switch (type) {
    case kSourceLinkAddress:
    case kTargetLinkAddress:
      for (uint32_t i = 2; i < size; ++i) {
        if (i > 2) o << ':';
        o.hex2(option.u8(i));
      }
      return true;
    case kPrefixInformation: {
      if (!need(2, 30)) return false;
      o.ipv6(option.at(16));
      o.print("/{}{}, Flags [", option.u8(2), units != 4 ? "badlen" : "");
      std::string_view separator;
      for (const Name& flag : kPrefixFlags) {
        if ((option.u8(3) & flag.value) == 0) continue;
        o << separator << flag.text;
        separator = ", ";
      }
      if (separator.empty()) o << "none";
      o << "], valid time ";
      print_lifetime(o, option.u32(4));
      o << ", pref. time ";
      print_lifetime(o, option.u32(8));
      return true;
    }
    case kRedirectedHeader:
      // tcpdump dumps from the start of the options here, not of this one.
      print_unknown_data(o, message.from(options_offset), size, "\n\t    ");
      return true;
    case kMtu:
      if (!need(4, 4)) return false;
      o.print(" {}{}", option.u32(4), units != 1 ? "bad option length" : "");
      return true;
    case kRdnss: {
      if (!need(4, 4)) return false;
      o.print(" lifetime {}s,", option.u32(4));
      for (uint32_t i = 0; i < (units - 1) / 2; ++i) {
        if (!need(8 + 16 * i, 16)) return false;
        o << " addr: ";
        o.ipv6(option.at(8 + 16 * i));
      }
      return true;
    }
    case kDnssl: {
      if (!need(4, 4)) return false;
      o.print(" lifetime {}s, domain(s):", option.u32(4));
      // Names follow one another to the end of the option; compression
      // pointers count from the start of the message's options.
      uint32_t option_at = static_cast<uint32_t>(option.data - message.data);
      uint32_t at = option_at + 8, end = option_at + size;
      while (at < end) {
        if (!message.has(at, 1)) {
          c.give_up("icmp6");
          return false;
        }
        if (message.u8(at) == 0) break;
        o << ' ';
        at = print_domain(o, message, options_offset, at);
        if (at == 0) return false;
      }
      return true;
    }
    case kAdvertisementInterval:
      if (!need(4, 4)) return false;
      o.print(" {}ms", option.u32(4));
      return true;
    case kHomeAgentInformation:
      if (!need(4, 4)) return false;
      o.print(" preference {}, lifetime {}", option.u16(4), option.u16(6));
      return true;
    case kRouteInformation: {
      if (!option.has(4, 4)) return false;
      uint8_t prefix[16] = {};
      if (units < 1 || units > 3) return false;
      if (units > 1) {
        uint32_t bytes = units == 2 ? 8 : 16;
        if (!need(8, bytes)) return false;
        for (uint32_t i = 0; i < bytes; ++i) prefix[i] = option.u8(8 + i);
      }
      o << ' ';
      o.ipv6(prefix);
      o.print("/{}, pref={}, lifetime=", option.u8(2), kRoutePreferences[(option.u8(3) >> 3) & 0x03]);
      print_lifetime(o, option.u32(4));
      return true;
    }
    default:
      return true;
  }
}

}  // namespace

bool print_nd_options(Context& c, const Bytes& b, uint32_t offset, uint32_t length) {
  Text& o = c.o;
  int64_t remaining = static_cast<int64_t>(length) - offset;
  uint32_t at = offset;
  while (at < b.size) {
    if (!b.has(at, 2)) return false;
    if (remaining <= 0) return true;
    uint8_t type = b.u8(at);
    uint32_t units = b.u8(at + 1);
    if (units == 0 || !b.has(at, units * 8)) return false;
    std::string_view name = name_of(kOptionNames, type);
    o.print("\n\t  {} option ({}), length {} ({}): ", name.empty() ? "unknown" : name, type, units * 8, units);
    Bytes option = b.from(at);
    if (name.empty() && c.options.verbosity <= 1) {
      print_unknown_data(o, option.from(2), units * 8 - 2, "\n\t  ");
      return true;
    }
    if (!print_option(c, option, type, units, b, offset)) return false;
    if (c.options.verbosity > 1) print_unknown_data(o, option.from(2), units * 8 - 2, "\n\t    ");
    at += units * 8;
    remaining -= units * 8;
  }
  return true;
}

}  // namespace bpfc::dissect

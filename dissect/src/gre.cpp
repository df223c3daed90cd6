// GRE (RFC 2784/2890 version 0, RFC 2637 version 1 as PPTP uses it) as
// `tcpdump -n -q` prints it, and what it carries.
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

enum Flag : uint16_t {
  kChecksumPresent = 0x8000,
  kRoutingPresent = 0x4000,
  kKeyPresent = 0x2000,
  kSequencePresent = 0x1000,
  kStrictSourceRoute = 0x0800,
  kAckPresent = 0x0080,
};
constexpr uint16_t kVersionMask = 0x0007;

constexpr Name kFlagNames[] = {
    {kChecksumPresent, "checksum present"},   {kRoutingPresent, "routing present"},
    {kKeyPresent, "key present"},             {kSequencePresent, "sequence# present"},
    {kStrictSourceRoute, "source routing present"}, {kAckPresent, "ack present"},
};

constexpr uint16_t kEthertypePpp = 0x880b;

// The header after the first two bytes, field by field: tcpdump checks
// each one before it reads it.
struct GreReader {
  Context& c;
  Bytes b;
  uint32_t length;

  // False (after printing [|gre]) when the field is not there.
  bool take(uint32_t n) {
    if (!b.has(0, n) || length < n) {
      c.o.truncated("gre");
      return false;
    }
    return true;
  }
  void skip(uint32_t n) {
    b = b.from(n);
    length -= n;
  }
};

void print_flags(Context& c, uint16_t flags) {
  if (c.options.verbosity == 0) return;
  c.o << ", Flags [";
  std::string_view separator;
  for (const Name& flag : kFlagNames) {
    if ((flags & flag.value) == 0) continue;
    c.o << separator << flag.text;
    separator = ", ";
  }
  if (separator.empty()) c.o << "none";
  c.o << ']';
}

void print_protocol(Context& c, uint16_t protocol) {
  if (!c.options.link_header) return;
  std::string_view name = ethertype_name(protocol);
  c.o.print(", proto {} (0x{:04x})", name.empty() ? "unknown" : name, protocol);
}

void print_version_0(Context& c, GreReader& r, uint16_t flags, uint32_t total_length) {
  Text& o = c.o;
  print_flags(c, flags);
  if (!r.take(2)) return;
  uint16_t protocol = r.b.u16(0);
  r.skip(2);
  if ((flags & (kChecksumPresent | kRoutingPresent)) != 0) {
    if (!r.take(2)) return;
    if (c.options.verbosity > 0) o.print(", sum 0x{:x}", r.b.u16(0));
    r.skip(2);
    if (!r.take(2)) return;
    o.print(", off 0x{:x}", r.b.u16(0));
    r.skip(2);
  }
  if ((flags & kKeyPresent) != 0) {
    if (!r.take(4)) return;
    o.print(", key=0x{:x}", r.b.u32(0));
    r.skip(4);
  }
  if ((flags & kSequencePresent) != 0) {
    if (!r.take(4)) return;
    o.print(", seq {}", r.b.u32(0));
    r.skip(4);
  }
  if ((flags & kRoutingPresent) != 0) {
    // Source route entries (RFC 1701, long obsolete): their address
    // families are named, their routes not decoded.
    while (true) {
      if (!r.take(4)) return;
      uint16_t family = r.b.u16(0);
      uint8_t entry_length = r.b.u8(3);
      r.skip(4);
      if (family == 0 && entry_length == 0) break;
      o.print(", (rtaf=0x{:x})", family);
      if (r.length < entry_length) return o.truncated("gre");
      r.skip(entry_length);
    }
  }
  print_protocol(c, protocol);
  o.print(", length {}", total_length);
  o << (c.options.verbosity < 1 ? ": " : "\n\t");
  switch (protocol) {
    case 0x0800:
      return print_ipv4(c, r.b, r.length);
    case 0x86dd:
      return print_ipv6(c, r.b, r.length);
    case 0x8847:
      return print_mpls(c, r.b, r.length);
    case 0x8137:
      return print_ipx(c, r.b, r.length);
    case 0x6558: {  // transparent Ethernet bridging
      // The bridged frame's header is payload to the dumps.
      uint32_t link_header_length = c.link_header_length;
      print_ethernet(c, r.b, r.length);
      c.link_header_length = link_header_length;
      return;
    }
    default:
      o.print("gre-proto-0x{:x}", protocol);
  }
}

void print_version_1(Context& c, GreReader& r, uint16_t flags, uint32_t total_length) {
  Text& o = c.o;
  print_flags(c, flags);
  if (!r.take(2)) return;
  uint16_t protocol = r.b.u16(0);
  r.skip(2);
  if ((flags & kKeyPresent) != 0) {
    if (!r.take(4)) return;
    o.print(", call {}", r.b.u32(0) & 0xffff);
    r.skip(4);
  }
  if ((flags & kSequencePresent) != 0) {
    if (!r.take(4)) return;
    o.print(", seq {}", r.b.u32(0));
    r.skip(4);
  }
  if ((flags & kAckPresent) != 0) {
    if (!r.take(4)) return;
    o.print(", ack {}", r.b.u32(0));
    r.skip(4);
  }
  if ((flags & kSequencePresent) == 0) o << ", no-payload";
  print_protocol(c, protocol);
  o.print(", length {}", total_length);
  if ((flags & kSequencePresent) == 0) return;
  o << (c.options.verbosity < 1 ? ": " : "\n\t");
  if (protocol == kEthertypePpp) {
    print_ppp(c, r.b, r.length);
  } else {
    o.print("gre-proto-0x{:x}", protocol);
  }
}

}  // namespace

void print_gre(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) {
  if (!b.has(0, 2) || length < 2) return c.o.truncated("gre");
  uint16_t flags = b.u16(0);
  uint16_t version = flags & kVersionMask;
  c.o.print("GREv{}", version);
  GreReader reader{c, b.from(2), length - 2};
  switch (version) {
    case 0:
      return print_version_0(c, reader, flags, length);
    case 1:
      return print_version_1(c, reader, flags, length);
    default:
      c.o << " ERROR: unknown-version";
  }
}

}  // namespace bpfc::dissect

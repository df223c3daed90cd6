// DECnet Phase IV (routing layer and NSP) as `tcpdump -n -q` prints it.
// Multi-byte fields are little-endian; node addresses print as area.node.
#include "hex_dump.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

// Routing message flags (the first byte after the packet length).
constexpr uint8_t kPad = 0x80;
constexpr uint8_t kPadMask = 0x7f;
constexpr uint8_t kFutureVersion = 0x40;
constexpr uint8_t kControlMessage = 0x01;
constexpr uint8_t kFormatMask = 0x07;
constexpr uint8_t kShortFormat = 0x02;
constexpr uint8_t kLongFormat = 0x06;
constexpr uint8_t kRequestReturn = 0x08;
constexpr uint8_t kReturning = 0x10;
constexpr uint8_t kIntraEthernet = 0x20;
constexpr uint8_t kControlMask = 0x0f;

constexpr uint32_t kShortHeader = 6;
constexpr uint32_t kLongHeader = 21;

// NSP message flags.
constexpr uint8_t kTypeMask = 0x0c;
constexpr uint8_t kSubtypeMask = 0x70;
constexpr uint8_t kTypeData = 0x00, kTypeAck = 0x04, kTypeControl = 0x08;

// Sequence and acknowledgement fields.
constexpr uint16_t kAck = 0x8000;
constexpr uint16_t kNak = 0x9000;
constexpr uint16_t kOtherAck = 0xa000;
constexpr uint16_t kOtherNak = 0xb000;
constexpr uint16_t kSequenceMask = 0x0fff;

constexpr uint32_t kNspHeader = 5;

constexpr Name kReasons[] = {
    {0, "object rejected connect"},     {1, "insufficient resources"},
    {2, "unrecognized node name"},      {3, "node is shutting down"},
    {4, "unrecognized object"},         {5, "invalid object name format"},
    {6, "object too busy"},             {7, "protocol error discovered"},
    {8, "third party abort"},           {9, "user abort"},
    {10, "invalid node name format"},   {11, "local node shutting down"},
    {32, "insufficient local resources"}, {33, "insufficient remote user resources"},
    {34, "invalid access control information"}, {36, "bad ACCOUNT information"},
    {38, "no response from object"},    {39, "node unreachable"},
    {41, "no link terminate"},          {42, "disconnect complete"},
    {43, "bad image data in connect"},  {54, "cryptographic service mismatch"},
};

constexpr std::string_view kNodeTypes[] = {"reserved-ntype? ", "l2rout ", "l1rout ", "endnode "};
constexpr std::string_view kVersions[] = {"ver 3.2 ", "ver 3.1 ", "ver 4.0 ", "ver 4.1 "};

uint16_t le16(const Bytes& b, uint32_t at) { return static_cast<uint16_t>(b.u8(at) | b.u8(at + 1) << 8); }

void print_node(Text& o, uint16_t address) { o.print("{}.{}", (address & 0xfc00) >> 10, address & 0x03ff); }

// Reads little-endian fields, giving up on the packet (as tcpdump does)
// when one was not captured.
struct Reader {
  Context& c;
  Bytes b;

  bool need(uint32_t at, uint32_t n) {
    if (b.has(at, n)) return true;
    c.give_up("decnet");
    return false;
  }
};

// Control messages (routing layer): false when the message is too short.
// `captured` counts from the packet length field, two bytes before `r.b`.
bool print_control_message(Reader& r, uint32_t length, uint32_t captured) {
  Text& o = r.c.o;
  const Bytes& b = r.b;
  uint8_t flags = b.u8(0);
  auto node_field = [&](uint32_t at) {
    print_node(o, le16(b, at));
    return true;
  };
  switch (flags & kControlMask) {
    case 0x01: {  // initialization
      o << "init ";
      if (length < 12) return false;
      if (!r.need(0, 12)) return true;
      uint8_t info = b.u8(3);
      o << kNodeTypes[info & 3];
      if ((info & 0x04) != 0) o << "verif ";
      if ((info & 0x08) != 0) o << "blo ";
      o << "src ";
      node_field(1);
      o.print("blksize {} vers {} eco {} ueco {} hello {}", le16(b, 4), b.u8(6), b.u8(7), b.u8(8), le16(b, 9));
      return true;
    }
    case 0x03:  // verification
    case 0x05:  // hello and test
      o << ((flags & kControlMask) == 0x03 ? "verification " : "test ");
      if (length < 4) return false;
      if (!r.need(1, 3)) return true;
      o << "src ";
      node_field(1);
      o << ((flags & kControlMask) == 0x03 ? " fcnval " : " data ");
      o.print("{:o}", b.u8(3));
      return true;
    case 0x07:  // level 1 routing
    case 0x09: {  // level 2 routing
      bool level1 = (flags & kControlMask) == 0x07;
      o << (level1 ? "lev-1-routing " : "lev-2-routing ");
      if (length < 4) return false;
      if (!r.need(0, 4)) return true;
      o << "src ";
      node_field(1);
      o << ' ';
      uint32_t at = 4, left = length - 4;
      while (left > 6) {
        if (!r.need(at, 6)) return true;
        uint32_t count = le16(b, at);
        if (count > 1024) return true;  // bogus from here on
        uint32_t first = le16(b, at + 2), info = le16(b, at + 4);
        o.print("{{{} {}-{} cost {} hops {}}} ", level1 ? "ids" : "areas", first, first + count, info & 0x1ff,
                (info >> 10) & 0x1f);
        at += 6;
        left -= 6;
      }
      return true;
    }
    case 0x0b:    // router hello
    case 0x0d: {  // endnode hello
      bool router = (flags & kControlMask) == 0x0b;
      o << (router ? "router-hello " : "endnode-hello ");
      if (length < (router ? 18u : 32u)) return false;
      if (!r.need(0, router ? 18 : 32)) return true;
      uint8_t info = b.u8(10);
      o << kNodeTypes[info & 3];
      if ((info & 0x04) != 0) o << "verif ";
      if ((info & 0x20) != 0) o << "nomcast ";
      if ((info & 0x40) != 0) o << "blo ";
      o.print("vers {} eco {} ueco {} src ", b.u8(1), b.u8(2), b.u8(3));
      node_field(8);
      if (router) {
        o.print(" blksize {} pri {} hello {}", le16(b, 11), b.u8(13), le16(b, 15));
      } else {
        o.print(" blksize {} rtr ", le16(b, 11));
        node_field(26);
        o.print(" hello {} data {:o}", le16(b, 28), b.u8(31));
      }
      return true;
    }
    default: {
      // tcpdump dumps as many bytes as there are from the length field on,
      // but from the routing header: it runs out two bytes early.
      o << "unknown control message";
      uint32_t wanted = std::min(length, captured);
      hex_ascii_dump(o, b.clip(wanted));
      if (wanted > b.size) r.c.give_up("decnet");
      return true;
    }
  }
}

// A data or interrupt segment's acknowledgements and sequence number.
bool print_segment(Reader& r, uint32_t length, std::string_view other_ack, std::string_view other_nak) {
  Text& o = r.c.o;
  const Bytes& b = r.b;
  uint32_t end = 7;
  if (length < end) return false;
  if (!r.need(5, 2)) return true;
  uint16_t value = le16(b, 5);
  if ((value & kAck) != 0) {
    o.print("{} {} ", (value & kNak) == kNak ? "nak" : "ack", value & kSequenceMask);
    end += 2;
    if (length < end) return false;
    if (!r.need(7, 2)) return true;
    value = le16(b, 7);
    if ((value & kOtherAck) != 0) {
      o << ((value & kOtherNak) == kOtherNak ? other_nak : other_ack) << ' ';
      o.print("{} ", value & kSequenceMask);
      end += 2;
      if (length < end) return false;
      if (!r.need(9, 2)) return true;
      value = le16(b, 9);
    }
  }
  o.print("seg {} ", value & kSequenceMask);
  return true;
}

bool print_link_service(Reader& r, uint32_t length) {
  Text& o = r.c.o;
  const Bytes& b = r.b;
  if (length < 13) return false;
  if (!r.need(5, 8)) return true;
  uint16_t value = le16(b, 5);
  if ((value & kAck) != 0) {
    o.print("{} {} ", (value & kNak) == kNak ? "nak" : "ack", value & kSequenceMask);
    value = le16(b, 7);
    if ((value & kOtherAck) != 0) {
      o.print("{} {} ", (value & kOtherNak) == kOtherNak ? "nakdat" : "ackdat", value & kSequenceMask);
      value = le16(b, 9);
    }
  }
  o.print("seg {} ", value & kSequenceMask);
  uint8_t flags = b.u8(11), count = b.u8(12);
  switch (flags & 0x0c) {
    case 0x00:
      o.print("dat seg count {} ", count);
      switch (flags & 0x03) {
        case 0: break;
        case 1: o << "donotsend-data "; break;
        case 2: o << "send-data "; break;
        default: o.print("reserved-fcmod? {:x}", flags); break;
      }
      break;
    case 0x04:
      o.print("intr req count {} ", count);
      break;
    default:
      o.print("reserved-fcval-int? {:x}", flags);
  }
  return true;
}

bool print_ack_message(Reader& r, uint32_t length, std::string_view other_ack, std::string_view other_nak) {
  Text& o = r.c.o;
  const Bytes& b = r.b;
  if (length < 9) return false;
  if (!r.need(0, 9)) return true;
  uint16_t value = le16(b, 5);
  if ((value & kAck) != 0) {
    o.print("{} {} ", (value & kNak) == kNak ? "nak" : "ack", value & kSequenceMask);
    value = le16(b, 7);
    if ((value & kOtherAck) != 0) {
      o << ((value & kOtherNak) == kOtherNak ? other_nak : other_ack);
      o.print(" {} ", value & kSequenceMask);
    }
  }
  return true;
}

// Connect initiate and confirm: services, version, segment size.
bool print_connect(Reader& r, uint32_t length, bool confirm) {
  Text& o = r.c.o;
  const Bytes& b = r.b;
  if (length < (confirm ? 10u : 9u)) return false;
  if (!r.need(5, confirm ? 5 : 4)) return true;
  uint8_t services = b.u8(5), info = b.u8(6);
  if ((services & 0x0c) == 0x04) o << "seg ";
  if ((services & 0x0c) == 0x08) o << "msg ";
  o << kVersions[info & 3];
  o.print("segsize {} ", le16(b, 7));
  if (confirm && b.u8(9) != 0) o.print("optlen {} ", b.u8(9));
  return true;
}

void print_reason(Text& o, uint16_t reason) {
  std::string_view name = name_of(kReasons, reason);
  if (name.empty()) {
    o.print("reason-{} ", reason);
  } else {
    o << name << ' ';
  }
}

// NSP (the transport layer); false when a message is too short.
bool print_nsp(Reader& r, uint32_t length) {
  Text& o = r.c.o;
  const Bytes& b = r.b;
  if (length < kNspHeader) {
    o.print(" (nsplen {} < {})", length, kNspHeader);
    return false;
  }
  if (!r.need(0, kNspHeader)) return true;
  uint8_t flags = b.u8(0);
  uint16_t destination = le16(b, 1), source = le16(b, 3);
  uint8_t subtype = flags & kSubtypeMask;
  switch (flags & kTypeMask) {
    case kTypeData:
      switch (subtype) {
        case 0x20:
        case 0x00:
        case 0x40:
        case 0x60:
          o.print("data {}>{} ", source, destination);
          return print_segment(r, length, "oack", "onak");
        case 0x30:
          o << "intr ";
          return print_segment(r, length, "ackdat", "nakdat");
        case 0x10:
          o.print("link-service {}>{} ", source, destination);
          return print_link_service(r, length);
        default:
          o.print("reserved-subtype? {:x} {} > {}", flags, source, destination);
          return true;
      }
    case kTypeAck:
      switch (subtype) {
        case 0x00:
          o.print("data-ack {}>{} ", source, destination);
          return print_ack_message(r, length, "oack", "onak");
        case 0x10:
          o.print("ils-ack {}>{} ", source, destination);
          return print_ack_message(r, length, "ackdat", "nakdat");
        case 0x20:
          o.print("conn-ack {}", destination);
          return true;
        default:
          o.print("reserved-acktype? {:x} {} > {}", flags, source, destination);
          return true;
      }
    case kTypeControl:
      switch (subtype) {
        case 0x10:
        case 0x60:
          o << (subtype == 0x10 ? "conn-initiate " : "retrans-conn-initiate ");
          o.print("{}>{} ", source, destination);
          return print_connect(r, length, false);
        case 0x20:
          o.print("conn-confirm {}>{} ", source, destination);
          return print_connect(r, length, true);
        case 0x30:
          o.print("disconn-initiate {}>{} ", source, destination);
          if (length < 8) return false;
          if (!r.need(5, 3)) return true;
          print_reason(o, le16(b, 5));
          if (b.u8(7) != 0) o.print("optlen {} ", b.u8(7));
          return true;
        case 0x40:
          o.print("disconn-confirm {}>{} ", source, destination);
          if (!r.need(5, 2)) return true;
          print_reason(o, le16(b, 5));
          return true;
        default:
          o.print("reserved-ctltype? {:x} {} > {}", flags, source, destination);
          return true;
      }
    default:
      o.print("reserved-type? {:x} {} > {}", flags, source, destination);
      return true;
  }
}

}  // namespace

void print_decnet(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (length < kShortHeader) {
    o.print(" (length {} < {})", length, kShortHeader);
    return o.invalid();
  }
  if (!b.has(0, 2)) return c.give_up("decnet");
  uint32_t packet_length = le16(b, 0);
  if (packet_length < kShortHeader) {
    o.print(" (pktlen {} < {})", packet_length, kShortHeader);
    return o.invalid();
  }
  if (packet_length > length) {
    o.print(" (pktlen {} > {})", packet_length, length);
    return o.invalid();
  }
  length = packet_length;
  if (!b.has(2, 1)) return c.give_up("decnet");
  uint8_t flags = b.u8(2);
  if ((flags & kPad) != 0) {
    uint32_t padding = flags & kPadMask;
    if (c.options.verbosity > 0) o.print("[pad:{}] ", padding);
    if (length < padding + 2) {
      o.print(" (length {} < {})", length, padding + 2);
      return o.invalid();
    }
    if (!b.has(2, padding)) return c.give_up("decnet");
    b = b.from(padding);
    length -= padding;
    if (!b.has(2, 1)) return c.give_up("decnet");
    flags = b.u8(2);
  }
  Reader routing{c, b.from(2)};
  if ((flags & kFutureVersion) != 0) {
    o << "future-version-decnet";
    return hex_ascii_dump(o, b.clip(length));
  }
  if ((flags & kControlMessage) != 0) {
    if (!print_control_message(routing, length, b.size) && !c.gave_up) o.invalid();
    return;
  }
  uint16_t destination, source;
  uint32_t hops, header;
  switch (flags & kFormatMask) {
    case kLongFormat:
      if (length < kLongHeader) {
        o.print(" (length {} < {})", length, kLongHeader);
        return o.invalid();
      }
      if (!routing.need(0, kLongHeader)) return;
      destination = le16(routing.b, 7);
      source = le16(routing.b, 15);
      hops = routing.b.u8(18);
      header = kLongHeader;
      break;
    case kShortFormat:
      if (!routing.need(0, kShortHeader)) return;
      destination = le16(routing.b, 1);
      source = le16(routing.b, 3);
      hops = (routing.b.u8(5) & 0x3f) + 1u;
      header = kShortHeader;
      break;
    default:
      o << "unknown message flags under mask";
      return hex_ascii_dump(o, b.clip(length));
  }
  print_node(o, source);
  o << " > ";
  print_node(o, destination);
  o.print(" {} ", packet_length);
  if (c.options.verbosity > 0) {
    if ((flags & kRequestReturn) != 0) o << "RQR ";
    if ((flags & kReturning) != 0) o << "RTS ";
    if ((flags & kIntraEthernet) != 0) o << "IE ";
    o.print("{} hops ", hops);
  }
  Reader nsp{c, b.from(2 + header)};
  if (!print_nsp(nsp, length - header) && !c.gave_up) o.invalid();
}

}  // namespace bpfc::dissect

// PPP (RFC 1661) as `tcpdump -n -q` prints it inside PPPoE and GRE: the
// protocol field, the code of control protocols (LCP, IPCP, CCP...), and
// IPv4, IPv6, IPX and MPLS below it.
#include "hex_dump.h"
#include "icmp6.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

enum Protocol : uint16_t {
  kIp = 0x0021,
  kOsi = 0x0023,
  kIpx = 0x002b,
  kVjCompressed = 0x002d,
  kVjUncompressed = 0x002f,
  kMultilink = 0x003d,
  kIpv6 = 0x0057,
  kMplsUnicast = 0x0281,
  kMplsMulticast = 0x0283,
  kCompressed = 0x00fd,
  kIpcp = 0x8021,
  kOsicp = 0x8023,
  kIpv6cp = 0x8057,
  kMplscp = 0x8281,
  kCcp = 0x80fd,
  kLcp = 0xc021,
  kPap = 0xc023,
  kChap = 0xc223,
  kBacp = 0xc02b,
  kBap = 0xc02d,
};

constexpr Name kProtocolNames[] = {
    {kIp, "IP"},          {kOsi, "OSI"},         {0x0025, "NS"},      {0x0027, "DECNET"},
    {0x0029, "APPLE"},    {kIpx, "IPX"},         {kVjCompressed, "VJC IP"}, {kVjUncompressed, "VJNC IP"},
    {0x0031, "BRPDU"},    {0x0033, "STII"},      {0x0035, "VINES"},   {kMplsUnicast, "MPLS"},
    {kMplsMulticast, "MPLS"}, {kCompressed, "Compressed"}, {kMultilink, "MLPPP"}, {kIpv6, "IP6"},
    {0x0201, "HELLO"},    {0x0231, "LUXCOM"},    {0x0233, "SNS"},     {kIpcp, "IPCP"},
    {kOsicp, "OSICP"},    {0x8025, "NSCP"},      {0x8027, "DECNETCP"}, {0x8029, "APPLECP"},
    {0x802b, "IPXCP"},    {0x8033, "STIICP"},    {0x8035, "VINESCP"}, {kIpv6cp, "IP6CP"},
    {kMplscp, "MPLSCP"},  {kLcp, "LCP"},         {kPap, "PAP"},       {0xc025, "LQM"},
    {kChap, "CHAP"},      {0xc227, "EAP"},       {0xc123, "SPAP"},    {0xc027, "Old-SPAP"},
    {kBacp, "BACP"},      {kBap, "BAP"},         {0x803d, "MLPPP-CP"}, {kCcp, "CCP"},
};

constexpr Name kControlCodes[] = {
    {0, "Vendor-Extension"}, {1, "Conf-Request"}, {2, "Conf-Ack"},     {3, "Conf-Nack"},
    {4, "Conf-Reject"},      {5, "Term-Request"}, {6, "Term-Ack"},     {7, "Code-Reject"},
    {8, "Prot-Reject"},      {9, "Echo-Request"}, {10, "Echo-Reply"},  {11, "Disc-Req"},
    {12, "Ident"},           {13, "Time-Rem"},    {14, "Reset-Req"},   {15, "Reset-Ack"},
};

// The address and control fields of HDLC-like framing, and pppd's
// direction marks in their place.
constexpr uint16_t kAddressControl = 0xff03;
constexpr uint16_t kPppdIn = 0x0003;
constexpr uint16_t kPppdOut = 0x0103;

// tcpdump's name of a control protocol.
void print_control_name(Text& o, uint16_t protocol) {
  std::string_view name = name_of(kProtocolNames, protocol);
  if (name.empty()) {
    o.print("unknown ctrl-proto (0x{:04x})", protocol);
  } else {
    o << name;
  }
}

// A control protocol packet cut short where tcpdump checks first.
void control_truncated(Text& o, uint16_t protocol) {
  o << "[|";
  print_control_name(o, protocol);
  o << ']';
}

// -v: what follows a control protocol packet's header, except the
// configuration options of Conf-* packets, which bpfc does not decode.
// `b` starts at the code; `length` is what PPP says.
void print_control_details(Context& c, uint16_t protocol, const Bytes& b, uint8_t code, uint32_t length) {
  Text& o = c.o;
  auto need = [&](uint32_t offset, uint32_t n) {
    if (b.has(offset, n)) return true;
    c.give_up("ppp");
    return false;
  };
  if (!need(2, 2)) return;
  uint32_t encoded = b.u16(2);
  if (encoded < 4) {
    o.print("\n\tencoded length {} (< 4))", encoded);
    return;
  }
  if (encoded > length) {
    o.print("\n\tencoded length {} (> packet length {}))", encoded, length);
    return;
  }
  length = encoded;
  o.print("\n\tencoded length {} (=Option(s) length {})", encoded, encoded - 4);
  if (length == 4) return;
  // -vv: the PPP protocol field and the packet's header (tcpdump counts
  // back two bytes from the code).
  if (c.options.verbosity > 1) print_unknown_data(o, Bytes{b.data - 2, b.size + 2}, 6, "\n\t");
  switch (code) {
    case 0:  // vendor extension
      if (length < 11) return;
      if (!need(4, 4)) return;
      o.print("\n\t  Magic-Num 0x{:08x}", b.u32(4));
      if (!need(8, 3)) return;
      {
        uint32_t oui = static_cast<uint32_t>(b.u8(8)) << 16 | b.u16(9);
        std::string_view name = oui_name(oui);
        o.print(" Vendor: {} ({})", name.empty() ? "Unknown" : name, oui);
      }
      return;
    case 8: {  // protocol reject
      if (length < 6) return;
      if (!need(4, 2)) return;
      uint16_t rejected = b.u16(4);
      std::string_view name = name_of(kProtocolNames, rejected);
      o.print("\n\t  Rejected {} Protocol (0x{:04x})", name.empty() ? "unknown" : name, rejected);
      if (encoded > 6) {
        o << "\n\t  Rejected Packet";
        print_unknown_data(o, b.from(6), encoded - 2, "\n\t    ");
      }
      return;
    }
    case 9:
    case 10:
    case 11:  // echo request and reply, discard request
      if (length < 8) return;
      if (!need(4, 4)) return;
      o.print("\n\t  Magic-Num 0x{:08x}", b.u32(4));
      if (encoded > 8) {
        o << "\n\t  -----trailing data-----";
        if (!b.has(8, encoded - 8)) return control_truncated(o, protocol);
        print_unknown_data(o, b.from(8), encoded - 8, "\n\t  ");
      }
      return;
    case 12:  // identification
      if (length < 8) return;
      if (!need(4, 4)) return;
      o.print("\n\t  Magic-Num 0x{:08x}", b.u32(4));
      if (encoded > 8) {
        o << "\n\t  Message\n\t    ";
        // tcpdump reads the message as four bytes longer than it is.
        for (uint32_t i = 8; i < encoded + 4; ++i) {
          if (!b.has(i, 1)) return control_truncated(o, protocol);
          uint8_t ch = b.u8(i);
          o.escaped_char(ch);
        }
      }
      return;
    case 13:  // time remaining
      if (length < 12) return;
      if (!need(4, 4)) return;
      o.print("\n\t  Magic-Num 0x{:08x}", b.u32(4));
      if (!need(8, 4)) return;
      o.print(", Seconds-Remaining {}s", b.u32(8));
      return;
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
      return;
    default:
      if (c.options.verbosity <= 1) print_unknown_data(o, Bytes{b.data - 2, b.size + 2}, length + 2, "\n\t  ");
      return;
  }
}

// A control protocol's packet: code, identifier, length; with -v more
// (print_control_details()).
void print_control(Context& c, uint16_t protocol, Bytes b, uint32_t length) {
  Text& o = c.o;
  print_control_name(o, protocol);
  o << ", ";
  if (length < 4 || !b.has(0, 2)) return control_truncated(o, protocol);
  uint8_t code = b.u8(0);
  std::string_view code_name = name_of(kControlCodes, code);
  o.print("{} (0x{:02x}), id {}, length {}", code_name.empty() ? "Unknown Opcode" : code_name, code, b.u8(1),
          length + 2);
  if (c.options.verbosity > 0) print_control_details(c, protocol, b, code, length);
}

void print_payload(Context& c, uint16_t protocol, Bytes b, uint32_t length) {
  switch (protocol) {
    case kLcp:
    case kIpcp:
    case kOsicp:
    case kMplscp:
    case kIpv6cp:
    case kCcp:
    case kBacp:
      return print_control(c, protocol, b, length);
    case 0x0800:
    case kVjUncompressed:
    case kIp:
      return print_ipv4(c, b, length);
    case 0x86dd:
    case kIpv6:
      return print_ipv6(c, b, length);
    case 0x8137:
    case kIpx:
      return print_ipx(c, b, length);
    case kMplsUnicast:
    case kMplsMulticast:
      return print_mpls(c, b, length);
    case kCompressed:
      c.o << "compressed PPP data";
      return;
    default: {
      // Multilink, PAP, CHAP, BAP, OSI and others that tcpdump decodes
      // further: the name, and the bytes as tcpdump dumps an unknown one.
      std::string_view name = name_of(kProtocolNames, protocol);
      if (name.empty()) {
        c.o.print("unknown PPP protocol (0x{:04x}) ", protocol);
      } else {
        c.o << name << ' ';
      }
      print_unknown_data(c.o, b, length, "\n\t");
    }
  }
}

}  // namespace

uint32_t print_ppp(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  const uint32_t original_length = length;
  uint32_t header_length = 0;
  if (length < 2) {
    o.truncated("ppp");
    return 0;
  }
  if (!b.has(0, 2)) {
    c.give_up("ppp");
    return 0;
  }
  uint16_t framing = b.u16(0);
  if (framing == kPppdIn || framing == kPppdOut || framing == kAddressControl) {
    if (c.options.link_header && framing != kAddressControl) o << (framing == kPppdIn ? "In  " : "Out ");
    b = b.from(2);
    length -= 2;
    header_length += 2;
  }
  if (length < 2) {
    o.truncated("ppp");
    return 0;
  }
  if (!b.has(0, 1)) {
    c.give_up("ppp");
    return 0;
  }
  uint16_t protocol;
  if (b.u8(0) % 2 != 0) {  // protocol field compression: one byte
    protocol = b.u8(0);
    b = b.from(1);
    length -= 1;
    header_length += 1;
  } else {
    if (!b.has(0, 2)) {
      c.give_up("ppp");
      return 0;
    }
    protocol = b.u16(0);
    b = b.from(2);
    length -= 2;
    header_length += 2;
  }
  if (c.options.link_header) {
    std::string_view name = name_of(kProtocolNames, protocol);
    o.print("{} (0x{:04x}), length {}", name.empty() ? "unknown" : name, protocol, original_length);
    if (name.empty()) return header_length;
    o << ": ";
  }
  print_payload(c, protocol, b, length);
  return header_length;
}

}  // namespace bpfc::dissect

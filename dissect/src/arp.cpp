// ARP and RARP (RFC 826, RFC 903, inverse ARP RFC 2390) as `tcpdump -n -q`
// prints them.
#include "hex_dump.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace arp {
constexpr uint32_t kHardwareType = 0;
constexpr uint32_t kProtocolType = 2;
constexpr uint32_t kHardwareLength = 4;
constexpr uint32_t kProtocolLength = 5;
constexpr uint32_t kOperation = 6;
constexpr uint32_t kSenderHardware = 8;  // then the sender's protocol address, the target's two
constexpr uint16_t kHardwareAtm = 19;
constexpr uint16_t kProtocolIpv4 = 0x0800;
constexpr uint16_t kProtocolTrailers = 0x1000;
}  // namespace arp

constexpr Name kHardwareNames[] = {
    {1, "Ethernet"}, {6, "TokenRing"}, {7, "ArcNet"}, {15, "FrameRelay"},
    {23, "Strip"},   {24, "IEEE 1394"}, {19, "ATM"},  {32, "InfiniBand"},
};

enum Operation : uint16_t {
  kRequest = 1,
  kReply = 2,
  kReverseRequest = 3,
  kReverseReply = 4,
  kInverseRequest = 8,
  kInverseReply = 9,
};

constexpr Name kOperationNames[] = {
    {kRequest, "Request"},          {kReply, "Reply"},
    {kReverseRequest, "Reverse Request"}, {kReverseReply, "Reverse Reply"},
    {kInverseRequest, "Inverse Request"}, {kInverseReply, "Inverse Reply"},
    {10, "NACK Reply"},
};

// The packet and where its variable-length addresses are.
struct ArpPacket {
  Bytes b;
  uint16_t protocol;
  uint32_t hardware_length, protocol_length;
  uint32_t sender_hardware, sender_protocol, target_hardware, target_protocol;

  explicit ArpPacket(Bytes bytes)
      : b(bytes),
        protocol(bytes.u16(arp::kProtocolType)),
        hardware_length(bytes.u8(arp::kHardwareLength)),
        protocol_length(bytes.u8(arp::kProtocolLength)) {
    sender_hardware = arp::kSenderHardware;
    sender_protocol = sender_hardware + hardware_length;
    target_hardware = sender_protocol + protocol_length;
    target_protocol = target_hardware + hardware_length;
  }

  void hardware_address(Text& o, uint32_t offset) const { o.linkaddr(b.at(offset), hardware_length); }
  // tcpdump's tpaddr_print_ip()/spaddr_print_ip().
  void protocol_address(Text& o, uint32_t offset) const {
    if (protocol != arp::kProtocolIpv4 && protocol != arp::kProtocolTrailers) {
      o << "<wrong proto type>";
    } else if (protocol_length != 4) {
      o << "<wrong len>";
    } else {
      o.ipv4(b.at(offset));
    }
  }
  bool target_hardware_known() const {
    for (uint32_t i = 0; i < hardware_length; ++i) {
      if (b.u8(target_hardware + i) != 0) return true;
    }
    return false;
  }
};

void print_types(Text& o, const ArpPacket& a, uint16_t hardware) {
  std::string_view hardware_name = name_of(kHardwareNames, hardware);
  if (hardware_name.empty()) {
    o.print("Unknown Hardware ({})", hardware);
  } else {
    o << hardware_name;
  }
  o.print(" (len {}), ", a.hardware_length);
  std::string_view protocol_name = ethertype_name(a.protocol);
  if (protocol_name.empty()) {
    o << "Unknown Protocol (0x";
    o.hex4(a.protocol) << ')';
  } else {
    o << protocol_name;
  }
  o.print(" (len {})", a.protocol_length);
}

// The text of an operation after its name; false for an operation tcpdump
// does not decode (it dumps the packet instead).
bool print_operation(Text& o, const ArpPacket& a, uint16_t operation) {
  switch (operation) {
    case kRequest:
      o << "who-has ";
      a.protocol_address(o, a.target_protocol);
      if (a.target_hardware_known()) {
        o << " (";
        a.hardware_address(o, a.target_hardware);
        o << ')';
      }
      o << " tell ";
      a.protocol_address(o, a.sender_protocol);
      return true;
    case kReply:
      a.protocol_address(o, a.sender_protocol);
      o << " is-at ";
      a.hardware_address(o, a.sender_hardware);
      return true;
    case kReverseRequest:
    case kInverseRequest:
      o << "who-is ";
      a.hardware_address(o, a.target_hardware);
      o << " tell ";
      a.hardware_address(o, a.sender_hardware);
      return true;
    case kReverseReply:
      a.hardware_address(o, a.target_hardware);
      o << " at ";
      a.protocol_address(o, a.target_protocol);
      return true;
    case kInverseReply:
      a.hardware_address(o, a.sender_hardware);
      o << " at ";
      a.protocol_address(o, a.sender_protocol);
      return true;
    default:
      return false;
  }
}

}  // namespace

void print_arp(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, arp::kSenderHardware)) return c.give_up("arp");
  uint16_t hardware = b.u16(arp::kHardwareType);
  if (hardware == arp::kHardwareAtm) {
    // ATM ARP (RFC 2225) has its own layout, which bpfc does not dissect.
    o.print("ARP, ATM, length {}", length);
    return;
  }
  ArpPacket a(b);
  if (!b.has(a.target_protocol, a.protocol_length)) return c.give_up("arp");
  if (!c.options.link_header) o << "ARP, ";
  if (c.facts != nullptr) {
    bool ipv4 = a.protocol_length == 4 && (a.protocol == arp::kProtocolIpv4 || a.protocol == arp::kProtocolTrailers);
    c.facts->set_addresses("ARP", ipv4 ? b.at(a.sender_protocol) : nullptr, ipv4 ? b.at(a.target_protocol) : nullptr,
                           ipv4 ? 4 : 0);
  }
  const bool verbose = c.options.verbosity > 0;
  if ((a.protocol != arp::kProtocolIpv4 && a.protocol != arp::kProtocolTrailers) || a.protocol_length != 4 ||
      a.hardware_length == 0 || verbose) {
    print_types(o, a, hardware);
    if (!verbose) {
      o.print(", length {}", length);
      return;
    }
    o << ", ";
  }
  uint16_t operation = b.u16(arp::kOperation);
  std::string_view name = name_of(kOperationNames, operation);
  if (name.empty()) {
    o.print("Unknown ({}) ", operation);
  } else {
    o << name << ' ';
  }
  if (!print_operation(o, a, operation)) {
    // tcpdump dumps what it cannot decode, even under -q.
    hex_ascii_dump(o, b);
    return;
  }
  o << ", length ";
  o.num(length);
}

}  // namespace bpfc::dissect

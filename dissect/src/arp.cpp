// ARP and RARP (RFC 826, RFC 903, inverse ARP RFC 2390) as `tcpdump -n -q`
// prints them.
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
}  // namespace arp

constexpr Name kHardwareNames[] = {
    {1, "Ethernet"}, {6, "TokenRing"}, {7, "ArcNet"}, {15, "FrameRelay"},
    {23, "Strip"},   {24, "IEEE 1394"}, {19, "ATM"},  {32, "InfiniBand"},
};

// Where the variable-length addresses are.
struct ArpAddresses {
  uint32_t hardware_length, protocol_length;
  uint32_t sender_hardware, sender_protocol, target_hardware, target_protocol;

  ArpAddresses(uint32_t hardware, uint32_t protocol) : hardware_length(hardware), protocol_length(protocol) {
    sender_hardware = arp::kSenderHardware;
    sender_protocol = sender_hardware + hardware_length;
    target_hardware = sender_protocol + protocol_length;
    target_protocol = target_hardware + hardware_length;
  }
};

// ARP for a protocol other than IPv4, or without hardware addresses: the
// types and lengths only.
void print_other_arp(Text& o, const Bytes& b, const ArpAddresses& a, uint32_t length) {
  uint16_t hardware = b.u16(arp::kHardwareType), protocol = b.u16(arp::kProtocolType);
  std::string_view hardware_name = name_of(kHardwareNames, hardware);
  if (hardware_name.empty()) {
    o.print("Unknown Hardware ({})", hardware);
  } else {
    o << hardware_name;
  }
  o.print(" (len {}), ", a.hardware_length);
  std::string_view protocol_name = ethertype_name(protocol);
  if (protocol_name.empty()) {
    o << "Unknown Protocol (0x";
    o.hex4(protocol) << ')';
  } else {
    o << protocol_name;
  }
  o.print(" (len {}), length {}", a.protocol_length, length);
}

}  // namespace

void print_arp(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, arp::kSenderHardware)) return o.truncated("arp");
  uint16_t hardware = b.u16(arp::kHardwareType), protocol = b.u16(arp::kProtocolType);
  uint16_t operation = b.u16(arp::kOperation);
  if (hardware == arp::kHardwareAtm) {
    // ATM ARP (RFC 2225) has its own layout, which bpfc does not dissect.
    o.print("ARP, ATM, length {}", length);
    return;
  }
  ArpAddresses a(b.u8(arp::kHardwareLength), b.u8(arp::kProtocolLength));
  if (!b.has(a.target_protocol, a.protocol_length)) return o.truncated("arp");
  o << "ARP, ";
  bool ip_addresses = (protocol == 0x0800 || protocol == 0x1000) && a.protocol_length == 4;
  if (!ip_addresses || a.hardware_length == 0) return print_other_arp(o, b, a, length);
  auto protocol_address = [&](uint32_t offset) { o.ipv4(b.at(offset)); };
  auto hardware_address = [&](uint32_t offset) { o.linkaddr(b.at(offset), a.hardware_length); };
  switch (operation) {
    case 1: {
      o << "Request who-has ";
      protocol_address(a.target_protocol);
      bool target_known = false;
      for (uint32_t i = 0; i < a.hardware_length; ++i) target_known |= b.u8(a.target_hardware + i) != 0;
      if (target_known) {
        o << " (";
        hardware_address(a.target_hardware);
        o << ')';
      }
      o << " tell ";
      protocol_address(a.sender_protocol);
      break;
    }
    case 2:
      o << "Reply ";
      protocol_address(a.sender_protocol);
      o << " is-at ";
      hardware_address(a.sender_hardware);
      break;
    case 3:
    case 8:
      o << (operation == 3 ? "Reverse Request who-is " : "Inverse Request who-is ");
      hardware_address(a.target_hardware);
      o << " tell ";
      hardware_address(a.sender_hardware);
      break;
    case 4:
      o << "Reverse Reply ";
      hardware_address(a.target_hardware);
      o << " at ";
      protocol_address(a.target_protocol);
      break;
    case 9:
      o << "Inverse Reply ";
      hardware_address(a.sender_hardware);
      o << " at ";
      protocol_address(a.sender_protocol);
      break;
    case 10:
      o << "NACK Reply ";  // tcpdump follows this with a hex dump
      return;
    default:
      o.print("Unknown ({}) ", operation);
      return;
  }
  o.print(", length {}", length);
}

}  // namespace bpfc::dissect

// Linux cooked captures (DLT_LINUX_SLL and DLT_LINUX_SLL2) as
// `tcpdump -n -q` prints them.
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace sll {
constexpr uint32_t kPacketType = 0;
constexpr uint32_t kAddressLength = 4;
constexpr uint32_t kAddress = 6;
constexpr uint32_t kProtocol = 14;
constexpr uint32_t kHeader = 16;
}  // namespace sll

namespace sll2 {
constexpr uint32_t kProtocol = 0;
constexpr uint32_t kInterfaceIndex = 4;
constexpr uint32_t kPacketType = 10;
constexpr uint32_t kAddressLength = 11;
constexpr uint32_t kAddress = 12;
constexpr uint32_t kHeader = 20;
}  // namespace sll2

constexpr uint16_t kMaxLength = 1500;  // protocol values up to this are not ethertypes
constexpr uint16_t kVlan = 0x8100;
constexpr uint16_t kNovellRaw = 0x0001;
constexpr uint16_t kLlc = 0x0004;
constexpr uint32_t kTag = 4;
constexpr uint32_t kTaggedType = 2;

constexpr Name kPacketTypes[] = {{0, "In"}, {1, "B"}, {2, "M"}, {3, "P"}, {4, "Out"}};

std::string_view packet_type_name(uint32_t type) {
  std::string_view name = name_of(kPacketTypes, type);
  return name.empty() ? "?" : name;
}

// The part of an SLL/SLL2 packet after the cooked header: `type` is its
// protocol field, `header_length` the cooked header's. `describe` prints
// tcpdump's summary of the cooked header, which it shows for -e and for an
// ethertype it cannot dissect.
template <typename DescribeHeader>
void print_cooked_payload(Context& c, uint16_t type, Bytes b, uint32_t length, uint32_t header_length,
                          DescribeHeader describe) {
  if (c.options.link_header) describe();
  while (true) {
    if (type <= kMaxLength) {
      // Not an ethertype: Linux's codes for Novell's raw 802.3 (IPX) and
      // for 802.2 LLC; others carry nothing tcpdump prints.
      if (type == kNovellRaw) {
        print_ipx(c, b, length);
      } else if (type == kLlc) {
        int llc_length = print_llc(c, b, length, {});
        if (llc_length > 0) header_length += static_cast<uint32_t>(llc_length);
      }
      c.link_header_length = header_length;
      return;
    }
    if (type != kVlan) break;
    if (b.size < kTag) {
      c.link_header_length = header_length + b.size;
      return c.o.truncated("vlan");
    }
    if (c.options.link_header) {
      uint16_t tci = b.u16(0);
      c.o.print("vlan {}, p {}{}, ", tci & 0xfff, tci >> 13, (tci & 0x1000) != 0 ? ", DEI" : "");
    }
    type = b.u16(kTaggedType);
    if (type <= kMaxLength) type = kLlc;
    b = b.from(kTag);
    length -= kTag;
    header_length += kTag;
  }
  if (!print_ethertype_payload(c, type, b, length) && !c.options.link_header) describe();
  // tcpdump counts the cooked header only once the payload is printed.
  c.link_header_length = header_length;
}

}  // namespace

void print_linux_sll(Context& c, Bytes b, uint32_t length) {
  if (!b.has(0, sll::kHeader)) return c.give_up("sll");
  Bytes header = b;
  if (c.facts != nullptr) {
    c.facts->ethertype = header.u16(sll::kProtocol);
    if (header.u16(sll::kAddressLength) == 6) c.facts->mac_source = header.at(sll::kAddress);
  }
  print_cooked_payload(c, header.u16(sll::kProtocol), b.from(sll::kHeader), length - sll::kHeader, sll::kHeader, [&] {
    c.o.right(packet_type_name(header.u16(sll::kPacketType)), 3) << ' ';
    if (header.u16(sll::kAddressLength) == 6) c.o.mac(header.at(sll::kAddress)) << ' ';
  });
}

void print_linux_sll2(Context& c, Bytes b, uint32_t length) {
  if (!b.has(0, sll2::kHeader)) return c.give_up("sll2");
  Bytes header = b;
  if (c.facts != nullptr) {
    c.facts->ethertype = header.u16(sll2::kProtocol);
    if (header.u8(sll2::kAddressLength) == 6) c.facts->mac_source = header.at(sll2::kAddress);
  }
  // tcpdump names the interface as the machine reading the file knows the
  // index, which says nothing about the machine that captured it.
  char interface[16];
  auto end = fmt::format_to_n(interface, sizeof interface, "if{}", header.u32(sll2::kInterfaceIndex)).out;
  c.o.left(std::string_view(interface, static_cast<size_t>(end - interface)), 5) << ' ';
  c.o.left(packet_type_name(header.u8(sll2::kPacketType)), 3) << ' ';
  print_cooked_payload(c, header.u16(sll2::kProtocol), b.from(sll2::kHeader), length - sll2::kHeader, sll2::kHeader,
                       [&] {
                         c.o.print("ifindex {} ", header.u32(sll2::kInterfaceIndex));
                         if (header.u8(sll2::kAddressLength) == 6) c.o.mac(header.at(sll2::kAddress)) << ' ';
                       });
}

}  // namespace bpfc::dissect

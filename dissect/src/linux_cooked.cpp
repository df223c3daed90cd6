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

constexpr Name kPacketTypes[] = {{0, "In"}, {1, "B"}, {2, "M"}, {3, "P"}, {4, "Out"}};

std::string_view packet_type_name(uint32_t type) {
  std::string_view name = name_of(kPacketTypes, type);
  return name.empty() ? "?" : name;
}

// The part of an SLL/SLL2 line after the cooked header: `type` is its
// protocol field. `describe` prints tcpdump's header summary for an
// ethertype it cannot dissect.
template <typename DescribeHeader>
void print_cooked_payload(Context& c, uint16_t type, Bytes b, uint32_t length, DescribeHeader describe) {
  while (true) {
    if (type <= kMaxLength) {
      // 802.2 LLC, Novell 802.3 and other non-ethertype payloads: tcpdump
      // dissects LLC and IPX, bpfc names them.
      c.o << (type == 0x0001 ? "802.3" : type == 0x0004 ? "802.2" : "non-ethertype payload");
      c.o.print(", length {}", length);
      return;
    }
    if (type != kVlan) break;
    if (b.size < 4) return c.o.truncated("vlan");
    type = b.u16(2);
    if (type <= kMaxLength) type = 0x0004;
    b = b.from(4);
    length -= 4;
  }
  if (!print_ethertype_payload(c, type, b, length)) describe();
}

}  // namespace

void print_linux_sll(Context& c, Bytes b, uint32_t length) {
  if (!b.has(0, sll::kHeader)) return c.o.truncated("sll");
  Bytes header = b;
  print_cooked_payload(c, header.u16(sll::kProtocol), b.from(sll::kHeader), length - sll::kHeader, [&] {
    c.o.right(packet_type_name(header.u16(sll::kPacketType)), 3) << ' ';
    if (header.u16(sll::kAddressLength) == 6) c.o.mac(header.at(sll::kAddress)) << ' ';
  });
}

void print_linux_sll2(Context& c, Bytes b, uint32_t length) {
  if (!b.has(0, sll2::kHeader)) return c.o.truncated("sll2");
  Bytes header = b;
  // tcpdump names the interface as the machine reading the file knows the
  // index, which says nothing about the machine that captured it.
  char interface[16];
  auto end = fmt::format_to_n(interface, sizeof interface, "if{}", header.u32(sll2::kInterfaceIndex)).out;
  c.o.left(std::string_view(interface, static_cast<size_t>(end - interface)), 5) << ' ';
  c.o.left(packet_type_name(header.u8(sll2::kPacketType)), 3) << ' ';
  print_cooked_payload(c, header.u16(sll2::kProtocol), b.from(sll2::kHeader), length - sll2::kHeader, [&] {
    c.o.print("ifindex {} ", header.u32(sll2::kInterfaceIndex));
    if (header.u8(sll2::kAddressLength) == 6) c.o.mac(header.at(sll2::kAddress)) << ' ';
  });
}

}  // namespace bpfc::dissect

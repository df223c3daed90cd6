#include "frame.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "cooked_program.h"

namespace bpfc::capture::live {
namespace {

constexpr uint32_t kMacAddressesBytes = 12;  // where the EtherType (or a tag) starts
constexpr uint16_t kTpid8021Q = 0x8100;

// The first byte before the packet that may be overwritten: after the
// tpacket header and the link address that follows it.
const uint8_t* room_start(const tpacket3_hdr* header) {
  return reinterpret_cast<const uint8_t*>(link_address(header)) + sizeof(sockaddr_ll);
}

void store_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void store_be32(uint8_t* p, uint32_t v) {
  store_be16(p, static_cast<uint16_t>(v >> 16));
  store_be16(p + 2, static_cast<uint16_t>(v));
}

}  // namespace

bool kernel_view(tpacket3_hdr* header, bool cooked, FrameView& frame) {
  const sockaddr_ll* address = link_address(header);
  uint8_t* data = reinterpret_cast<uint8_t*>(header) + header->tp_mac;
  frame.caplen = header->tp_snaplen;
  frame.wirelen = header->tp_len;
  frame.info.protocol = ntohs(address->sll_protocol);
  frame.info.packet_type = address->sll_pkttype;
  frame.info.ifindex = static_cast<uint32_t>(address->sll_ifindex);
  frame.vlan_tag_present = (header->tp_status & TP_STATUS_VLAN_VALID) != 0 || header->hv1.tp_vlan_tci != 0;
  frame.info.vlan_tag_present = frame.vlan_tag_present;
  frame.info.vlan_tci = frame.vlan_tag_present ? header->hv1.tp_vlan_tci : 0;
  const bool tpid_known = (header->tp_status & TP_STATUS_VLAN_TPID_VALID) != 0 || header->hv1.tp_vlan_tpid != 0;
  frame.vlan_tpid = tpid_known ? header->hv1.tp_vlan_tpid : kTpid8021Q;
  if (cooked) {
    if (data - kSll2HeaderBytes < room_start(header)) return false;
    data -= kSll2HeaderBytes;
    // LINUX_SLL2: protocol, reserved, interface index, hardware type,
    // packet type, address length, 8 address bytes.
    std::memcpy(data, &address->sll_protocol, 2);
    store_be16(data + 2, 0);
    store_be32(data + 4, static_cast<uint32_t>(address->sll_ifindex));
    store_be16(data + 8, address->sll_hatype);
    data[10] = address->sll_pkttype;
    data[11] = address->sll_halen;
    // The kernel fills sll_halen address bytes; the rest of the field is
    // whatever the ring held there before: zero it.
    const size_t address_bytes = std::min<size_t>(address->sll_halen, 8);
    std::memcpy(data + 12, address->sll_addr, address_bytes);
    std::memset(data + 12 + address_bytes, 0, 8 - address_bytes);
    // libpcap adds the header to the captured length only: a user-space
    // filter's `len` is the kernel's, from the network header on.
    frame.caplen += kSll2HeaderBytes;
  }
  frame.data = data;
  return true;
}

bool reinsert_vlan_tag(tpacket3_hdr* header, FrameView& frame) {
  if (!frame.vlan_tag_present || frame.caplen < kMacAddressesBytes) return true;
  if (frame.data - kVlanTagBytes < room_start(header)) return false;
  uint8_t* moved = frame.data - kVlanTagBytes;
  std::memmove(moved, frame.data, kMacAddressesBytes);
  store_be16(moved + kMacAddressesBytes, frame.vlan_tpid);
  store_be16(moved + kMacAddressesBytes + 2, frame.info.vlan_tci);
  frame.data = moved;
  frame.caplen += kVlanTagBytes;
  frame.wirelen += kVlanTagBytes;
  return true;
}

}  // namespace bpfc::capture::live

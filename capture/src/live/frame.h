// One packet of a TPACKET_V3 block turned into what the capture delivers:
// the LINUX_SLL2 header built in front of a cooked packet, and a VLAN tag
// the kernel took off put back where it was (libpcap's Linux layout), both
// in place in the ring. The kernel leaves room before each packet for them
// (its header alignment plus the PACKET_RESERVE bytes asked for).
#pragma once

#include <linux/if_packet.h>

#include <cstdint>

#include "bpfc/capture/live.h"

namespace bpfc::capture::live {

inline constexpr uint32_t kVlanTagBytes = 4;

struct FrameView {
  uint8_t* data = nullptr;
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
  KernelPacketInfo info;
  bool vlan_tag_present = false;  // the kernel took one off
  uint16_t vlan_tpid = 0;
};

inline const tpacket3_hdr* first_packet(const uint8_t* block) {
  const auto* descriptor = reinterpret_cast<const tpacket_block_desc*>(block);
  return reinterpret_cast<const tpacket3_hdr*>(block + descriptor->hdr.bh1.offset_to_first_pkt);
}

inline uint32_t packets_in(const uint8_t* block) {
  return reinterpret_cast<const tpacket_block_desc*>(block)->hdr.bh1.num_pkts;
}

inline const sockaddr_ll* link_address(const tpacket3_hdr* header) {
  return reinterpret_cast<const sockaddr_ll*>(reinterpret_cast<const uint8_t*>(header) +
                                              TPACKET_ALIGN(sizeof(tpacket3_hdr)));
}

// The packet as the kernel's filter saw it (a cooked one with its SLL2
// header built in front), with its metadata. False when the ring left no
// room for the header (never with the reserve asked for).
bool kernel_view(tpacket3_hdr* header, bool cooked, FrameView& frame);

// Puts the stripped VLAN tag back after the MAC addresses of an Ethernet
// frame (when the captured part reaches that far), growing both lengths.
// False when there is no room before the frame.
bool reinsert_vlan_tag(tpacket3_hdr* header, FrameView& frame);

}  // namespace bpfc::capture::live

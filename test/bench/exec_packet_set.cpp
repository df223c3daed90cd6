#include "exec_packet_set.h"

#include <cstring>

#include "or_lists.h"
#include "traffic_generator.h"

namespace bpfc::bench {
namespace {

constexpr uint64_t kSeed = 1;
constexpr size_t kPcapFileHeader = 24;
constexpr size_t kPcapRecordHeader = 16;
constexpr size_t kCaplenOffset = 8;
constexpr size_t kEtherTypeOffset = 12;
constexpr size_t kVlanTagBytes = 4;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr size_t kIpv4Source = 12, kIpv4Destination = 16;
constexpr size_t kArpSenderIp = 14, kArpTargetIp = 24;
constexpr uint8_t kLocalNet[3] = {192, 168, 1};
constexpr uint8_t kLocalHosts = 64;
constexpr size_t kListStride = 15;

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// 192.168.1.h with h < 64 becomes list host 1 + 15h.
void renumber(uint8_t* address) {
  if (address[0] != kLocalNet[0] || address[1] != kLocalNet[1] || address[2] != kLocalNet[2] ||
      address[3] >= kLocalHosts) {
    return;
  }
  const uint32_t host = list_host(1 + kListStride * address[3]);
  for (int i = 0; i < 4; ++i) address[i] = static_cast<uint8_t>(host >> (24 - 8 * i));
}

void renumber_frame(uint8_t* frame, size_t length) {
  size_t type_at = kEtherTypeOffset;
  if (length >= type_at + 2 && get16(frame + type_at) == kEtherTypeVlan) type_at += kVlanTagBytes;
  if (length < type_at + 2) return;
  uint8_t* body = frame + type_at + 2;
  const size_t body_length = length - (type_at + 2);
  const uint16_t type = get16(frame + type_at);
  if (type == kEtherTypeIpv4 && body_length >= kIpv4Destination + 4) {
    renumber(body + kIpv4Source);
    renumber(body + kIpv4Destination);
  } else if (type == kEtherTypeArp && body_length >= kArpTargetIp + 4) {
    renumber(body + kArpSenderIp);
    renumber(body + kArpTargetIp);
  }
}

}  // namespace

PacketSet make_exec_packet_set(size_t count) {
  // Room for `count` records of the largest size: the capture holds at least that many.
  const std::vector<uint8_t> capture =
      generate_pcap(kPcapFileHeader + count * (kPcapRecordHeader + kMaxFrameBytes), kSeed);
  PacketSet set;
  size_t at = kPcapFileHeader;
  while (set.packets.size() < count && at + kPcapRecordHeader <= capture.size()) {
    uint32_t caplen;
    std::memcpy(&caplen, &capture[at + kCaplenOffset], sizeof caplen);  // the machine's byte order
    const uint8_t* frame = &capture[at + kPcapRecordHeader];
    at += kPcapRecordHeader + caplen;
    if (at > capture.size()) break;
    set.packets.push_back(PacketSet::Packet{set.bytes.size(), caplen});
    set.bytes.insert(set.bytes.end(), frame, frame + caplen);
    renumber_frame(set.bytes.data() + set.packets.back().offset, caplen);
  }
  return set;
}

}  // namespace bpfc::bench

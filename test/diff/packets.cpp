#include "packets.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <filesystem>

#include "rng.h"

namespace bpfc::difftest {
namespace {

// Where the network layer starts under the supported link layers, with and
// without VLAN tags: raw IP, NULL/LOOP, Ethernet, Linux SLL, one VLAN tag,
// SLL2, two VLAN tags.
constexpr uint32_t kNetworkOffsets[] = {0, 4, 14, 16, 18, 20, 22};

// 16-bit values worth writing where a link layer keeps its protocol type.
constexpr uint16_t kEthertypes[] = {0x0800, 0x86dd, 0x0806, 0x8035, 0x8100, 0x88a8, 0x9100,
                                    0x8847, 0x8848, 0x8863, 0x8864, 0x05dc, 0x0600, 0x0000};
// Offsets of those fields: Ethernet type, type after one and two VLAN tags,
// SLL protocol, SLL2 protocol, and NULL/LOOP's address family.
constexpr uint32_t kTypeFieldOffsets[] = {12, 16, 20, 14, 0, 2};
constexpr uint8_t kVersionIhl[] = {0x45, 0x46, 0x4f, 0x44, 0x40, 0x60, 0x65, 0x00};
constexpr uint8_t kProtocols[] = {1, 2, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 103, 112, 132, 0, 255};
constexpr uint8_t kFragmentHigh[] = {0x00, 0x20, 0x40, 0x1f, 0xff, 0x60};
constexpr uint16_t kPorts[] = {0, 22, 53, 80, 443, 1024, 8080, 65535, 67, 68, 4789, 6081};

template <typename T, size_t N>
T pick(Rng& rng, const T (&values)[N]) {
  return values[rng.below(N)];
}

void put16(std::vector<uint8_t>& bytes, uint32_t offset, uint16_t value) {
  if (offset + 2 > bytes.size()) return;
  bytes[offset] = static_cast<uint8_t>(value >> 8);
  bytes[offset + 1] = static_cast<uint8_t>(value);
}

void put8(std::vector<uint8_t>& bytes, uint32_t offset, uint8_t value) {
  if (offset < bytes.size()) bytes[offset] = value;
}

void mutate_once(std::vector<uint8_t>& bytes, Rng& rng) {
  if (bytes.empty()) return;
  uint32_t net = pick(rng, kNetworkOffsets);
  switch (rng.below(8)) {
    case 0:  // link-layer protocol type
      put16(bytes, pick(rng, kTypeFieldOffsets), pick(rng, kEthertypes));
      break;
    case 1:  // VLAN id (after the TPID at 12) or a random TCI
      put16(bytes, 14 + 4 * rng.below(2), static_cast<uint16_t>(rng.percent(50) ? rng.below(4096) : rng.next()));
      break;
    case 2:  // IP version and header length
      put8(bytes, net, pick(rng, kVersionIhl));
      break;
    case 3:  // IPv4 protocol, or IPv6 next header
      put8(bytes, net + (rng.percent(50) ? 9 : 6), pick(rng, kProtocols));
      break;
    case 4:  // IPv4 flags and fragment offset
      put8(bytes, net + 6, pick(rng, kFragmentHigh));
      put8(bytes, net + 7, rng.percent(50) ? 0 : rng.byte());
      break;
    case 5: {  // a port, after an IPv4 (20 or 24 bytes) or IPv6 header
      constexpr uint32_t kTransportStarts[] = {20, 24, 40};
      put16(bytes, net + pick(rng, kTransportStarts) + 2 * rng.below(2), pick(rng, kPorts));
      break;
    }
    default:  // anywhere
      bytes[rng.below(static_cast<uint32_t>(bytes.size()))] = rng.byte();
      break;
  }
}

}  // namespace

std::vector<Savefile> read_savefiles(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  std::vector<Savefile> savefiles;
  for (const auto& path : paths) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
    if (handle == nullptr) continue;
    Savefile savefile;
    savefile.name = path.filename().string();
    savefile.linktype = static_cast<uint32_t>(pcap_datalink(handle));
    savefile.snaplen = static_cast<uint32_t>(pcap_snapshot(handle));
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1) {
      Packet packet;
      packet.bytes.assign(data, data + header->caplen);
      packet.wirelen = header->len;
      packet.origin = savefile.name + " packet " + std::to_string(savefile.packets.size() + 1);
      savefile.packets.push_back(std::move(packet));
    }
    pcap_close(handle);
    savefiles.push_back(std::move(savefile));
  }
  return savefiles;
}

std::vector<Packet> mutate_packets(const std::vector<Packet>& originals, int per_packet, uint64_t seed) {
  Rng rng(seed);
  std::vector<Packet> mutants;
  for (const Packet& original : originals) {
    for (int i = 0; i < per_packet; ++i) {
      Packet mutant = original;
      int changes = 1 + static_cast<int>(rng.below(3));
      for (int c = 0; c < changes; ++c) mutate_once(mutant.bytes, rng);
      mutant.origin = "mutant " + std::to_string(i + 1) + " of " + original.origin;
      mutants.push_back(std::move(mutant));
    }
  }
  return mutants;
}

void add_truncations(const std::vector<Packet>& packets, std::vector<PacketView>& views) {
  for (const Packet& packet : packets) {
    for (uint32_t caplen = 0; caplen <= packet.bytes.size(); ++caplen) views.push_back({&packet, caplen});
  }
}

void add_whole(const std::vector<Packet>& packets, std::vector<PacketView>& views) {
  for (const Packet& packet : packets) views.push_back({&packet, static_cast<uint32_t>(packet.bytes.size())});
}

std::string hex(const uint8_t* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    text.push_back(kDigits[bytes[i] >> 4]);
    text.push_back(kDigits[bytes[i] & 0xf]);
  }
  return text;
}

}  // namespace bpfc::difftest

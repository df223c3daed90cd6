#include "traffic_generator.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace bpfc::bench {
namespace {

constexpr uint16_t kEtherTypeIPv4 = 0x0800;
constexpr uint16_t kEtherTypeIPv6 = 0x86dd;
constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmpv6 = 58;

constexpr size_t kEthernetHeader = 14;
constexpr size_t kVlanTag = 4;
constexpr size_t kIPv4Header = 20;
constexpr size_t kIPv6Header = 40;
constexpr size_t kTcpHeaderWithTimestamps = 32;
constexpr size_t kTcpSynHeader = 40;
constexpr size_t kUdpHeader = 8;
constexpr size_t kIpMtu = 1500;
constexpr size_t kPayloadPoolBytes = 64 * 1024;

// Timestamps start at 2023-11-14 22:13:20 UTC.
constexpr uint64_t kStartSeconds = 1700000000;

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

uint16_t ipv4_header_checksum(const uint8_t* header) {
  uint32_t sum = 0;
  for (size_t i = 0; i < kIPv4Header; i += 2) sum += static_cast<uint32_t>(header[i] << 8 | header[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

enum class Service : uint8_t { Http, Https, Ssh, TcpOther, Dns, Quic, UdpOther, Ping, Arp };

// Share of flows (and so of packets) per service, in per mille.
struct ServiceWeight {
  Service service;
  uint32_t per_mille;
};
constexpr std::array kServiceMix = {
    ServiceWeight{Service::Http, 180},    ServiceWeight{Service::Https, 350}, ServiceWeight{Service::Ssh, 50},
    ServiceWeight{Service::TcpOther, 100}, ServiceWeight{Service::Dns, 60},   ServiceWeight{Service::Quic, 160},
    ServiceWeight{Service::UdpOther, 60},  ServiceWeight{Service::Ping, 37},  ServiceWeight{Service::Arp, 3},
};

constexpr std::array<uint16_t, 8> kOtherTcpPorts = {8080, 3306, 5432, 6379, 25, 993, 9092, 27017};
constexpr std::array<uint16_t, 5> kOtherUdpPorts = {123, 5353, 1900, 51820, 4789};

constexpr size_t kFlowCount = 4096;
constexpr uint32_t kNewFlowOneIn = 400;  // flow churn: how often a packet starts a new flow

}  // namespace

struct TrafficGenerator::Flow {
  Service service = Service::Http;
  bool ipv6 = false;
  bool vlan = false;
  uint16_t vlan_id = 0;
  std::array<uint8_t, 6> client_mac{};
  std::array<uint8_t, 6> server_mac{};
  std::array<uint8_t, 16> client_ip{};
  std::array<uint8_t, 16> server_ip{};
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  uint32_t client_seq = 0;
  uint32_t server_seq = 0;
  uint32_t packets = 0;  // sent so far: the first three are the TCP handshake
};

TrafficGenerator::TrafficGenerator(uint64_t seed)
    : state_(seed * 0x9E3779B97F4A7C15ull | 1), now_us_(kStartSeconds * 1000000) {
  payload_pool_.resize(kPayloadPoolBytes + kMaxFrameBytes);
  for (size_t i = 0; i < payload_pool_.size(); i += 8) {
    uint64_t r = random();
    std::memcpy(&payload_pool_[i], &r, std::min<size_t>(8, payload_pool_.size() - i));
  }
  flows_.reserve(kFlowCount);
  for (size_t i = 0; i < kFlowCount; ++i) {
    flows_.push_back(make_flow());
    flows_.back().packets = 3;  // flows that exist at the start are past their handshake
  }
}

// xorshift64*: fast, and good enough to make traffic look varied.
uint64_t TrafficGenerator::random() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1Dull;
}

TrafficGenerator::Flow TrafficGenerator::make_flow() {
  Flow flow;
  uint32_t pick = below(1000);
  for (const ServiceWeight& w : kServiceMix) {
    if (pick < w.per_mille) {
      flow.service = w.service;
      break;
    }
    pick -= w.per_mille;
  }
  flow.ipv6 = below(100) < 30;
  flow.vlan = below(100) < 5;
  flow.vlan_id = static_cast<uint16_t>(10 + below(20));
  // 64 local hosts behind one gateway.
  const uint8_t host = static_cast<uint8_t>(below(64));
  flow.client_mac = {0x00, 0x1b, 0x21, 0x10, 0x00, host};
  flow.server_mac = {0x00, 0x0c, 0x29, 0xaa, 0xbb, 0x01};
  const uint32_t server = static_cast<uint32_t>(random());
  if (flow.ipv6) {
    flow.client_ip = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, host};
    flow.server_ip = {0x2a, 0x00, 0x14, 0x50, 0x40, 0x01, 0x08, 0x00, 0, 0, 0, 0,
                      static_cast<uint8_t>(server >> 24), static_cast<uint8_t>(server >> 16),
                      static_cast<uint8_t>(server >> 8), static_cast<uint8_t>(server)};
  } else {
    flow.client_ip = {192, 168, 1, host};
    const uint8_t first = std::array<uint8_t, 4>{93, 142, 151, 104}[server & 3];
    flow.server_ip = {first, static_cast<uint8_t>(server >> 8), static_cast<uint8_t>(server >> 16),
                      static_cast<uint8_t>(1 + (server >> 24) % 254)};
  }
  flow.client_port = static_cast<uint16_t>(32768 + below(28000));
  switch (flow.service) {
    case Service::Http: flow.server_port = 80; break;
    case Service::Https: flow.server_port = 443; break;
    case Service::Ssh: flow.server_port = 22; break;
    case Service::TcpOther: flow.server_port = kOtherTcpPorts[below(kOtherTcpPorts.size())]; break;
    case Service::Dns: flow.server_port = 53; break;
    case Service::Quic: flow.server_port = 443; break;
    case Service::UdpOther: flow.server_port = kOtherUdpPorts[below(kOtherUdpPorts.size())]; break;
    case Service::Ping:
    case Service::Arp: break;
  }
  flow.client_seq = static_cast<uint32_t>(random());
  flow.server_seq = static_cast<uint32_t>(random());
  return flow;
}

void TrafficGenerator::fill_payload(uint8_t* out, size_t n) {
  std::memcpy(out, &payload_pool_[below(kPayloadPoolBytes)], n);
}

TrafficGenerator::Frame TrafficGenerator::next_frame(uint8_t* out) {
  now_us_ += 1 + below(20);  // about 100k packets per second
  const size_t index = below(kFlowCount);
  if (below(kNewFlowOneIn) == 0) flows_[index] = make_flow();
  Flow& flow = flows_[index];
  if (flow.service == Service::Arp) return {now_us_, write_arp(out)};

  // Servers send more packets than clients (downloads dominate); the
  // handshake goes client, server, client.
  const bool from_client = flow.packets < 3 ? flow.packets != 1 : below(100) < 40;
  uint8_t* p = out;
  std::memcpy(p, from_client ? flow.server_mac.data() : flow.client_mac.data(), 6);
  std::memcpy(p + 6, from_client ? flow.client_mac.data() : flow.server_mac.data(), 6);
  p += 12;
  if (flow.vlan) {
    put16(p, kEtherTypeVlan);
    put16(p + 2, flow.vlan_id);
    p += kVlanTag;
  }
  put16(p, flow.ipv6 ? kEtherTypeIPv6 : kEtherTypeIPv4);
  p += 2;

  uint8_t* ip = p;
  uint8_t* l4 = ip + (flow.ipv6 ? kIPv6Header : kIPv4Header);
  uint8_t protocol;
  size_t l4_length;
  switch (flow.service) {
    case Service::Http:
    case Service::Https:
    case Service::Ssh:
    case Service::TcpOther:
      protocol = kProtoTcp;
      l4_length = write_tcp(flow, from_client, l4);
      break;
    case Service::Dns:
    case Service::Quic:
    case Service::UdpOther:
      protocol = kProtoUdp;
      l4_length = write_udp(flow, from_client, l4);
      break;
    default:
      protocol = flow.ipv6 ? kProtoIcmpv6 : kProtoIcmp;
      l4_length = write_icmp(flow, from_client, l4);
      break;
  }
  ++flow.packets;

  const auto& src = from_client ? flow.client_ip : flow.server_ip;
  const auto& dst = from_client ? flow.server_ip : flow.client_ip;
  if (flow.ipv6) {
    put32(ip, 0x60000000u | (static_cast<uint32_t>(flow.client_port) << 4));  // flow label from the port
    put16(ip + 4, static_cast<uint16_t>(l4_length));
    ip[6] = protocol;
    ip[7] = from_client ? 64 : 57;
    std::memcpy(ip + 8, src.data(), 16);
    std::memcpy(ip + 24, dst.data(), 16);
  } else {
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, static_cast<uint16_t>(kIPv4Header + l4_length));
    put16(ip + 4, static_cast<uint16_t>(random()));
    put16(ip + 6, protocol == kProtoTcp ? 0x4000 : 0);  // TCP sets don't-fragment
    ip[8] = from_client ? 64 : 55;
    ip[9] = protocol;
    put16(ip + 10, 0);
    std::memcpy(ip + 12, src.data(), 4);
    std::memcpy(ip + 16, dst.data(), 4);
    put16(ip + 10, ipv4_header_checksum(ip));
  }
  return {now_us_, static_cast<size_t>(l4 + l4_length - out)};
}

size_t TrafficGenerator::write_tcp(Flow& flow, bool from_client, uint8_t* l4) {
  const size_t ip_header = flow.ipv6 ? kIPv6Header : kIPv4Header;
  const size_t mss = kIpMtu - ip_header - kTcpHeaderWithTimestamps;
  enum : uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10 };
  uint8_t flags = kAck;
  size_t header = kTcpHeaderWithTimestamps;
  size_t payload = 0;
  if (flow.packets < 3) {
    flags = flow.packets == 0 ? kSyn : flow.packets == 1 ? kSyn | kAck : kAck;
    header = flow.packets == 2 ? kTcpHeaderWithTimestamps : kTcpSynHeader;
  } else {
    const uint32_t roll = below(100);
    switch (flow.service) {
      case Service::Ssh:  // interactive: small segments both ways, some bulk (scp)
        payload = roll < 20 ? 0 : roll < 90 ? 36 + below(164) : mss;
        break;
      case Service::TcpOther:
        payload = roll < 40 ? 0 : roll < 70 ? 1 + below(300) : mss;
        break;
      default:  // web: clients send requests and ACKs, servers send full segments
        if (from_client) {
          payload = roll < 75 ? 0 : (flow.service == Service::Http ? 300 + below(600) : 100 + below(500));
        } else {
          payload = roll < 10 ? 0 : roll < 80 ? mss : 200 + below(static_cast<uint32_t>(mss - 200));
        }
        break;
    }
    if (payload > 0) flags |= kPsh;
    if (below(1000) < 3) flags = below(2) ? (kFin | kAck) : (kRst | kAck);
  }

  uint32_t& seq = from_client ? flow.client_seq : flow.server_seq;
  const uint32_t ack = from_client ? flow.server_seq : flow.client_seq;
  put16(l4, from_client ? flow.client_port : flow.server_port);
  put16(l4 + 2, from_client ? flow.server_port : flow.client_port);
  put32(l4 + 4, seq);
  put32(l4 + 8, (flags & kAck) ? ack : 0);
  l4[12] = static_cast<uint8_t>((header / 4) << 4);
  l4[13] = flags;
  put16(l4 + 14, 502);                                    // window (scaled)
  put16(l4 + 16, static_cast<uint16_t>(random()));        // checksum (offloaded: not computed)
  put16(l4 + 18, 0);
  uint8_t* options = l4 + 20;
  if (header == kTcpSynHeader) {
    const uint8_t syn_options[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7};
    std::memcpy(options, syn_options, sizeof syn_options);
    put32(options + 8, static_cast<uint32_t>(now_us_ / 1000));
  } else {
    const uint8_t timestamp_options[12] = {1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(options, timestamp_options, sizeof timestamp_options);
    put32(options + 4, static_cast<uint32_t>(now_us_ / 1000));
    put32(options + 8, static_cast<uint32_t>(now_us_ / 1000 - 20));
  }
  fill_payload(l4 + header, payload);
  seq += static_cast<uint32_t>(payload) + ((flags & (kSyn | kFin)) ? 1 : 0);
  return header + payload;
}

size_t TrafficGenerator::write_udp(const Flow& flow, bool from_client, uint8_t* l4) {
  const size_t ip_header = flow.ipv6 ? kIPv6Header : kIPv4Header;
  const size_t max_payload = kIpMtu - ip_header - kUdpHeader;
  uint8_t* data = l4 + kUdpHeader;
  size_t payload;
  switch (flow.service) {
    case Service::Dns:
      payload = from_client ? 30 + below(30) : 60 + below(400);
      fill_payload(data, payload);
      put16(data + 2, from_client ? 0x0100 : 0x8180);  // flags: query / response
      put16(data + 4, 1);                             // one question
      put16(data + 6, from_client ? 0 : 1 + below(4));
      break;
    case Service::Quic: {
      const uint32_t roll = below(100);
      const bool full = from_client ? roll < 30 : roll < 80;
      payload = full ? std::min<size_t>(max_payload, 1200 + below(150)) : 25 + below(60);
      fill_payload(data, payload);
      data[0] = flow.packets < 2 ? 0xc3 : 0x43;  // long header for the first packets, then short
      break;
    }
    default:
      switch (flow.server_port) {
        case 123: payload = 48; break;
        case 51820: payload = 32 + below(static_cast<uint32_t>(max_payload - 32)); break;
        case 4789: payload = 50 + below(1000); break;  // VXLAN
        default: payload = 50 + below(250); break;
      }
      fill_payload(data, payload);
      break;
  }
  put16(l4, from_client ? flow.client_port : flow.server_port);
  put16(l4 + 2, from_client ? flow.server_port : flow.client_port);
  put16(l4 + 4, static_cast<uint16_t>(kUdpHeader + payload));
  put16(l4 + 6, static_cast<uint16_t>(random()));
  return kUdpHeader + payload;
}

size_t TrafficGenerator::write_icmp(const Flow& flow, bool from_client, uint8_t* l4) {
  constexpr size_t kEchoPayload = 56;
  if (flow.ipv6 && below(4) == 0) {  // neighbour solicitation
    l4[0] = 135;
    l4[1] = 0;
    put16(l4 + 2, static_cast<uint16_t>(random()));
    put32(l4 + 4, 0);
    std::memcpy(l4 + 8, flow.server_ip.data(), 16);
    const uint8_t source_link_address[2] = {1, 1};
    std::memcpy(l4 + 24, source_link_address, 2);
    std::memcpy(l4 + 26, flow.client_mac.data(), 6);
    return 32;
  }
  const uint8_t request = flow.ipv6 ? 128 : 8;
  const uint8_t reply = flow.ipv6 ? 129 : 0;
  l4[0] = from_client ? request : reply;
  l4[1] = 0;
  put16(l4 + 2, static_cast<uint16_t>(random()));
  put16(l4 + 4, flow.client_port);        // identifier
  put16(l4 + 6, static_cast<uint16_t>(flow.packets));  // sequence
  fill_payload(l4 + 8, kEchoPayload);
  return 8 + kEchoPayload;
}

size_t TrafficGenerator::write_arp(uint8_t* out) {
  const bool request = below(2) == 0;
  const uint8_t host = static_cast<uint8_t>(below(64));
  const uint8_t client_mac[6] = {0x00, 0x1b, 0x21, 0x10, 0x00, host};
  const uint8_t gateway_mac[6] = {0x00, 0x0c, 0x29, 0xaa, 0xbb, 0x01};
  std::memset(out, request ? 0xff : 0, 6);
  if (!request) std::memcpy(out, client_mac, 6);
  std::memcpy(out + 6, request ? client_mac : gateway_mac, 6);
  put16(out + 12, kEtherTypeArp);
  uint8_t* arp = out + kEthernetHeader;
  put16(arp, 1);       // Ethernet
  put16(arp + 2, kEtherTypeIPv4);
  arp[4] = 6;
  arp[5] = 4;
  put16(arp + 6, request ? 1 : 2);
  std::memcpy(arp + 8, request ? client_mac : gateway_mac, 6);
  const uint8_t client_ip[4] = {192, 168, 1, host};
  const uint8_t gateway_ip[4] = {192, 168, 1, 254};
  std::memcpy(arp + 14, request ? client_ip : gateway_ip, 4);
  std::memset(arp + 18, 0, 6);
  if (!request) std::memcpy(arp + 18, client_mac, 6);
  std::memcpy(arp + 24, request ? gateway_ip : client_ip, 4);
  return kEthernetHeader + 28;  // 42 bytes: seen before padding on the sending host
}

void generate_pcap(uint64_t target_bytes, uint64_t seed,
                   const std::function<bool(std::span<const uint8_t>)>& emit) {
  struct FileHeader {
    uint32_t magic = 0xa1b2c3d4;  // microseconds, in the machine's byte order
    uint16_t version_major = 2;
    uint16_t version_minor = 4;
    int32_t thiszone = 0;
    uint32_t sigfigs = 0;
    uint32_t snaplen = 262144;
    uint32_t linktype = 1;  // Ethernet
  };
  struct RecordHeader {
    uint32_t seconds;
    uint32_t microseconds;
    uint32_t caplen;
    uint32_t wirelen;
  };
  constexpr size_t kChunkBytes = 4 << 20;
  constexpr size_t kMaxRecord = sizeof(RecordHeader) + kMaxFrameBytes;
  if (target_bytes < sizeof(FileHeader)) return;

  std::vector<uint8_t> chunk(kChunkBytes);
  const FileHeader file_header;
  std::memcpy(chunk.data(), &file_header, sizeof file_header);
  size_t used = sizeof file_header;
  uint64_t total = used;
  TrafficGenerator generator(seed);
  for (;;) {
    if (used + kMaxRecord > chunk.size()) {
      if (!emit({chunk.data(), used})) return;
      used = 0;
    }
    uint8_t* record = chunk.data() + used;
    const TrafficGenerator::Frame frame = generator.next_frame(record + sizeof(RecordHeader));
    if (total + sizeof(RecordHeader) + frame.length > target_bytes) break;
    const RecordHeader header{static_cast<uint32_t>(frame.timestamp_us / 1000000),
                              static_cast<uint32_t>(frame.timestamp_us % 1000000),
                              static_cast<uint32_t>(frame.length), static_cast<uint32_t>(frame.length)};
    std::memcpy(record, &header, sizeof header);
    used += sizeof header + frame.length;
    total += sizeof header + frame.length;
  }
  if (used > 0) emit({chunk.data(), used});
}

std::vector<uint8_t> generate_pcap(uint64_t target_bytes, uint64_t seed) {
  std::vector<uint8_t> file;
  file.reserve(target_bytes);
  generate_pcap(target_bytes, seed, [&file](std::span<const uint8_t> chunk) {
    file.insert(file.end(), chunk.begin(), chunk.end());
    return true;
  });
  return file;
}

}  // namespace bpfc::bench

// Savefiles for the `bpfc filter` tests: a scratch directory, packets built
// field by field, pcap files written by libpcap (test-only oracle), pcapng
// files assembled by hand (libpcap cannot write one with several link types),
// and libpcap's reading of whatever bpfc wrote.
#pragma once

#include <pcap/pcap.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/scratch_dir.h"
#include "cli_helpers.h"  // read_file, file_exists

namespace bpfc::clitest {

using Bytes = std::vector<uint8_t>;

using testsupport::ScratchDir;

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// ---- packet building (big-endian fields, no checksums: filters and
// printers do not look at them) ----

inline void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
inline Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
inline Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

inline Bytes ipv4(uint8_t protocol, const Bytes& payload, uint32_t src = 0x0a000001, uint32_t dst = 0x0a000002,
                  uint16_t fragment = 0) {
  Bytes b = {0x45, 0};
  put16(b, static_cast<uint16_t>(20 + payload.size()));
  put16(b, 1);
  put16(b, fragment);
  b.push_back(64);
  b.push_back(protocol);
  put16(b, 0);
  put32(b, src);
  put32(b, dst);
  return concat(b, payload);
}

// 2001:db8::<last>
inline Bytes ipv6_address(uint8_t last) {
  Bytes a = {0x20, 0x01, 0x0d, 0xb8};
  a.resize(16, 0);
  a[15] = last;
  return a;
}

inline Bytes ipv6(uint8_t next_header, const Bytes& payload, uint8_t src = 1, uint8_t dst = 2) {
  Bytes b;
  put32(b, 0x60000000);
  put16(b, static_cast<uint16_t>(payload.size()));
  b.push_back(next_header);
  b.push_back(64);
  b = concat(concat(b, ipv6_address(src)), ipv6_address(dst));
  return concat(b, payload);
}

inline Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags, const Bytes& payload = {}) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 1);
  put32(b, 0);
  b.push_back(0x50);
  b.push_back(flags);
  put16(b, 1000);
  put32(b, 0);
  return concat(b, payload);
}

inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload = {}) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<uint16_t>(8 + payload.size()));
  put16(b, 0);
  return concat(b, payload);
}

inline Bytes icmp(uint8_t type, uint8_t code, const Bytes& rest) {
  Bytes b = {type, code, 0, 0};
  return concat(b, rest);
}

inline Bytes ethernet(uint16_t ethertype, const Bytes& payload, const std::vector<uint16_t>& vlan_ids = {},
                      const Bytes& destination = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55}) {
  Bytes b = destination;
  Bytes source = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  b = concat(b, source);
  for (uint16_t id : vlan_ids) {
    put16(b, 0x8100);
    put16(b, id);
  }
  put16(b, ethertype);
  return concat(b, payload);
}

inline Bytes arp_request(uint32_t sender_ip, uint32_t target_ip) {
  Bytes b;
  put16(b, 1);
  put16(b, 0x0800);
  b.push_back(6);
  b.push_back(4);
  put16(b, 1);
  b = concat(b, {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb});
  put32(b, sender_ip);
  b.resize(b.size() + 6, 0);
  put32(b, target_ip);
  return b;
}

struct PcapPacket {
  int64_t timestamp_ns = 0;
  Bytes data;        // the captured bytes
  uint32_t wirelen = 0;  // 0: data.size()
};

// A pcap file written by libpcap's pcap_dump().
inline void write_pcap(const std::string& path, int dlt, const std::vector<PcapPacket>& packets,
                       bool nanosecond = false, int snaplen = 262144) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      dlt, snaplen, nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) throw std::runtime_error("pcap_dump_open failed: " + std::string(pcap_geterr(dead)));
  for (const PcapPacket& packet : packets) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(packet.timestamp_ns / 1000000000);
    int64_t fraction = packet.timestamp_ns % 1000000000;
    header.ts.tv_usec = static_cast<suseconds_t>(nanosecond ? fraction : fraction / 1000);
    header.caplen = static_cast<uint32_t>(packet.data.size());
    header.len = packet.wirelen != 0 ? packet.wirelen : header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, packet.data.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
}

// A pcapng file, little-endian, assembled block by block.
class PcapngBuilder {
 public:
  PcapngBuilder() { section(); }

  void section() {
    Bytes body;
    le32(body, 0x1a2b3c4d);
    le16(body, 1);
    le16(body, 0);
    le32(body, 0xffffffff);
    le32(body, 0xffffffff);
    block(0x0a0d0d0a, body);
  }
  // An interface with microsecond timestamps (the default if_tsresol).
  void interface(uint16_t linktype, uint32_t snaplen = 262144) {
    Bytes body;
    le16(body, linktype);
    le16(body, 0);
    le32(body, snaplen);
    block(1, body);
  }
  void packet(uint32_t interface, int64_t timestamp_us, const Bytes& data, uint32_t wirelen = 0) {
    Bytes body;
    le32(body, interface);
    le32(body, static_cast<uint32_t>(static_cast<uint64_t>(timestamp_us) >> 32));
    le32(body, static_cast<uint32_t>(timestamp_us));
    le32(body, static_cast<uint32_t>(data.size()));
    le32(body, wirelen != 0 ? wirelen : static_cast<uint32_t>(data.size()));
    body.insert(body.end(), data.begin(), data.end());
    while (body.size() % 4 != 0) body.push_back(0);
    block(6, body);
  }
  const Bytes& bytes() const { return bytes_; }
  std::string str() const { return std::string(bytes_.begin(), bytes_.end()); }

 private:
  static void le16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
  }
  static void le32(Bytes& b, uint32_t v) {
    le16(b, static_cast<uint16_t>(v));
    le16(b, static_cast<uint16_t>(v >> 16));
  }
  void block(uint32_t type, const Bytes& body) {
    uint32_t length = static_cast<uint32_t>(12 + body.size());
    le32(bytes_, type);
    le32(bytes_, length);
    bytes_.insert(bytes_.end(), body.begin(), body.end());
    le32(bytes_, length);
  }

  Bytes bytes_;
};

// What libpcap reads from a savefile, at nanosecond precision.
struct LibpcapReading {
  bool opened = false;
  std::string error;  // the open error, or the error that ended the reading
  int dlt = -1;
  int snaplen = 0;
  std::vector<PcapPacket> packets;
};

inline LibpcapReading read_with_libpcap(const std::string& path) {
  LibpcapReading reading;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    reading.error = errbuf;
    return reading;
  }
  reading.opened = true;
  reading.dlt = pcap_datalink(handle);
  reading.snaplen = pcap_snapshot(handle);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    PcapPacket packet;
    packet.timestamp_ns = static_cast<int64_t>(header->ts.tv_sec) * 1000000000 + header->ts.tv_usec;
    packet.data.assign(data, data + header->caplen);
    packet.wirelen = header->len;
    reading.packets.push_back(std::move(packet));
  }
  if (status == PCAP_ERROR) reading.error = pcap_geterr(handle);
  pcap_close(handle);
  return reading;
}

}  // namespace bpfc::clitest

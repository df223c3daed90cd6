// Packets the differential tests run filters on: savefile packets, their
// byte-mutated variants, synthetic packets, and truncated views of them all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::difftest {

struct Packet {
  std::vector<uint8_t> bytes;  // what was captured
  uint32_t wirelen = 0;        // what was on the wire (>= bytes.size() for real captures)
  std::string origin;          // where it came from, for mismatch reports
};

// A packet seen with `caplen` captured bytes (a prefix of its bytes) and its
// original wire length: how a filter sees a capture truncated by a snaplen.
struct PacketView {
  const Packet* packet = nullptr;
  uint32_t caplen = 0;
};

struct Savefile {
  std::string name;
  uint32_t linktype = 0;
  uint32_t snaplen = 0;
  std::vector<Packet> packets;
};

// Every savefile under `dir` that libpcap can read, in name order; files it
// refuses (the corpus has deliberately broken ones) are left out.
std::vector<Savefile> read_savefiles(const std::string& dir);

// `per_packet` variants of each packet with one to three bytes changed.
// Most changes hit the fields filters test (link types and ethertypes, VLAN
// TPIDs and ids, IP version/IHL/protocol/fragment fields, ports) at the
// offsets they have under each supported link layer; some are anywhere.
std::vector<Packet> mutate_packets(const std::vector<Packet>& originals, int per_packet, uint64_t seed);

// Views of every packet at every capture length 0..caplen.
void add_truncations(const std::vector<Packet>& packets, std::vector<PacketView>& views);
// Views of every packet as captured.
void add_whole(const std::vector<Packet>& packets, std::vector<PacketView>& views);

std::string hex(const uint8_t* bytes, size_t size);

}  // namespace bpfc::difftest

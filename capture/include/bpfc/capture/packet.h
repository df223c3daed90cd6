// The packet model shared by savefiles, live capture and remote capture: a
// packet is a view of bytes owned by its source, delivered in batches so that
// the per-packet cost is a loop iteration, not a call or an allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bpfc::capture {

// How a record is laid out in the input. A writer whose own layout is the
// same copies the raw record unchanged instead of encoding it again.
enum class RecordEncoding : uint8_t {
  Other,       // a layout no writer produces (e.g. the "modified" pcap format)
  PcapMicroLE, // pcap record header, microsecond timestamps, little-endian
  PcapMicroBE,
  PcapNanoLE,  // pcap record header, nanosecond timestamps
  PcapNanoBE,
  Pcapng,      // a whole pcapng block (EPB, SPB or obsolete PB) of the current section
};

struct Packet {
  int64_t timestamp_ns = 0;   // since the Unix epoch (UTC), if_tsoffset applied
  uint32_t caplen = 0;        // bytes captured (== the size of `data`)
  uint32_t wirelen = 0;       // bytes on the wire
  uint32_t interface = 0;     // index into PacketSource::interfaces() (pcap: 0)
  uint32_t linktype = 0;      // LINKTYPE_ value as stored in the file
  const uint8_t* data = nullptr;
  std::span<const uint8_t> raw;  // the whole record as stored (header, data, padding, options)
  RecordEncoding encoding = RecordEncoding::Other;
  // `raw` stays valid until the source is destroyed, not only until its next
  // next() call (a pcap file that is mapped or in memory).
  bool persistent = false;

  std::span<const uint8_t> bytes() const { return {data, caplen}; }
};

// A pcapng block that is not a packet (SHB, IDB, NRB, ISB, DSB, custom,
// unknown types), kept so that a pcapng writer can copy it through.
struct Block {
  uint32_t type = 0;                 // block type as read in the section's byte order
  std::span<const uint8_t> raw;      // the whole block, both length fields included
  bool big_endian = false;           // the byte order of its section
};

// What a source delivers per call: the non-packet blocks that come before
// packets[0] in the input, in input order, then packets. A source ends a
// batch before a block that follows a packet, so order is never lost.
// Views stay valid until the next call to PacketSource::next().
struct Batch {
  std::vector<Block> blocks;
  std::vector<Packet> packets;
  void clear() {
    blocks.clear();
    packets.clear();
  }
};

// One capture interface (pcap: the file header; pcapng: an IDB).
struct InterfaceInfo {
  uint32_t linktype = 0;                 // LINKTYPE_ value
  uint32_t snaplen = 0;                  // 0 = no limit given
  bool nanosecond_file = false;          // pcap: nanosecond magic; pcapng: unused
  uint64_t ticks_per_second = 1000000;   // pcapng if_tsresol; pcap: 10^6 or 10^9
  int64_t ts_offset_seconds = 0;         // pcapng if_tsoffset
  std::optional<uint32_t> fcs_bytes;     // pcap header FCS field / pcapng if_fcslen (bytes)
  std::string name;                      // pcapng if_name
  std::string description;               // pcapng if_description
  std::optional<std::string> filter;     // pcapng if_filter (text form)
  uint32_t section = 0;                  // pcapng section number (0-based) it belongs to
  // The file's (pcapng: its section's) byte order is not this host's, as
  // pcap_is_swapped() says: libpcap compiles DLT_NULL filters by it.
  bool swapped = false;
};

}  // namespace bpfc::capture

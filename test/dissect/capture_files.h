// Savefiles written by the printing tests, in every layout a reader meets:
// pcap in either byte order with microsecond or nanosecond timestamps, and
// pcapng in either byte order (one section, one interface).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::dissecttest {

using Bytes = std::vector<uint8_t>;

struct CapturedPacket {
  int64_t timestamp_ns = 0;
  Bytes data;            // the captured bytes
  uint32_t wirelen = 0;  // 0: data.size()
};

enum class Layout { PcapMicro, PcapNano, Pcapng };

struct CaptureFormat {
  Layout layout = Layout::PcapMicro;
  bool big_endian = false;

  std::string name() const;  // "pcap-us-le", "pcapng-be", ...
};

// Every layout in both byte orders.
std::vector<CaptureFormat> all_capture_formats();

// Writes `packets` of link type `linktype` (a LINKTYPE_ value) to `path`;
// pcapng interfaces get an if_tsresol of microseconds or, for
// `nanosecond_pcapng`, nanoseconds.
void write_capture(const std::string& path, const CaptureFormat& format, uint32_t linktype,
                   const std::vector<CapturedPacket>& packets, bool nanosecond_pcapng = false);

}  // namespace bpfc::dissecttest

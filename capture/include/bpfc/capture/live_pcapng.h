// pcapng output of a live capture: the capture's interfaces described
// up front (if_name, if_filter, nanosecond resolution), packets as Enhanced
// Packet Blocks, and the capture's statistics at the end as Interface
// Statistics Blocks. A savefile writer (PacketSink) with one more call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "bpfc/capture/packet.h"
#include "bpfc/capture/savefile.h"

namespace bpfc::capture {

struct InterfaceStatistics {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::optional<uint64_t> interface_drops; // isb_ifdrop
  uint64_t accepted_by_filter = 0;         // isb_filteraccept
  uint64_t os_drops = 0;                   // isb_osdrop: the ring was full
  uint64_t delivered = 0;                  // isb_usrdeliv
};

class LivePcapngWriter : public PacketSink {
 public:
  // An ISB for interface `interface` (an index into the interfaces given at
  // creation).
  virtual bool write_statistics(uint32_t interface, const InterfaceStatistics& statistics) = 0;
};

// Writes into `fd` (closed at the end when `owns_fd`); the section header
// and interface blocks go out at once.
std::unique_ptr<LivePcapngWriter> create_live_pcapng(int fd, bool owns_fd,
                                                     const std::vector<InterfaceInfo>& interfaces,
                                                     SavefileError& error);

}  // namespace bpfc::capture

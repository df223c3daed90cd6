// Live capture across worker threads: N LiveSources on one interface in one
// PACKET_FANOUT group (PACKET_FANOUT_HASH: a flow stays on one socket), each
// read by a thread of its own, and one stream of packets merged from them in
// timestamp order. It is a LiveSource: the caller sets the filter, reads
// batches, asks it to stop and reads its statistics as for one socket.
//
// PACKET_FANOUT_FLAG_DEFRAG is left to the caller: it keeps the fragments of
// a datagram on one socket by reassembling them in the kernel before the
// group sees them, so the socket receives the reassembled datagram instead
// of the fragments that were on the wire (and nothing for a datagram whose
// fragments never all arrive). A merged output has no use for a flow staying
// on one socket and should show what one socket (and tcpdump) sees: bpfc
// capture --threads does without it.
//
// No packet that fails the filter is delivered: each socket joins the group
// right after it is bound, while it still has the filter that rejects every
// packet (bpfc/capture/live.h), and the real filter replaces that one as on
// a single socket. The group hands each packet to one socket, whose filter
// runs once under one program or the other; a packet handed to a socket
// whose real filter is not attached yet is rejected, as on one socket before
// set_filter(). The capture has started once set_filter() returns.
//
// The merge. Each worker copies its batches out of its ring (so that the
// ring goes back to the kernel at once) into chunks sorted by timestamp, and
// keeps a frontier: a timestamp no later packet of its ring will be below.
// A ring hands packets over in blocks filled in arrival order, so the
// frontier is the latest timestamp the worker has seen, or, when its ring
// is quiet, the time its last read began minus the reorder window (twice the
// block retire timeout and a margin: a packet waits at most that long in a
// block the kernel has not retired). next() releases, by a k-way merge of the
// workers' chunks, every packet not later than the lowest frontier. The
// trade-off: packets come out up to the reorder window (plus a read's wait)
// later than from one socket, and a packet delayed longer than the window
// (a starved softirq, a clock step) comes out late, after newer ones, and is
// counted (merge_out_of_order()) instead of being held without bound. Memory
// is bounded: a worker whose chunks waiting for the merge hold a ring's worth
// of bytes stops reading, and its ring fills and drops (counted by the
// kernel) as one socket's does behind a slow consumer.
#pragma once

#include <cstdint>
#include <memory>

#include "bpfc/capture/live.h"

namespace bpfc::capture {

inline constexpr uint32_t kMaxFanoutThreads = 64;

class FanoutSource : public LiveSource {
 public:
  // Opens `threads` sockets (1..kMaxFanoutThreads) on options.device in a new
  // fanout group, with PACKET_FANOUT_FLAG_DEFRAG when `defragment`;
  // options.fanout is set here. The workers start at the first next(),
  // after the filter is in place.
  static std::unique_ptr<FanoutSource> open(const LiveOptions& options, uint32_t threads, LiveError& error,
                                            bool defragment = false);

  // Packets released after newer ones (delayed past the reorder window).
  virtual uint64_t merge_out_of_order() const = 0;
};

}  // namespace bpfc::capture

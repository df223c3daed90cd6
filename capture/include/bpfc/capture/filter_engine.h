// The filter engine shared by everything that filters packets (bpfc filter
// over savefiles today; live capture and rpcapd later): it gives each capture
// interface the executable filter for its link type and runs the filters on
// batches of packets.
//
// One filter is made per DLT (and byte order of the file), the first time an interface of that link type
// appears (pcap: when the file is opened; pcapng: when its Interface
// Description Block is read), with that interface's snaplen; interfaces then
// map to their filter through a flat table, so the per-packet work is one
// table lookup, and each run of consecutive packets with the same filter is
// one call into the engine (exec::Filter::run_batch). Packets are views into
// the reader's buffers: nothing is copied or allocated per packet.
//
// The engine never prints: errors are values, for the caller to report.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bpfc/capture/packet.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/exec/filter.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::capture {

// What a filter is made for: packets of `dlt` captured with `snaplen` (0 and
// out-of-range snaplens already replaced by kMaxPacketBytes, as libpcap's
// pcap_snapshot() does), first seen on interface `interface` of `source`.
struct FilterRequest {
  uint32_t dlt = 0;
  uint32_t snaplen = 0;
  // The savefile was written in the other byte order than this host's (as
  // libpcap's offline compile context sees it: DLT_NULL's address family).
  bool swapped = false;
  const PacketSource* source = nullptr;
  size_t interface = 0;
};

// Makes (compiles, loads) the filter for a request; the diagnostics of a
// filter that does not compile for that link type otherwise.
using FilterFactory = std::function<Result<std::unique_ptr<exec::Filter>>(const FilterRequest&)>;

// The factory failed for an interface: callers say which when the inputs
// have had several link types (the expression may compile for the others).
struct FilterEngineError {
  size_t interface = 0;
  uint32_t dlt = 0;
  bool several_link_types = false;  // the inputs have had more than one DLT so far
  std::vector<Diagnostic> diagnostics;  // the factory's
};

// How one interface's packets are handled.
struct InterfaceSlot {
  int32_t filter = -1;  // index into the engine's filters; -1: keep everything
  uint32_t dlt = 0;     // the DLT its bytes are read as
};

// The slots of one source's interfaces, as far as it has described them.
struct SourceSlots {
  std::vector<InterfaceSlot> slots;
};

class FilterEngine {
 public:
  // `factory` empty: no expression, every packet is kept. `forced_dlt`: the
  // DLT every packet is filtered (and read) as, whatever its interface says.
  FilterEngine(FilterFactory factory, std::optional<uint32_t> forced_dlt);

  // Gives slots to the interfaces `source` has described since the last call
  // for these `slots`, making a filter where a link type is new.
  [[nodiscard]] std::optional<FilterEngineError> add_interfaces(const PacketSource& source, SourceSlots& slots);

  // verdicts[i] is the filter's value for batch.packets[i] (0: dropped; no
  // filter: kMaxPacketBytes). A packet of an interface that the
  // slots do not hold gets 0, and its index is returned: the first such one.
  [[nodiscard]] std::optional<size_t> run(const SourceSlots& slots, const Batch& batch,
                                          std::vector<uint32_t>& verdicts);

  // Every DLT an interface has had, in order of appearance (for messages).
  const std::vector<uint32_t>& dlts_seen() const { return dlts_seen_; }

 private:
  struct MadeFilter {
    uint32_t dlt = 0;
    bool swapped = false;
    std::unique_ptr<exec::Filter> filter;
  };

  // The index of the filter for `request.dlt` and byte order, made first if
  // needed.
  std::optional<FilterEngineError> filter_for(const FilterRequest& request, int32_t& index);

  FilterFactory factory_;
  std::optional<uint32_t> forced_dlt_;
  std::vector<MadeFilter> filters_;
  std::vector<uint32_t> dlts_seen_;
  std::vector<exec::PacketView> views_;  // reused per batch: no allocation per packet
};

}  // namespace bpfc::capture

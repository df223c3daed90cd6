#include "bpfc/capture/filter_engine.h"

#include <utility>

#include "bpfc/capture/linktype_map.h"

namespace bpfc::capture {
namespace {

// Filters are made with the snaplen of the interface, as libpcap compiles
// with pcap_snapshot(): 0 and out-of-range values mean the maximum.
uint32_t effective_snaplen(uint32_t snaplen) {
  return snaplen == 0 || snaplen > kMaxPacketBytes ? kMaxPacketBytes : snaplen;
}

}  // namespace

FilterEngine::FilterEngine(FilterFactory factory, std::optional<uint32_t> forced_dlt)
    : factory_(std::move(factory)), forced_dlt_(forced_dlt) {}

std::optional<FilterEngineError> FilterEngine::filter_for(const FilterRequest& request, int32_t& index) {
  for (size_t i = 0; i < filters_.size(); ++i) {
    if (filters_[i].dlt == request.dlt && filters_[i].swapped == request.swapped) {
      index = static_cast<int32_t>(i);
      return std::nullopt;
    }
  }
  auto made = factory_(request);
  if (!made) {
    return FilterEngineError{request.interface, request.dlt, dlts_seen_.size() > 1, made.errors()};
  }
  filters_.push_back(MadeFilter{request.dlt, request.swapped, std::move(*made)});
  index = static_cast<int32_t>(filters_.size() - 1);
  return std::nullopt;
}

std::optional<FilterEngineError> FilterEngine::add_interfaces(const PacketSource& source, SourceSlots& slots) {
  const std::vector<InterfaceInfo>& interfaces = source.interfaces();
  for (size_t i = slots.slots.size(); i < interfaces.size(); ++i) {
    const InterfaceInfo& info = interfaces[i];
    InterfaceSlot slot;
    slot.dlt = forced_dlt_.value_or(dlt_from_linktype(info.linktype));
    bool new_dlt = true;
    for (uint32_t seen : dlts_seen_) new_dlt &= seen != slot.dlt;
    if (new_dlt) dlts_seen_.push_back(slot.dlt);
    if (factory_) {
      FilterRequest request{slot.dlt, effective_snaplen(info.snaplen), info.swapped, &source, i};
      if (auto failure = filter_for(request, slot.filter)) return failure;
    }
    slots.slots.push_back(slot);
  }
  return std::nullopt;
}

std::optional<size_t> FilterEngine::run(const SourceSlots& slots, const Batch& batch,
                                        std::vector<uint32_t>& verdicts) {
  const size_t count = batch.packets.size();
  verdicts.resize(count);
  views_.resize(count);
  // Raw pointers in locals: stores into the views may alias anything a
  // pointer can, and the vectors' own pointers would be reloaded each time.
  const Packet* packets = batch.packets.data();
  exec::PacketView* views = views_.data();
  uint32_t* results = verdicts.data();
  const InterfaceSlot* slot_table = slots.slots.data();
  const size_t slot_count = slots.slots.size();
  std::optional<size_t> unknown_interface;
  // Runs of consecutive packets with the same filter go to it as one batch;
  // with a single interface (every pcap file) the whole batch is one run.
  size_t run_start = 0;
  int32_t run_filter = slot_count > 0 ? slot_table[0].filter : -1;
  const bool several_interfaces = slot_count > 1;
  auto flush = [&](size_t end) {
    if (end == run_start) return;
    if (run_filter < 0) {
      for (size_t i = run_start; i < end; ++i) results[i] = kMaxPacketBytes;
    } else {
      filters_[static_cast<size_t>(run_filter)].filter->run_batch(
          std::span<const exec::PacketView>(views + run_start, end - run_start),
          std::span<uint32_t>(results + run_start, end - run_start));
    }
  };
  for (size_t i = 0; i < count; ++i) {
    const Packet& packet = packets[i];
    views[i] = exec::PacketView{packet.data, packet.caplen, packet.wirelen};
    // Readers only deliver packets of interfaces they have described.
    if (packet.interface >= slot_count) [[unlikely]] {
      flush(i);
      results[i] = 0;
      if (!unknown_interface) unknown_interface = i;
      run_start = i + 1;
      continue;
    }
    if (!several_interfaces) continue;
    const int32_t filter = slot_table[packet.interface].filter;
    if (filter != run_filter) {
      flush(i);
      run_start = i;
      run_filter = filter;
    }
  }
  flush(count);
  return unknown_interface;
}

}  // namespace bpfc::capture

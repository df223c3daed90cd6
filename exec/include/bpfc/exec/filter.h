// An executable filter: a compiled program that an engine (the interpreter
// today; a JIT or a program loaded into the kernel later) runs on packets,
// one at a time or a batch at a time.
#pragma once

#include <cstdint>
#include <span>

namespace bpfc::exec {

// One packet as a filter sees it: the captured bytes and the length it had
// on the wire.
struct PacketView {
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
};

class Filter {
 public:
  virtual ~Filter() = default;

  // The filter's value for one packet, with libpcap's bpf_filter() meaning:
  // 0 drops the packet, any other value is the number of bytes to keep.
  // Thread-safe: a filter may run on several threads at once.
  virtual uint32_t run(std::span<const uint8_t> packet, uint32_t wirelen) const = 0;

  // verdicts[i] = run(packets[i]) for every packet; `verdicts` holds at least
  // packets.size() values. Engines that gain from seeing a whole batch (one
  // call into the kernel or into generated code) override it.
  virtual void run_batch(std::span<const PacketView> packets, std::span<uint32_t> verdicts) const {
    for (size_t i = 0; i < packets.size(); ++i) {
      verdicts[i] = run({packets[i].data, packets[i].caplen}, packets[i].wirelen);
    }
  }
};

}  // namespace bpfc::exec

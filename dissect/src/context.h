// What every protocol printer is handed: the text being written, the
// options, and what the printers found out about the packet along the way.
#pragma once

#include <cstdint>
#include <string_view>

#include "bpfc/dissect/packet_printer.h"
#include "bytes.h"
#include "facts.h"
#include "text.h"

namespace bpfc::dissect {

struct Context {
  Context(std::string& out, const PrintOptions& print_options) : o(out), options(print_options) {}

  Text o;
  const PrintOptions& options;
  // Where the printers note what they print, for --json; null otherwise.
  Facts* facts = nullptr;
  // Bytes of link-layer header before the network layer: where -x and -X
  // start their dump.
  uint32_t link_header_length = 0;

  // The packet ended before a field tcpdump reads without checking first
  // (its printer then gives up at once, and it dumps from the first byte).
  void give_up(std::string_view protocol) {
    o.truncated(protocol);
    gave_up = true;
  }
  bool gave_up = false;
};

}  // namespace bpfc::dissect

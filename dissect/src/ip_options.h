// IPv4 options (RFC 791 and later) as tcpdump -v lists them.
#pragma once

#include "bytes.h"
#include "context.h"

namespace bpfc::dissect {

enum class OptionsPrinted {
  Complete,
  Truncated,  // an option runs past the capture: tcpdump says "[truncated-option]"
  GaveUp,     // a length byte itself was not captured (c.gave_up is set)
};

// The options area of an IPv4 header (`options`: as far as captured;
// `length`: the header says).
OptionsPrinted print_ip_options(Context& c, Bytes options, uint32_t length);

}  // namespace bpfc::dissect

// Packet bytes as tcpdump dumps them: -x (hex), -X (hex and ASCII, also
// its "default print" of payloads it cannot dissect) and -A (ASCII).
#pragma once

#include "bytes.h"
#include "text.h"

namespace bpfc::dissect {

// "\n\t0x0000:  4500 0054 ..." lines of 16 bytes.
void hex_dump(Text& o, Bytes b);
// The same with the bytes as ASCII beside them ('.' where not printable).
void hex_ascii_dump(Text& o, Bytes b);
// A newline, then the bytes as text: printable characters, tabs, spaces and
// newlines as they are, other bytes as '.', and CRs dropped before a
// newline and at the end.
void ascii_dump(Text& o, Bytes b);

}  // namespace bpfc::dissect

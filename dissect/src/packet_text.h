// The text of a packet after its time, shared by the line printer and
// --json (whose "summary" it is).
#pragma once

#include <cstdint>

#include "bpfc/dissect/packet_printer.h"
#include "bytes.h"
#include "context.h"

namespace bpfc::dissect {

// tcpdump's checks of the record header, which come before the timestamp;
// false (after printing the complaint, without a newline) when the record
// fails them.
bool check_record(Text& o, uint32_t caplen, uint32_t length);

// tcpdump leaves a space at the end of some lines (before a dump it would
// print without -q, after some fields); bpfc never does. Drops them from
// `text` from `start` on.
void drop_spaces_before_line_ends(std::string& text, size_t start);

// What the link-layer printer for `dlt` says about the packet; for a link
// type without one, its name and length.
void print_packet_text(Context& c, Bytes bytes, uint32_t length, uint32_t dlt, LinktypeNamer linktype_name);

}  // namespace bpfc::dissect

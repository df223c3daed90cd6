// ICMPv6 printing shared by the message printers and the neighbour
// discovery option printer.
#pragma once

#include <cstdint>

#include "bytes.h"
#include "context.h"

namespace bpfc::dissect {

// -v: the options of a neighbour discovery message (RFC 4861), from
// `offset` of the message `b` (`length` bytes long) on. False when an
// option runs past the capture (tcpdump then ends the line with [|icmp6]).
bool print_nd_options(Context& c, const Bytes& b, uint32_t offset, uint32_t length);

// tcpdump's print_unknown_data(): a hex dump (as -x lays it out) of up to
// `length` captured bytes, each line starting with `indent`.
void print_unknown_data(Text& o, Bytes b, uint32_t length, std::string_view indent);

}  // namespace bpfc::dissect

// `bpfc capture -D`: the interfaces a capture can open, one per line, like
// tcpdump -D, with the link type and addresses.
#pragma once

namespace bpfc::cli {

// Prints the listing on standard output; returns the exit status.
int print_interface_listing();

}  // namespace bpfc::cli

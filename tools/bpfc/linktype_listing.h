// The link-type listings of `bpfc compile -L` and `bpfc help linktypes`,
// made from the compiler's own tables (bpfc/compat/linktype_support.h).
#pragma once

#include <string>

namespace bpfc::cli {

// The link types bpfc compiles filters for: name, DLT number, description,
// and the protocols and link-level primitives each supports; then a note on
// the other link types libpcap knows.
std::string linktype_listing();

// linktype_listing() followed by every other name -y accepts.
std::string linktype_help();

}  // namespace bpfc::cli

// Savefiles store LINKTYPE_ values; the compiler and pcap-filter speak DLT_
// values. The mapping is the link-type table's (bpfc/linktype/linktype.h);
// these are its names inside the capture library.
#pragma once

#include "bpfc/linktype/linktype.h"

namespace bpfc::capture {

using bpfc::dlt_from_linktype;
using bpfc::linktype_from_dlt;

}  // namespace bpfc::capture

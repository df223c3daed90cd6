// LINKTYPE_ <-> DLT_ as libpcap maps them on Linux. Only the handful of
// types whose DLT_ number differed between operating systems got a separate
// LINKTYPE_ number; on Linux every other value is the same in both spaces.
#include "bpfc/capture/linktype_map.h"

namespace bpfc::capture {
namespace {

struct LinktypeDlt {
  uint32_t linktype;
  uint32_t dlt;
};

// LINKTYPE_ATM_RFC1483, _RAW, _SLIP_BSDOS, _PPP_BSDOS and _ATM_CLIP and the
// Linux values of the matching DLT_ codes.
constexpr LinktypeDlt kRenumbered[] = {
    {100, 11},  // ATM_RFC1483
    {101, 12},  // RAW
    {102, 15},  // SLIP_BSDOS
    {103, 16},  // PPP_BSDOS
    {106, 19},  // ATM_CLIP
};

}  // namespace

uint32_t dlt_from_linktype(uint32_t linktype) {
  for (const LinktypeDlt& entry : kRenumbered)
    if (entry.linktype == linktype) return entry.dlt;
  // Everything else, including values newer than this table, passes
  // through: libpcap does the same so that newer link types stay readable.
  return linktype;
}

uint32_t linktype_from_dlt(uint32_t dlt) {
  for (const LinktypeDlt& entry : kRenumbered)
    if (entry.dlt == dlt) return entry.linktype;
  // libpcap refuses to save a DLT_ with no LINKTYPE_ (13, 14, 17, 18…);
  // there is no such refusal to express here, so the number passes through.
  return dlt;
}

}  // namespace bpfc::capture

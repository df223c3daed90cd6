// LINKTYPE_ <-> DLT_ as libpcap maps them on Linux. Only the handful of
// types whose DLT_ number differed between operating systems got a separate
// LINKTYPE_ number; on Linux every other value is the same in both spaces.
#include "bpfc/linktype/dlt.h"
#include "bpfc/linktype/linktype.h"

namespace bpfc {
namespace {

struct Renumbered {
  uint32_t linktype;
  uint32_t dlt;
};

constexpr Renumbered kRenumbered[] = {
    {100, dlt::ATM_RFC1483},
    {101, dlt::RAW},
    {102, dlt::SLIP_BSDOS},
    {103, dlt::PPP_BSDOS},
    {106, dlt::ATM_CLIP},
};

}  // namespace

uint32_t dlt_from_linktype(uint32_t linktype) {
  for (const Renumbered& entry : kRenumbered)
    if (entry.linktype == linktype) return entry.dlt;
  // Everything else, including values newer than this table, passes
  // through: libpcap does the same so that newer link types stay readable.
  return linktype;
}

uint32_t linktype_from_dlt(uint32_t dlt) {
  for (const Renumbered& entry : kRenumbered)
    if (entry.dlt == dlt) return entry.linktype;
  // libpcap refuses to save a DLT_ with no LINKTYPE_ (13, 14, 17, 18…);
  // there is no such refusal to express here, so the number passes through.
  return dlt;
}

}  // namespace bpfc

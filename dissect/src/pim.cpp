// PIM (RFC 7761) as `tcpdump -n -q` prints it: the version, the message
// type and the length. tcpdump's -v decoding of PIM messages (hello
// options, join/prune lists, bootstrap RP sets...) is not reproduced: bpfc
// prints the same line with -v.
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

constexpr Name kTypes[] = {
    {0, "Hello"},          {1, "Register"},  {2, "Register Stop"},
    {3, "Join / Prune"},   {4, "Bootstrap"}, {5, "Assert"},
    {6, "Graft"},          {7, "Graft Acknowledgement"},
    {8, "Candidate RP Advertisement"},       {9, "Prune Refresh"},
    {10, "DF Election"},   {11, "ECMP Redirect"},
};

}  // namespace

void print_pim(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) {
  if (!b.has(0, 1)) return c.give_up("pim");
  unsigned version = b.u8(0) >> 4;
  if (version != 2) {
    c.o.print("PIMv{}, length {}", version, length);
    return;
  }
  std::string_view type = name_of(kTypes, b.u8(0) & 0x0f);
  c.o.print("PIMv{}, {}, length {}", version, type.empty() ? "Unknown Type" : type, length);
}

}  // namespace bpfc::dissect

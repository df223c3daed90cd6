// pflog header fields, at their offsets in struct pfloghdr.
#include "gencode/pflog.h"

#include <array>
#include <string>

#include "bpfc/frontend/pflog_names.h"
#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/protocols.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

// struct pfloghdr: length, af, action, reason (one byte each), then the
// interface and ruleset names (16 bytes each), rule and sub-rule numbers,
// uid, pid, rule uid, rule pid (32 bits each) and the direction byte.
constexpr uint32_t kOffAf = 1, kOffAction = 2, kOffReason = 3, kOffIfname = 4, kOffRuleset = 20,
                   kOffRulenr = 36, kOffSubrulenr = 40, kOffDir = 60;
constexpr uint32_t kPfIn = 1, kPfOut = 2;
// Address families: the capturing host's (Linux, for a live capture or
// pcap_open_dead()), and for a savefile the BSD values a pflog file may have
// (AF_INET6 is 24 on OpenBSD and NetBSD, 28 on FreeBSD, 30 on macOS), tested
// in libpcap's order.
constexpr uint32_t kAfInet = 2, kAfInet6 = 10;
constexpr std::array<uint32_t, 3> kBsdAfInet6 = {30, 24, 28};

Fragment name_field(Codegen& cg, uint32_t offset, const std::string& name) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(name.data());
  return gen_bcmp(cg, OffRel::LinkHdr, offset, std::span<const uint8_t>(bytes, name.size()));
}

}  // namespace

std::vector<Stmt> pflog_header_length(int reg) {
  return {stmt(kLd | kB | kAbs, 0), stmt(kAlu | kAdd | kK, 3), stmt(kAlu | kAnd | kK, ~uint32_t{3}),
          stmt(kSt, static_cast<uint32_t>(reg)), stmt(kMisc | kTax)};
}

Fragment gen_pflog(Codegen& cg, const ast::Pflog& pflog) {
  using F = ast::PflogField;
  auto require = [&](const char* keyword) {
    if (cg.layout().linktype != dlt::kPflog) cg.fail("'" + std::string(keyword) + "' supported only on PFLOG linktype");
  };
  switch (pflog.field) {
    case F::Ifname:
      require("ifname");
      return name_field(cg, kOffIfname, pflog.text);
    case F::Ruleset:
      require("ruleset");
      return name_field(cg, kOffRuleset, pflog.text);
    case F::Rulenum:
      require("rnr");
      return gen_cmp(cg, OffRel::LinkHdr, kOffRulenr, kW, pflog.number.value_or(0));
    case F::Subrulenum:
      require("srnr");
      return gen_cmp(cg, OffRel::LinkHdr, kOffSubrulenr, kW, pflog.number.value_or(0));
    case F::Reason: {
      std::optional<uint32_t> reason = pflog.number ? pflog.number : sema::pf_reason_by_name(pflog.text);
      if (!reason) cg.fail("unknown PF reason \"" + pflog.text + "\"");
      require("reason");
      return gen_cmp(cg, OffRel::LinkHdr, kOffReason, kB, *reason);
    }
    case F::Action: {
      std::optional<uint32_t> action = sema::pf_action_by_name(pflog.text);
      if (!action) cg.fail("unknown PF action \"" + pflog.text + "\"");
      require("action");
      return gen_cmp(cg, OffRel::LinkHdr, kOffAction, kB, *action);
    }
  }
  cg.fail("syntax error in filter expression");
}

Fragment gen_pflog_direction(Codegen& cg, bool outbound) {
  return gen_cmp(cg, OffRel::LinkHdr, kOffDir, kB, outbound ? kPfOut : kPfIn);
}

Fragment gen_pflog_linktype(Codegen& cg, uint32_t ll_proto) {
  if (!is_offline(cg.options().context)) {
    if (ll_proto == ethertype::kIp) return gen_cmp(cg, OffRel::LinkHdr, kOffAf, kB, kAfInet);
    if (ll_proto == ethertype::kIpv6) return gen_cmp(cg, OffRel::LinkHdr, kOffAf, kB, kAfInet6);
    return gen_false(cg);
  }
  if (ll_proto == ethertype::kIp) return gen_cmp(cg, OffRel::LinkHdr, kOffAf, kB, kAfInet);
  if (ll_proto != ethertype::kIpv6) return gen_false(cg);
  // Built in libpcap's order: the last two alternatives first.
  Fragment second = gen_cmp(cg, OffRel::LinkHdr, kOffAf, kB, kBsdAfInet6[1]);
  Fragment rest = gen_or(cg, std::move(second), gen_cmp(cg, OffRel::LinkHdr, kOffAf, kB, kBsdAfInet6[2]));
  Fragment first = gen_cmp(cg, OffRel::LinkHdr, kOffAf, kB, kBsdAfInet6[0]);
  return gen_or(cg, std::move(first), std::move(rest));
}

}  // namespace bpfc::lower

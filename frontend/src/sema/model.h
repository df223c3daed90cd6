// A model of libpcap's code generator that keeps only what decides whether a
// filter is accepted: the link type in force (which `pppoes`, `lane`,
// `geneve` and `vxlan` change for the primitives after them), the MPLS and
// encapsulation state, whether header offsets are variable, and scratch
// register use. Its operations are libpcap's checks, in libpcap's order; the
// first failed check throws SemaError, as libpcap's bpf_error() longjmps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/link_traits.h"
#include "bpfc/frontend/lower_options.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::sema {

struct SemaError {
  Diagnostic diagnostic;
};

// EtherTypes, LLC SAPs, IP protocols and NLPIDs the checks refer to.
namespace proto_values {
inline constexpr uint32_t kEtherIp = 0x0800, kEtherArp = 0x0806, kEtherRarp = 0x8035,
                          kEtherIp6 = 0x86dd, kEtherDecnet = 0x6003, kEtherMpls = 0x8847,
                          kEther8021Q = 0x8100, kEther8021AD = 0x88a8, kEther8021QinQ = 0x9100,
                          kEtherPppoeDiscovery = 0x8863, kEtherPppoeSession = 0x8864;
inline constexpr uint32_t kPppMplsUnicast = 0x0281;
inline constexpr uint32_t kLlcIsoNs = 0xfe;
inline constexpr uint32_t kNlpidIsis = 0x83;
}  // namespace proto_values

class CodegenModel {
 public:
  explicit CodegenModel(const LowerOptions& options);

  const NameResolver& resolver() const { return *resolver_; }
  uint32_t linktype() const { return linktype_; }
  LinkTraits traits() const { return link_traits(linktype_); }
  bool netmask_known() const;
  bool inside_mpls() const { return label_stack_depth_ > 0; }
  bool inside_encapsulation() const { return is_encap_; }
  bool linux_extensions() const { return linux_extensions_; }

  // ---- failures -----------------------------------------------------------
  [[noreturn]] void fail(SourceSpan span, std::string message) const;
  // "'KEYWORD' not supported on DLT_X (description)"
  [[noreturn]] void fail_on_linktype(SourceSpan span, std::string_view keyword) const;
  // "NAME VALUE greater than maximum MAX"
  void check_max(SourceSpan span, std::string_view name, uint32_t value, uint32_t max) const;

  // ---- libpcap's shared checks -------------------------------------------
  // gen_linktype(): can this link type test for link-layer protocol `ll_proto`?
  void require_link_proto(SourceSpan span, uint32_t ll_proto) const;
  // gen_proto_abbrev(): a protocol keyword used alone (`tcp`, `arp`, `l1`).
  void require_proto_abbreviation(SourceSpan span, ast::Proto proto) const;
  // gen_proto(): `[proto] proto V`.
  void check_proto_value(SourceSpan span, uint32_t value, ast::Proto proto) const;
  // gen_protochain(): `[proto] protochain V`.
  void check_protochain(SourceSpan span, uint32_t value, ast::Proto proto);
  // gen_host() / gen_host6(): an IPv4 / IPv6 address or network test.
  void check_ipv4_host(SourceSpan span, ast::Proto proto, ast::Dir dir, std::string_view context) const;
  void check_ipv6_host(SourceSpan span, ast::Proto proto, ast::Dir dir, std::string_view context) const;
  // port_pq_to_ipproto(): only tcp, udp, sctp or no protocol qualify a port.
  void check_port_proto(SourceSpan span, ast::Proto proto, std::string_view keyword) const;
  // gen_port()+gen_port6() / gen_portrange()+gen_portrange6(), after the
  // value checks: the direction, then the IPv4 and IPv6 tests.
  void check_port_tests(SourceSpan span, ast::Dir dir, std::string_view keyword) const;
  // gen_mac48host() / gen_mac8host(): a link-layer address test.
  void check_mac48_host(SourceSpan span, ast::Dir dir, std::string_view keyword) const;
  void check_mac8_host(SourceSpan span, std::string_view keyword) const;
  // assert_nonwlan_dqual(): addr1..addr4, ra and ta need an 802.11 header.
  void check_not_wlan_dir(SourceSpan span, ast::Dir dir) const;

  // ---- scratch registers (BPF_MEMWORDS of them) ---------------------------
  void allocate_register(SourceSpan span);
  void free_register();

  // ---- link-layer state changes ------------------------------------------
  void enter_mpls() { ++label_stack_depth_; }
  void enter_pppoe_session();     // what follows is PPP inside PPPoE
  void enter_lane();              // what follows is Ethernet inside ATM LANE
  void enter_encapsulation(SourceSpan span);  // what follows is inside VXLAN/Geneve

 private:
  const NameResolver* resolver_;
  std::optional<uint32_t> netmask_;
  bool linux_extensions_;
  uint32_t linktype_;
  bool link_payload_variable_;
  int label_stack_depth_ = 0;
  bool is_encap_ = false;
  int registers_in_use_ = 0;
};

// Whether `dir` is one that every link type understands (none, src, dst,
// src or dst, src and dst), as opposed to the 802.11-only ones (or Undef).
bool is_plain_dir(ast::Dir dir);

}  // namespace bpfc::sema

// 802.11 frame-control and address tests, in libpcap's order of evaluation
// (which decides the verdict on a packet truncated inside the header).
#include "gencode/wlan.h"

#include <string>
#include <utility>

#include "bpfc/frontend/wlan_names.h"
#include "bpfc/linktype/linktype.h"
#include "gencode/access.h"
#include "gencode/linklayer.h"

namespace bpfc::lower {

using namespace bpf;
using namespace wlan;

namespace {

// Offsets of the address fields in the MAC header.
constexpr uint32_t kAddr1 = 4, kAddr2 = 10, kAddr3 = 16, kAddr4 = 24;

Fragment fc0_set(Codegen& cg, uint32_t bits) { return gen_jset(cg, OffRel::LinkHdr, 0, kB, bits); }
Fragment fc1_set(Codegen& cg, uint32_t bits) { return gen_jset(cg, OffRel::LinkHdr, 1, kB, bits); }
Fragment fc0_masked_ne(Codegen& cg, uint32_t value, uint32_t mask) {
  return gen_not(gen_mcmp(cg, OffRel::LinkHdr, 0, kB, value, mask));
}
Fragment addr_is(Codegen& cg, uint32_t offset, const std::array<uint8_t, 6>& mac) {
  return gen_bcmp(cg, OffRel::LinkHdr, offset, mac);
}

// (bits set and `when_set`) or (bits clear and the address at
// `when_clear_offset`); the second is tested first, as libpcap builds it.
Fragment choose(Codegen& cg, bool fc1, uint32_t bits, Fragment set, Fragment when_set, uint32_t when_clear_offset,
                const std::array<uint8_t, 6>& mac) {
  Fragment b0 = gen_and(cg, std::move(set), std::move(when_set));
  Fragment clear = gen_not(fc1 ? fc1_set(cg, bits) : fc0_set(cg, bits));
  Fragment b1 = gen_and(cg, std::move(clear), addr_is(cg, when_clear_offset, mac));
  return gen_or(cg, std::move(b1), std::move(b0));
}
// The same with the address at `when_set_offset` for the first case.
Fragment choose_address(Codegen& cg, uint32_t bits, uint32_t when_set_offset, uint32_t when_clear_offset,
                        const std::array<uint8_t, 6>& mac) {
  Fragment set = fc1_set(cg, bits);
  Fragment when_set = addr_is(cg, when_set_offset, mac);
  return choose(cg, true, bits, std::move(set), std::move(when_set), when_clear_offset, mac);
}
// The same with `when_set` already built (the outer levels).
Fragment choose_built(Codegen& cg, bool fc1, uint32_t bits, Fragment when_set, uint32_t when_clear_offset,
                      const std::array<uint8_t, 6>& mac) {
  Fragment set = fc1 ? fc1_set(cg, bits) : fc0_set(cg, bits);
  return choose(cg, fc1, bits, std::move(set), std::move(when_set), when_clear_offset, mac);
}

// Not a control frame (the address is there only then), then `b0`.
Fragment outside_control_frames(Codegen& cg, Fragment b0) {
  Fragment not_ctl = gen_not(fc0_set(cg, kTypeCtl));
  return gen_and(cg, std::move(not_ctl), std::move(b0));
}

// Control frames other than CTS and ACK, or frames of another type: those
// with a second address.
Fragment has_addr2(Codegen& cg) {
  Fragment not_ctl = fc0_masked_ne(cg, kTypeCtl, kTypeMask);
  Fragment not_cts = fc0_masked_ne(cg, kSubtypeCts, kSubtypeMask);
  Fragment not_ack = fc0_masked_ne(cg, kSubtypeAck, kSubtypeMask);
  Fragment b2 = gen_and(cg, std::move(not_cts), std::move(not_ack));
  return gen_or(cg, std::move(not_ctl), std::move(b2));
}

uint32_t wlan_value(const std::variant<uint32_t, std::string>& value, std::optional<uint32_t> (*by_name)(std::string_view),
                    Codegen& cg) {
  if (const auto* number = std::get_if<uint32_t>(&value)) return *number;
  const std::string& name = std::get<std::string>(value);
  if (std::optional<uint32_t> found = by_name(name)) return *found;
  cg.fail("unknown 802.11 name \"" + name + "\"");
}

}  // namespace

Fragment gen_wlanhostop(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir) {
  switch (dir) {
    case ast::Dir::Src: {
      // Data frames: addr2 from a station, addr3 from the DS, addr4 between
      // access points; other frames: addr2.
      Fragment b0 = choose_address(cg, kDirToDs, kAddr4, kAddr3, mac);
      b0 = choose_built(cg, true, kDirFromDs, std::move(b0), kAddr2, mac);
      b0 = choose_built(cg, false, kTypeData, std::move(b0), kAddr2, mac);
      return outside_control_frames(cg, std::move(b0));
    }
    case ast::Dir::Dst: {
      // Data frames: addr3 to the DS, else addr1; other frames: addr1.
      Fragment b0 = choose_address(cg, kDirToDs, kAddr3, kAddr1, mac);
      b0 = choose_built(cg, false, kTypeData, std::move(b0), kAddr1, mac);
      return outside_control_frames(cg, std::move(b0));
    }
    case ast::Dir::SrcAndDst: {
      Fragment src = gen_wlanhostop(cg, mac, ast::Dir::Src);
      return gen_and(cg, std::move(src), gen_wlanhostop(cg, mac, ast::Dir::Dst));
    }
    case ast::Dir::Default:
    case ast::Dir::SrcOrDst: {
      Fragment src = gen_wlanhostop(cg, mac, ast::Dir::Src);
      return gen_or(cg, std::move(src), gen_wlanhostop(cg, mac, ast::Dir::Dst));
    }
    case ast::Dir::Addr1: return addr_is(cg, kAddr1, mac);
    case ast::Dir::Addr2: {
      Fragment b2 = has_addr2(cg);
      return gen_and(cg, std::move(b2), addr_is(cg, kAddr2, mac));
    }
    case ast::Dir::Addr3: {
      Fragment not_ctl = fc0_masked_ne(cg, kTypeCtl, kTypeMask);
      return gen_and(cg, std::move(not_ctl), addr_is(cg, kAddr3, mac));
    }
    case ast::Dir::Addr4: {
      Fragment dstods = gen_mcmp(cg, OffRel::LinkHdr, 1, kB, kDirDsToDs, kDirMask);
      return gen_and(cg, std::move(dstods), addr_is(cg, kAddr4, mac));
    }
    case ast::Dir::Ra: {
      // addr1, except in management frames.
      Fragment not_mgt = fc0_set(cg, kTypeData);
      return gen_and(cg, std::move(not_mgt), addr_is(cg, kAddr1, mac));
    }
    case ast::Dir::Ta: {
      // addr2, in data frames and control frames that have it.
      Fragment b2 = has_addr2(cg);
      Fragment b1 = fc0_set(cg, kTypeData);
      b2 = gen_and(cg, std::move(b1), std::move(b2));
      return gen_and(cg, std::move(b2), addr_is(cg, kAddr2, mac));
    }
    case ast::Dir::Undef: break;
  }
  cg.fail("syntax error in filter expression");
}

Fragment gen_wlan_multicast(Codegen& cg) {
  auto group_bit = [&](uint32_t offset) { return gen_jset(cg, OffRel::LinkHdr, offset, kB, 1); };
  Fragment to_ds = fc1_set(cg, kDirToDs);
  Fragment b0 = gen_and(cg, std::move(to_ds), group_bit(kAddr3));
  Fragment not_to_ds = gen_not(fc1_set(cg, kDirToDs));
  Fragment b1 = gen_and(cg, std::move(not_to_ds), group_bit(kAddr1));
  b0 = gen_or(cg, std::move(b1), std::move(b0));
  Fragment data = fc0_set(cg, kTypeData);
  b0 = gen_and(cg, std::move(data), std::move(b0));
  Fragment not_data = gen_not(fc0_set(cg, kTypeData));
  b1 = gen_and(cg, std::move(not_data), group_bit(kAddr1));
  b0 = gen_or(cg, std::move(b1), std::move(b0));
  return outside_control_frames(cg, std::move(b0));
}

Fragment gen_wlan(Codegen& cg, const ast::Wlan& node) {
  require_link_layer(cg);
  using F = ast::WlanField;
  const char* keyword = node.field == F::Dir ? "dir" : "type/subtype";
  if (!is_wlan_link(cg.layout())) {
    cg.fail("'" + std::string(keyword) + "' not supported on " + linktype_display(cg.layout().linktype));
  }
  switch (node.field) {
    case F::Type: {
      const uint32_t type = wlan_value(node.value, sema::wlan_type_by_name, cg);
      return gen_mcmp(cg, OffRel::LinkHdr, 0, kB, type, kTypeMask);
    }
    case F::TypeSubtype: {
      const uint32_t type = wlan_value(node.value, sema::wlan_type_by_name, cg);
      uint32_t subtype = 0;
      if (const auto* number = std::get_if<uint32_t>(&*node.subtype)) {
        subtype = *number;
      } else if (std::optional<uint32_t> found = sema::wlan_subtype_by_name(type, std::get<std::string>(*node.subtype))) {
        subtype = *found;
      } else {
        cg.fail("unknown 802.11 subtype name \"" + std::get<std::string>(*node.subtype) + "\"");
      }
      return gen_mcmp(cg, OffRel::LinkHdr, 0, kB, type | subtype, kTypeMask | kSubtypeMask);
    }
    case F::Subtype: {
      const uint32_t type_subtype = wlan_value(node.value, sema::wlan_type_subtype_by_name, cg);
      return gen_mcmp(cg, OffRel::LinkHdr, 0, kB, type_subtype, kTypeMask | kSubtypeMask);
    }
    case F::Dir: {
      const uint32_t dir = wlan_value(node.value, sema::wlan_dir_by_name, cg);
      return gen_mcmp(cg, OffRel::LinkHdr, 1, kB, dir, kDirMask);
    }
  }
  cg.fail("syntax error in filter expression");
}

}  // namespace bpfc::lower

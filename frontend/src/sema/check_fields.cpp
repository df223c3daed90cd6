// Fields of particular link types: pflog (gen_pf_*), 802.11 frame control
// (the grammar's type/subtype/dir rules and gen_p80211_*), SunATM
// (gen_atm*) and SS7 MTP2/MTP3 (gen_mtp2type_abbrev, gen_mtp3field_code).
// Names in these primitives are checked by the grammar, before the link type.
#include "bpfc/linktype/dlt.h"
#include "bpfc/linktype/linktype.h"
#include "sema/checks.h"
#include "sema/keywords.h"
#include "sema/names.h"
#include "sema/numbers.h"

namespace bpfc::sema {
namespace {

constexpr size_t kPflogNameSize = 16;  // ifname and ruleset fields of struct pfloghdr
constexpr uint32_t kWlanTypeMask = 0x0c, kWlanSubtypeMask = 0xf0, kWlanDirMask = 0x03;

void require_pflog(const CodegenModel& model, SourceSpan whole, std::string_view keyword) {
  if (model.linktype() != dlt::PFLOG)
    model.fail(whole, "'" + std::string(keyword) + "' supported only on PFLOG linktype");
}

void require_wlan(const CodegenModel& model, SourceSpan whole, std::string_view keyword) {
  if (!model.traits().has(kWlanHeader)) model.fail_on_linktype(whole, keyword);
}

// The grammar's `type` rule: a number within the type bits, or a type name.
uint32_t wlan_type_value(const CodegenModel& model, const std::variant<uint32_t, std::string>& type,
                         SourceSpan whole) {
  if (const auto* number = std::get_if<uint32_t>(&type)) {
    if ((*number & ~kWlanTypeMask) != 0) model.fail(whole, "invalid 802.11 type value " + hex_byte(*number));
    return *number;
  }
  const auto& name = std::get<std::string>(type);
  if (auto value = wlan_type_by_name(name)) return *value;
  model.fail(whole, "unknown 802.11 type name \"" + name + "\"");
}

// The grammar's `subtype` rule, which reads names in the table of `type`.
void check_wlan_subtype(const CodegenModel& model, uint32_t type,
                        const std::variant<uint32_t, std::string>& subtype, SourceSpan whole) {
  if (const auto* number = std::get_if<uint32_t>(&subtype)) {
    if ((*number & ~kWlanSubtypeMask) != 0)
      model.fail(whole, "invalid 802.11 subtype value " + hex_byte(*number));
    return;
  }
  const auto& name = std::get<std::string>(subtype);
  if (!wlan_type_has_subtypes(type)) model.fail(whole, "unknown 802.11 type");
  if (!wlan_subtype_by_name(type, name)) model.fail(whole, "unknown 802.11 subtype name \"" + name + "\"");
}

}  // namespace

void check_pflog(CodegenModel& model, const ast::Pflog& primitive, SourceSpan whole) {
  using F = ast::PflogField;
  switch (primitive.field) {
    case F::Ifname:
      require_pflog(model, whole, "ifname");
      if (primitive.text.size() >= kPflogNameSize)
        model.fail(whole, "ifname interface names can only be " + std::to_string(kPflogNameSize - 1) + " characters");
      return;
    case F::Ruleset:
      require_pflog(model, whole, "ruleset");
      if (primitive.text.size() >= kPflogNameSize)
        model.fail(whole, "ruleset names can only be " + std::to_string(kPflogNameSize - 1) + " characters");
      return;
    case F::Rulenum:
      return require_pflog(model, whole, "rnr");
    case F::Subrulenum:
      return require_pflog(model, whole, "srnr");
    case F::Reason:
      if (!primitive.number && !pf_reason_by_name(primitive.text))
        model.fail(whole, "unknown PF reason \"" + primitive.text + "\"");
      return require_pflog(model, whole, "reason");
    case F::Action:
      if (!pf_action_by_name(primitive.text)) model.fail(whole, "unknown PF action \"" + primitive.text + "\"");
      return require_pflog(model, whole, "action");
  }
}

void check_wlan(CodegenModel& model, const ast::Wlan& primitive, SourceSpan whole) {
  using F = ast::WlanField;
  switch (primitive.field) {
    case F::Type:
    case F::TypeSubtype: {
      uint32_t type = wlan_type_value(model, primitive.value, whole);
      if (primitive.subtype) check_wlan_subtype(model, type, *primitive.subtype, whole);
      return require_wlan(model, whole, "type/subtype");
    }
    case F::Subtype:
      if (const auto* name = std::get_if<std::string>(&primitive.value); name && !wlan_type_subtype_by_name(*name))
        model.fail(whole, "unknown 802.11 type name");
      return require_wlan(model, whole, "type/subtype");
    case F::Dir:
      if (const auto* number = std::get_if<uint32_t>(&primitive.value)) {
        if ((*number & ~kWlanDirMask) != 0) model.fail(whole, "invalid 802.11 direction value " + hex(*number));
      } else if (!wlan_dir_by_name(std::get<std::string>(primitive.value))) {
        model.fail(whole, "unknown 802.11 direction");
      }
      return require_wlan(model, whole, "dir");
  }
}

void check_atm(CodegenModel& model, const ast::Atm& primitive, SourceSpan whole) {
  using K = ast::AtmKeyword;
  std::string keyword = atm_keyword(primitive.keyword);
  if (!model.traits().has(kSunAtm)) model.fail(whole, "'" + keyword + "' supported only on SUNATM");
  switch (primitive.keyword) {
    case K::Vpi:
      if (primitive.value) model.check_max(whole, "VPI", *primitive.value, 0xff);
      return;
    case K::Vci:
      if (primitive.value) model.check_max(whole, "VCI", *primitive.value, 0xffff);
      return;
    case K::Lane:
      return model.enter_lane();
    default:
      return;
  }
}

void check_mtp(CodegenModel& model, const ast::Mtp& primitive, SourceSpan whole) {
  using K = ast::MtpKeyword;
  std::string keyword = mtp_keyword(primitive.keyword);
  if (!model.traits().has(kSs7)) model.fail(whole, "'" + keyword + "' supported only on SS7");
  if (!primitive.value) return;
  switch (primitive.keyword) {
    case K::Sio:
    case K::Hsio:
      return model.check_max(whole, keyword, *primitive.value, 0xff);
    case K::Opc:
    case K::Dpc:
    case K::Hopc:
    case K::Hdpc:
      return model.check_max(whole, keyword, *primitive.value, 0x3fff);
    case K::Sls:
    case K::Hsls:
      return model.check_max(whole, keyword, *primitive.value, 0xf);
    default:
      return;
  }
}

}  // namespace bpfc::sema

// SunATM (DLT_SUNATM): the pseudo-header's VPI, VCI and protocol type, the
// well-known circuits (`metac`, `bcc`, `sc`, `ilmic`, `oamf4sc`, `oamf4ec`,
// `oam`/`oamf4`), the Q.2931 signalling messages (`connectmsg`,
// `metaconnect`), LLC-encapsulated payloads, and `lane`, after which the
// payload is read as LANE-encapsulated Ethernet.
#pragma once

#include <cstdint>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment gen_atm(Codegen& cg, const ast::Atm& atm);
// An LLC-encapsulated payload (the pseudo-header's protocol type).
Fragment gen_atm_llc(Codegen& cg);
// The payload is `ll_proto` in LLC encapsulation.
Fragment gen_atm_llc_linktype(Codegen& cg, uint32_t ll_proto);
// Inside LANE: the frame is data, not an LE control frame.
Fragment gen_lane_data_check(Codegen& cg);

}  // namespace bpfc::lower

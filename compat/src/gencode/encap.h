// Encapsulations: `vlan`, `mpls`, `pppoed`, `pppoes`, `geneve`, `vxlan`.
// Each tests for its header and then moves the layout past it, so that
// everything lowered afterwards (in filter-text order, whatever the and/or
// structure) looks inside, exactly as libpcap does.
#pragma once

#include <cstdint>
#include <optional>

#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment gen_vlan(Codegen& cg, std::optional<uint32_t> id);
Fragment gen_mpls(Codegen& cg, std::optional<uint32_t> label);
Fragment gen_pppoed(Codegen& cg);
Fragment gen_pppoes(Codegen& cg, std::optional<uint32_t> session);
Fragment gen_geneve(Codegen& cg, std::optional<uint32_t> vni);
Fragment gen_vxlan(Codegen& cg, std::optional<uint32_t> vni);

// Inside Geneve/VXLAN: true when the inner frame has an Ethernet header.
Fragment gen_geneve_ll_check(Codegen& cg);

}  // namespace bpfc::lower

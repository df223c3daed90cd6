// The passes' entry points, one per file in this directory; the registry
// (pass_registry.cpp) names them and orders them into pipelines.
#pragma once

#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/pass_manager.h"

namespace bpfc::opt {

// Each returns whether it changed f and records what it did in counters.
bool fold_constants(ir::Function& f, PassCounters& counters);     // constant_folding.cpp
bool simplify_algebra(ir::Function& f, PassCounters& counters);   // algebraic_simplify.cpp
bool remove_dead_code(ir::Function& f, PassCounters& counters);   // dead_code.cpp
bool simplify_cfg(ir::Function& f, PassCounters& counters);       // cfg_simplify.cpp
bool number_values(ir::Function& f, PassCounters& counters);      // value_numbering.cpp
bool propagate_edge_facts(ir::Function& f, PassCounters& counters);  // edge_facts.cpp
bool lower_sets(ir::Function& f, PassCounters& counters);         // set_lowering.cpp
bool merge_tails(ir::Function& f, PassCounters& counters);        // tail_merging.cpp
bool fuse_loads(ir::Function& f, PassCounters& counters);         // load_fusion.cpp

}  // namespace bpfc::opt

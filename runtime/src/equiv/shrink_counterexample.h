// Makes a counterexample easy to read and replay: the shortest captured
// length that still tells the programs apart, and the wire length equal to
// it where possible (so `bpfc run` needs no --wirelen).
#pragma once

#include <chrono>
#include <cstdint>

#include <z3++.h>

#include "symbolic_packet.h"

namespace bpfc::runtime::equiv {

// `solver` holds the query and its last check() was sat with `model`.
// Returns the model of the smallest counterexample found with checks that
// together take about `budget_ms` (0: no limit); the solver's assertions are
// unchanged afterwards.
z3::model shrink_counterexample(z3::solver& solver, const SymbolicPacket& packet, z3::model model,
                                uint32_t budget_ms);

}  // namespace bpfc::runtime::equiv

// The `interp` engine: classic BPF run by bpfc's interpreter (run_cbpf),
// with libpcap's bpf_filter() verdicts.
#pragma once

#include "bpfc/exec/engine.h"

namespace bpfc::exec {

Engine interp_engine();

}  // namespace bpfc::exec

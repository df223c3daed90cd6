// The engines that run eBPF socket filters: bpfc's user-space interpreter
// (`ebpf`) and the running kernel through BPF_PROG_TEST_RUN (`kernel`).
#pragma once

#include "bpfc/exec/engine.h"

namespace bpfc::exec {

Engine ebpf_interpreter_engine();
Engine kernel_engine();

}  // namespace bpfc::exec

// The `ebpf` target: eBPF programs for the kernel's socket, XDP and tc hooks,
// and callable functions (func), as listings (bpftool's notation, -dd),
// JSON, or ELF objects that libbpf and bpftool load.
#pragma once

#include "bpfc/driver/target.h"

namespace bpfc::ebpf {

void register_target(driver::TargetRegistry& registry);

}  // namespace bpfc::ebpf

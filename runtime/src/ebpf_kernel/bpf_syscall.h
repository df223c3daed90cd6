// The one place that calls bpf(2).
#pragma once

#include <linux/bpf.h>

#include <string>

namespace bpfc::runtime::ebpf_kernel {

// bpf(cmd, attr, sizeof *attr); the result, or -1 with errno set. Retries
// on EINTR and EAGAIN (BPF_PROG_LOAD returns EAGAIN when a signal interrupts
// the verifier).
int bpf(int cmd, union bpf_attr& attr);

// "<what>: <strerror(error_number)>".
std::string failure(const std::string& what, int error_number);

}  // namespace bpfc::runtime::ebpf_kernel

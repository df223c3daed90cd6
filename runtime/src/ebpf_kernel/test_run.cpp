// BPF_PROG_TEST_RUN, and whether this process may use bpf() at all.
#include <cerrno>
#include <cstring>

#include "bpf_syscall.h"
#include "bpfc/runtime/ebpf_kernel.h"

namespace bpfc::runtime {

KernelResult<TestRunResult> test_run(const ProgramFd& program, std::span<const uint8_t> data, uint32_t repeat) {
  // The kernel may grow the packet (XDP, tc): leave room for the output.
  std::vector<uint8_t> out(data.size() + 4096);
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.test.prog_fd = static_cast<uint32_t>(program.get());
  attr.test.data_in = reinterpret_cast<uintptr_t>(data.data());
  attr.test.data_size_in = static_cast<uint32_t>(data.size());
  attr.test.data_out = reinterpret_cast<uintptr_t>(out.data());
  attr.test.data_size_out = static_cast<uint32_t>(out.size());
  attr.test.repeat = repeat == 0 ? 1 : repeat;
  if (ebpf_kernel::bpf(BPF_PROG_TEST_RUN, attr) < 0) {
    const int error_number = errno;
    return KernelError{
        error_number,
        ebpf_kernel::failure("BPF_PROG_TEST_RUN on " + std::to_string(data.size()) + " bytes failed", error_number),
        {}};
  }
  return TestRunResult{attr.test.retval, attr.test.duration, attr.test.data_size_out};
}

KernelResult<TestRunResult> test_run_socket_filter(const ProgramFd& program, std::span<const uint8_t> packet,
                                                   uint32_t repeat) {
  std::vector<uint8_t> frame = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5};
  frame.insert(frame.end(), packet.begin(), packet.end());
  return test_run(program, frame, repeat);
}

std::optional<std::string> bpf_unavailable_reason() {
  // r0 = 1; exit — accepted by every kernel with eBPF socket filters.
  const ebpf::Program probe{ebpf::mov64_imm(ebpf::R0, 1), ebpf::exit_insn()};
  auto loaded = load_program(probe, ebpf::kProgTypeSocketFilter);
  if (!loaded) {
    const int e = loaded.error().error_number;
    std::string why = "this process cannot load BPF programs (" + loaded.error().message + ")";
    if (e == EPERM || e == EACCES) why += "; it needs CAP_BPF (or root), or kernel.unprivileged_bpf_disabled=0";
    if (e == ENOSYS) why += "; the kernel has no bpf() system call";
    return why;
  }
  const uint8_t frame[64] = {};
  auto run = test_run(loaded->fd, frame);
  if (!run) return "this process cannot test-run BPF programs (" + run.error().message + ")";
  if (run->retval != 1)
    return "BPF_PROG_TEST_RUN returned " + std::to_string(run->retval) + " for a program that returns 1";
  return std::nullopt;
}

}  // namespace bpfc::runtime

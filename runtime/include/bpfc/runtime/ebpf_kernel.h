// Loading eBPF programs into this machine's kernel and running them with
// BPF_PROG_TEST_RUN, through the raw bpf(2) system call (no libbpf).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bpfc/ebpf/insn.h"

namespace bpfc::runtime {

struct KernelError {
  int error_number = 0;      // errno of the failing bpf() call
  std::string message;       // what was attempted and strerror
  std::string verifier_log;  // the verifier's explanation, when it refused a program

  // The message, then the verifier's log (if any) on the lines after it.
  std::string describe() const;
};

// A value or a KernelError.
template <typename T>
class KernelResult {
 public:
  KernelResult(T value) : v_(std::move(value)) {}    // NOLINT: implicit by design
  KernelResult(KernelError e) : v_(std::move(e)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  const KernelError& error() const { return std::get<KernelError>(v_); }

 private:
  std::variant<T, KernelError> v_;
};

// An owned program file descriptor; closed when destroyed.
class ProgramFd {
 public:
  ProgramFd() = default;
  explicit ProgramFd(int fd) : fd_(fd) {}
  ProgramFd(ProgramFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ProgramFd& operator=(ProgramFd&& other) noexcept;
  ProgramFd(const ProgramFd&) = delete;
  ProgramFd& operator=(const ProgramFd&) = delete;
  ~ProgramFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct LoadedProgram {
  ProgramFd fd;
  std::string verifier_log;  // filled only when log_level > 0 was asked for
};

// BPF_PROG_LOAD of `program` as `prog_type` (ebpf::kProgTypeSocketFilter,
// ...). With log_level 0 the first attempt asks for no log; when the kernel
// refuses the program, it is loaded again with log level 1 and a log buffer
// that grows until the whole log fits (up to 64 MiB), so that the error
// carries the verifier's explanation. With log_level > 0 the log is asked for
// from the start and returned on success too.
KernelResult<LoadedProgram> load_program(const ebpf::Program& program, uint32_t prog_type,
                                         std::string_view license = "GPL", uint32_t log_level = 0);

struct TestRunResult {
  uint32_t retval = 0;         // the program's return value (its low 32 bits)
  uint32_t duration_ns = 0;    // the kernel's mean time per repetition
  uint32_t data_size_out = 0;  // bytes of packet after the run
};

// BPF_PROG_TEST_RUN of a loaded program on `data` (for socket filters and tc
// the kernel runs eth_type_trans first: the program sees `data` from byte 14,
// and frames under 14 bytes are refused), `repeat` times (0 counts as 1).
KernelResult<TestRunResult> test_run(const ProgramFd& program, std::span<const uint8_t> data, uint32_t repeat = 1);

// test_run of a socket filter on a packet as a packet socket would hand it
// over (the program sees `packet` from its first byte): an Ethernet header
// goes in front for eth_type_trans to strip, with a local experimental
// EtherType (0x88b5) so that the kernel asks for no IP header behind it.
KernelResult<TestRunResult> test_run_socket_filter(const ProgramFd& program, std::span<const uint8_t> packet,
                                                   uint32_t repeat = 1);

// nullopt when this process can load and test-run BPF programs (it loads a
// two-instruction socket filter and runs it once); otherwise why not, for
// tests to skip with.
std::optional<std::string> bpf_unavailable_reason();

}  // namespace bpfc::runtime

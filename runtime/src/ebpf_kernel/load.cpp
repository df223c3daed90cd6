// BPF_PROG_LOAD, with the verifier's log asked for when the kernel refuses.
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpf_syscall.h"
#include "bpfc/runtime/ebpf_kernel.h"

namespace bpfc::runtime {

namespace ebpf_kernel {

int bpf(int cmd, union bpf_attr& attr) {
  for (int attempt = 0;; ++attempt) {
    const long result = syscall(SYS_bpf, cmd, &attr, sizeof attr);
    if (result >= 0) return static_cast<int>(result);
    if ((errno != EINTR && errno != EAGAIN) || attempt >= 5) return -1;
  }
}

std::string failure(const std::string& what, int error_number) { return what + ": " + std::strerror(error_number); }

}  // namespace ebpf_kernel

std::string KernelError::describe() const {
  if (verifier_log.empty()) return message;
  std::string text = message + "\nverifier log:\n" + verifier_log;
  if (text.back() != '\n') text += '\n';
  return text;
}

ProgramFd& ProgramFd::operator=(ProgramFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ProgramFd::~ProgramFd() {
  if (fd_ >= 0) close(fd_);
}

namespace {

constexpr uint32_t kFirstLogSize = 64 * 1024;
constexpr uint32_t kMaxLogSize = 64 * 1024 * 1024;

struct Attempt {
  int fd = -1;
  int error_number = 0;
  std::string log;
};

Attempt attempt_load(const std::vector<uint8_t>& insns, uint32_t prog_type, const std::string& license,
                     uint32_t log_level, uint32_t log_size) {
  std::vector<char> log(log_size, '\0');
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = prog_type;
  attr.insn_cnt = static_cast<uint32_t>(insns.size() / 8);
  attr.insns = reinterpret_cast<uintptr_t>(insns.data());
  attr.license = reinterpret_cast<uintptr_t>(license.c_str());
  if (log_level > 0) {
    attr.log_level = log_level;
    attr.log_size = log_size;
    attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
  }
  std::strncpy(attr.prog_name, "bpfc_filter", sizeof attr.prog_name - 1);
  Attempt result;
  result.fd = ebpf_kernel::bpf(BPF_PROG_LOAD, attr);
  if (result.fd < 0) result.error_number = errno;
  if (log_level > 0) result.log.assign(log.data(), strnlen(log.data(), log.size()));
  return result;
}

// Loads with a log, growing the buffer while the kernel says it is too small.
Attempt load_with_log(const std::vector<uint8_t>& insns, uint32_t prog_type, const std::string& license,
                      uint32_t log_level) {
  for (uint32_t size = kFirstLogSize;; size *= 2) {
    Attempt a = attempt_load(insns, prog_type, license, log_level, size);
    if (a.fd >= 0 || a.error_number != ENOSPC || size >= kMaxLogSize) return a;
  }
}

}  // namespace

KernelResult<LoadedProgram> load_program(const ebpf::Program& program, uint32_t prog_type, std::string_view license,
                                         uint32_t log_level) {
  const std::vector<uint8_t> insns = ebpf::encode(program);
  const std::string license_text(license);
  Attempt a = log_level > 0 ? load_with_log(insns, prog_type, license_text, log_level)
                            : attempt_load(insns, prog_type, license_text, 0, 0);
  if (a.fd < 0 && log_level == 0 && a.error_number != EPERM) a = load_with_log(insns, prog_type, license_text, 1);
  if (a.fd >= 0) return LoadedProgram{ProgramFd(a.fd), std::move(a.log)};
  const std::string what = "the kernel refused to load the program (BPF_PROG_LOAD of " +
                           std::to_string(program.size()) + " instructions, program type " + std::to_string(prog_type) +
                           ")";
  return KernelError{a.error_number, ebpf_kernel::failure(what, a.error_number), std::move(a.log)};
}

}  // namespace bpfc::runtime

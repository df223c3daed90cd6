#include "kernel_check.h"

#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::difftest {

KernelCheck::KernelCheck() {
  socket_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (socket_ < 0) return;
  // Probe once: if attaching a trivial filter fails, the real kernel cannot
  // be asked here and only the model is used.
  sock_filter accept_all{static_cast<uint16_t>(cbpf::RET | cbpf::K), 0, 0, 0xffffffff};
  sock_fprog prog{1, &accept_all};
  if (::setsockopt(socket_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
    ::close(socket_);
    socket_ = -1;
  }
}

KernelCheck::~KernelCheck() {
  if (socket_ >= 0) ::close(socket_);
}

std::optional<std::string> KernelCheck::problem(const cbpf::Program& p) {
  if (auto invalid = runtime::validate_cbpf(p, runtime::ValidationRules::LinuxKernel)) {
    return "bpfc's model of the kernel's checks refuses it: " + invalid->describe();
  }
  if (socket_ < 0 || attach(p)) return std::nullopt;
  // Only EINVAL is the checker's refusal. ENOMEM means the socket's option
  // memory (optmem_max) still holds replaced filters awaiting their RCU
  // release: ask again on a fresh socket.
  if (errno != EINVAL) {
    reopen();
    if (socket_ < 0 || attach(p) || errno != EINVAL) return std::nullopt;
  }
  return std::string("SO_ATTACH_FILTER refuses it: ") + std::strerror(EINVAL);
}

bool KernelCheck::attach(const cbpf::Program& p) {
  std::vector<sock_filter> filter;
  filter.reserve(p.size());
  for (const cbpf::Insn& insn : p) filter.push_back(sock_filter{insn.code, insn.jt, insn.jf, insn.k});
  sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
  return ::setsockopt(socket_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

void KernelCheck::reopen() {
  if (socket_ >= 0) ::close(socket_);
  socket_ = ::socket(AF_INET, SOCK_DGRAM, 0);
}

}  // namespace bpfc::difftest

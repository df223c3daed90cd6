// Every program bpfc emits must also be one the Linux kernel accepts as a
// classic socket filter: checked with bpfc's model of the kernel's rules and,
// where permitted, by attaching it to a UDP socket (no traffic is sent).
#pragma once

#include <optional>
#include <string>

#include "bpfc/cbpf/insn.h"

namespace bpfc::difftest {

class KernelCheck {
 public:
  KernelCheck();
  ~KernelCheck();
  KernelCheck(const KernelCheck&) = delete;
  KernelCheck& operator=(const KernelCheck&) = delete;

  // Why the kernel would refuse `p`, or nullopt when it accepts it.
  std::optional<std::string> problem(const cbpf::Program& p);
  // False when SO_ATTACH_FILTER could not be used here (only the model ran).
  bool uses_real_kernel() const { return socket_ >= 0; }

 private:
  bool attach(const cbpf::Program& p);  // errno is set when it returns false
  void reopen();

  int socket_ = -1;
};

}  // namespace bpfc::difftest

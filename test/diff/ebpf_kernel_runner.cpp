#include "ebpf_kernel_runner.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace bpfc::difftest {

LoadedEbpf::LoadedEbpf(const ebpf::Program& program, ebpf::Hook hook) : hook_(hook) {
  std::vector<bpf_insn> insns(program.size());
  for (size_t i = 0; i < program.size(); ++i) std::memcpy(&insns[i], ebpf::encode(program[i]).data(), 8);
  std::vector<char> log(1 << 20);
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_level = 1, .log_size = static_cast<__u32>(log.size()),
              .log_buf = log.data());
  fd_ = bpf_prog_load(static_cast<bpf_prog_type>(ebpf::program_type(hook)), "bpfc_test", "GPL", insns.data(),
                      insns.size(), &opts);
  const char* processed = std::strstr(log.data(), "processed ");
  if (processed != nullptr) processed_ = std::strtoull(processed + std::strlen("processed "), nullptr, 10);
  if (fd_ < 0) {
    log_ = std::strerror(errno) + std::string("\n") + log.data();
    if (log_.size() > 4000) log_ = log_.substr(log_.size() - 4000);
  }
}

LoadedEbpf::~LoadedEbpf() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<uint32_t> LoadedEbpf::run(const uint8_t* bytes, uint32_t caplen) const {
  std::vector<uint8_t> frame;
  if (hook_ == ebpf::Hook::Socket) frame = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5};
  frame.insert(frame.end(), bytes, bytes + caplen);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_size_in = static_cast<__u32>(frame.size()),
              .repeat = 1);
  if (bpf_prog_test_run_opts(fd_, &opts) != 0) return std::nullopt;
  return opts.retval;
}

bool kernel_loads_ebpf() {
  return LoadedEbpf({ebpf::mov64_imm(ebpf::R0, 0), ebpf::exit_insn()}, ebpf::Hook::Socket).loaded();
}

uint32_t hook_return(ebpf::Hook hook, uint32_t verdict) {
  switch (hook) {
    case ebpf::Hook::Xdp: return verdict != 0 ? ebpf::kXdpPass : ebpf::kXdpDrop;
    case ebpf::Hook::Tc: return verdict != 0 ? ebpf::kTcActOk : ebpf::kTcActShot;
    default: return verdict;
  }
}

}  // namespace bpfc::difftest

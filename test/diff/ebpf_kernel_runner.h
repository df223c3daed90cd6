// Loading eBPF programs into the running kernel and test-running them
// (BPF_PROG_TEST_RUN), through libpcap's counterpart for eBPF: libbpf, used
// by the tests only (the product calls bpf() itself).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::difftest {

class LoadedEbpf {
 public:
  // Loads `program` as the hook's program type; fd() < 0 and log() says why
  // when the kernel refuses it.
  LoadedEbpf(const ebpf::Program& program, ebpf::Hook hook);
  ~LoadedEbpf();
  LoadedEbpf(const LoadedEbpf&) = delete;
  LoadedEbpf& operator=(const LoadedEbpf&) = delete;

  bool loaded() const { return fd_ >= 0; }
  const std::string& log() const { return log_; }
  // The instructions the verifier checked ("processed N insns"), read from
  // its log; 0 where the log does not say.
  size_t processed() const { return processed_; }
  // What the program returns on a packet of `caplen` bytes, or nullopt when
  // the kernel will not run it on such a frame (too short for its
  // EtherType, say). A socket filter's run strips an Ethernet header first
  // (eth_type_trans), so one goes in front; its EtherType is a local
  // experimental one, so that the kernel asks for no IP header behind it.
  std::optional<uint32_t> run(const uint8_t* bytes, uint32_t caplen) const;

 private:
  ebpf::Hook hook_;
  int fd_ = -1;
  std::string log_;
  size_t processed_ = 0;
};

// Whether this process may load eBPF programs (tests skip otherwise).
bool kernel_loads_ebpf();

// The hook's return value for a filter's verdict.
uint32_t hook_return(ebpf::Hook hook, uint32_t verdict);

}  // namespace bpfc::difftest

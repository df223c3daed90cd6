#include "ebpf_engines.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"

namespace bpfc::exec {
namespace {

// A program the engine validated faulting is a bug of bpfc's (its code
// generator or its interpreter): stop loudly, never a silent verdict.
[[noreturn]] void faulted(const runtime::EbpfFault& fault) {
  std::fprintf(stderr, "bpfc: internal error: the eBPF program faulted: %s\n", fault.describe().c_str());
  std::abort();
}

uint32_t interpret(const ebpf::Program& program, std::span<const uint8_t> packet, uint32_t wirelen) {
  runtime::EbpfContext context;
  context.hook = ebpf::Hook::Socket;
  context.packet = packet;
  context.skb.len = wirelen;
  const runtime::EbpfRun run = runtime::run_ebpf(program, context);
  if (run.fault) faulted(*run.fault);
  return static_cast<uint32_t>(run.r0);
}

class InterpretedEbpf final : public Filter {
 public:
  explicit InterpretedEbpf(ebpf::Program program) : program_(std::move(program)) {}
  uint32_t run(std::span<const uint8_t> packet, uint32_t wirelen) const override {
    return interpret(program_, packet, wirelen);
  }

 private:
  ebpf::Program program_;
};

class KernelEbpf final : public Filter {
 public:
  KernelEbpf(ebpf::Program program, runtime::ProgramFd fd) : program_(std::move(program)), fd_(std::move(fd)) {}

  // The kernel's test run gives skb->len the bytes it is handed, so a packet
  // captured short of its wire length (whose `len` is the wire length) runs
  // in the interpreter, as does one the test run refuses (over about 3.7 KB).
  uint32_t run(std::span<const uint8_t> packet, uint32_t wirelen) const override {
    if (wirelen == packet.size()) {
      auto result = runtime::test_run_socket_filter(fd_, packet);
      if (result) return result->retval;
    }
    return interpret(program_, packet, wirelen);
  }

 private:
  ebpf::Program program_;
  runtime::ProgramFd fd_;
};

Result<std::unique_ptr<Filter>> validated(const ebpf::Program& program) {
  if (auto invalid = runtime::validate_ebpf(program)) {
    return error("the eBPF program is invalid: " + invalid->describe());
  }
  return std::unique_ptr<Filter>();
}

}  // namespace

Engine ebpf_interpreter_engine() {
  Engine engine;
  engine.name = "ebpf";
  engine.description = "bpfc's user-space eBPF interpreter running the eBPF socket filter (no privileges needed)";
  engine.input = EngineInput::EbpfSocketFilter;
  engine.make_ebpf = [](const ebpf::Program& program) -> Result<std::unique_ptr<Filter>> {
    auto checked = validated(program);
    if (!checked) return checked.errors();
    return std::unique_ptr<Filter>(std::make_unique<InterpretedEbpf>(program));
  };
  return engine;
}

Engine kernel_engine() {
  Engine engine;
  engine.name = "kernel";
  engine.description =
      "the running kernel: the eBPF socket filter loaded with bpf() and run with BPF_PROG_TEST_RUN (needs "
      "CAP_BPF; packets captured short of their length run in the eBPF interpreter)";
  engine.input = EngineInput::EbpfSocketFilter;
  engine.make_ebpf = [](const ebpf::Program& program) -> Result<std::unique_ptr<Filter>> {
    auto checked = validated(program);
    if (!checked) return checked.errors();
    auto loaded = runtime::load_program(program, ebpf::kProgTypeSocketFilter);
    if (!loaded) return error("the kernel refused the eBPF program: " + loaded.error().describe());
    return std::unique_ptr<Filter>(std::make_unique<KernelEbpf>(program, std::move(loaded->fd)));
  };
  return engine;
}

}  // namespace bpfc::exec

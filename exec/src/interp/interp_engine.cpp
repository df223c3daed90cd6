#include "interp_engine.h"

#include <utility>

#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::exec {
namespace {

class InterpretedFilter final : public Filter {
 public:
  explicit InterpretedFilter(cbpf::Program program) : program_(std::move(program)) {}

  uint32_t run(std::span<const uint8_t> packet, uint32_t wirelen) const override {
    return runtime::run_cbpf(program_, packet, wirelen);
  }

  void run_batch(std::span<const PacketView> packets, std::span<uint32_t> verdicts) const override {
    for (size_t i = 0; i < packets.size(); ++i) {
      verdicts[i] = runtime::run_cbpf(program_, {packets[i].data, packets[i].caplen}, packets[i].wirelen);
    }
  }

 private:
  cbpf::Program program_;
};

}  // namespace

Engine interp_engine() {
  Engine engine;
  engine.name = "interp";
  engine.description = "bpfc's classic-BPF interpreter: libpcap's bpf_filter() verdicts, in user space";
  engine.make = [](const cbpf::Program& program) -> Result<std::unique_ptr<Filter>> {
    return std::unique_ptr<Filter>(std::make_unique<InterpretedFilter>(program));
  };
  return engine;
}

}  // namespace bpfc::exec

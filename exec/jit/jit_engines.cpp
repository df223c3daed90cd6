#include "jit_engines.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/llvm/native_jit.h"

namespace bpfc::exec {
namespace {

using native::cached_native_code;
using native::native_code;
using native::NativeCode;

static_assert(sizeof(PacketView) == sizeof(native::Packet) && offsetof(PacketView, data) == offsetof(native::Packet, data) &&
                  offsetof(PacketView, caplen) == offsetof(native::Packet, caplen) &&
                  offsetof(PacketView, wirelen) == offsetof(native::Packet, wirelen),
              "a batch of PacketViews is handed to the generated code as struct bpfc_packet");

const native::Packet* as_native(const PacketView* packets) {
  return reinterpret_cast<const native::Packet*>(packets);
}

class NativeFilter final : public Filter {
 public:
  explicit NativeFilter(NativeCode code) : code_(code) {}

  uint32_t run(std::span<const uint8_t> packet, uint32_t wirelen) const override {
    return code_.filter(packet.data(), static_cast<uint32_t>(packet.size()), wirelen);
  }

  void run_batch(std::span<const PacketView> packets, std::span<uint32_t> verdicts) const override {
    code_.batch(as_native(packets.data()), static_cast<uint32_t>(packets.size()), verdicts.data());
  }

 private:
  NativeCode code_;
};

// Interprets the classic program until the native code is there. The
// compile starts only once the filter has seen kWarmupPackets packets: a
// short job (a few packets, a small savefile) never pays for LLVM, and a
// long one switches after a few milliseconds. Code a cache holds is taken
// at once.
class TieredFilter final : public Filter {
 public:
  static constexpr uint64_t kWarmupPackets = 4096;

  TieredFilter(cbpf::Program program, ir::Function function, EngineSettings settings)
      : program_(std::move(program)), function_(std::move(function)), settings_(std::move(settings)) {
    if (auto cached = cached_native_code(function_, settings_.code_cache)) publish(*cached);
  }

  ~TieredFilter() override {
    if (compiler_.joinable()) compiler_.join();
  }

  uint32_t run(std::span<const uint8_t> packet, uint32_t wirelen) const override {
    if (const NativeCode* code = native_.load(std::memory_order_acquire)) {
      return code->filter(packet.data(), static_cast<uint32_t>(packet.size()), wirelen);
    }
    count(1);
    return runtime::run_cbpf(program_, packet, wirelen);
  }

  void run_batch(std::span<const PacketView> packets, std::span<uint32_t> verdicts) const override {
    if (const NativeCode* code = native_.load(std::memory_order_acquire)) {
      code->batch(as_native(packets.data()), static_cast<uint32_t>(packets.size()), verdicts.data());
      return;
    }
    count(packets.size());
    for (size_t i = 0; i < packets.size(); ++i) {
      verdicts[i] = runtime::run_cbpf(program_, {packets[i].data, packets[i].caplen}, packets[i].wirelen);
    }
  }

 private:
  void publish(NativeCode code) const {
    code_ = code;
    native_.store(&code_, std::memory_order_release);
  }

  void count(uint64_t packets) const {
    if (seen_.fetch_add(packets, std::memory_order_relaxed) + packets < kWarmupPackets) return;
    std::call_once(start_, [this] {
      compiler_ = std::thread([this] {
        // A compile that fails leaves the interpreter running: the verdicts
        // are the same, only slower.
        if (auto loaded = native_code(function_, settings_.code_cache)) publish(loaded->code);
      });
    });
  }

  const cbpf::Program program_;
  const ir::Function function_;
  const EngineSettings settings_;
  mutable NativeCode code_;
  mutable std::atomic<const NativeCode*> native_{nullptr};
  mutable std::atomic<uint64_t> seen_{0};
  mutable std::once_flag start_;
  mutable std::thread compiler_;
};

}  // namespace

Engine jit_engine() {
  Engine engine;
  engine.name = "jit";
  engine.description = "native code: LLVM compiles the filter for this CPU before the first packet (ORC LLJIT)";
  engine.input = EngineInput::Ir;
  engine.make_native = [](const ir::Function& function,
                          const EngineSettings& settings) -> Result<std::unique_ptr<Filter>> {
    auto loaded = native_code(function, settings.code_cache);
    if (!loaded) return loaded.errors();
    return std::unique_ptr<Filter>(std::make_unique<NativeFilter>(loaded->code));
  };
  return engine;
}

Engine auto_engine() {
  Engine engine;
  engine.name = "auto";
  engine.description =
      "the interpreter at once, native code (jit) once LLVM has compiled it on another thread: short jobs never "
      "wait for LLVM";
  engine.input = EngineInput::ClassicAndIr;
  engine.make_tiered = [](const cbpf::Program& program, const ir::Function& function,
                          const EngineSettings& settings) -> Result<std::unique_ptr<Filter>> {
    return std::unique_ptr<Filter>(std::make_unique<TieredFilter>(program, function, settings));
  };
  return engine;
}

}  // namespace bpfc::exec

// The eBPF engines (`ebpf`, the user-space interpreter; `kernel`, the
// running kernel) through compile_for_engine give the classic interpreter's
// verdicts, on packets captured whole and short of their wire length (whose
// `len` is the wire length), and refuse what they cannot run.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/executable.h"
#include "bpfc/exec/engine.h"
#include "bpfc/runtime/ebpf_kernel.h"

namespace bpfc {
namespace {

// Ethernet frames that the filters below test: IPv4 or IPv6 or VLAN, TCP or
// UDP, ports 80 and 53 among others, lengths 0 to 120.
std::vector<uint8_t> random_frame(std::mt19937& rng) {
  std::vector<uint8_t> frame(rng() % 121);
  for (uint8_t& byte : frame) byte = static_cast<uint8_t>(rng());
  const auto put = [&frame](size_t at, std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
      if (at < frame.size()) frame[at] = b;
      ++at;
    }
  };
  const uint32_t kind = rng() % 4;
  if (kind == 0) put(12, {0x81, 0x00, 0x00, 0x0a});  // VLAN 10, then the type at 16
  const size_t type_at = kind == 0 ? 16 : 12, ip = type_at + 2;
  if (kind == 1) {
    put(type_at, {0x86, 0xdd});
    put(ip, {0x60});
    put(ip + 6, {static_cast<uint8_t>(rng() % 2 ? 6 : 17)});
    put(ip + 42, {0x00, static_cast<uint8_t>(rng() % 2 ? 80 : 53)});
  } else {
    put(type_at, {0x08, 0x00});
    put(ip, {0x45, 0x00});
    put(ip + 6, {0x00, 0x00});
    put(ip + 9, {static_cast<uint8_t>(rng() % 2 ? 6 : 17)});
    put(ip + 22, {0x00, static_cast<uint8_t>(rng() % 2 ? 80 : 53)});
  }
  return frame;
}

TEST(EbpfEngines, GiveTheClassicInterpretersVerdicts) {
  const std::vector<std::string> filters = {
      "tcp port 80",  "udp dst port 53 or ip6",       "greater 60 and ip", "less 40",
      "len > 70 and tcp", "vlan 10 and ip",           "ip6 protochain 17", "tcp[tcpflags] & tcp-syn != 0",
      "ip[2:2] - ((ip[0] & 0xf) << 2) > len / 4"};
  std::vector<std::string> engines = {"ebpf"};
  if (!runtime::bpf_unavailable_reason()) engines.push_back("kernel");
  const exec::Engine& classic = *exec::engines().find("interp");
  std::mt19937 rng(0x656e67);
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < 400; ++i) frames.push_back(random_frame(rng));
  size_t runs = 0;
  for (const std::string& name : engines) {
    const exec::Engine* engine = exec::engines().find(name);
    ASSERT_NE(engine, nullptr) << name;
    EXPECT_EQ(engine->input, exec::EngineInput::EbpfSocketFilter);
    for (const std::string& filter : filters) {
      CompileOptions options;
      auto reference = compile_for_engine(filter, classic, options);
      auto tested = compile_for_engine(filter, *engine, options);
      ASSERT_TRUE(reference.ok() && tested.ok()) << filter << ": " << (tested.ok() ? "" : tested.error().message);
      for (const auto& frame : frames) {
        // As captured whole, and with a wire length beyond the captured bytes.
        for (uint32_t wirelen : {static_cast<uint32_t>(frame.size()), static_cast<uint32_t>(frame.size() + 50)}) {
          ++runs;
          EXPECT_EQ(tested->output->run(frame, wirelen), reference->output->run(frame, wirelen))
              << name << " '" << filter << "' on " << frame.size() << " of " << wirelen << " bytes";
        }
      }
    }
  }
  EXPECT_GT(runs, 7000u);
}

TEST(EbpfEngines, RefuseInvalidPrograms) {
  const ebpf::Program falls_off = {ebpf::mov64_imm(ebpf::R0, 1)};
  for (const char* name : {"ebpf", "kernel"}) {
    auto made = exec::engines().find(name)->make_ebpf(falls_off);
    ASSERT_FALSE(made.ok()) << name;
    EXPECT_NE(made.error().message.find("the eBPF program is invalid"), std::string::npos) << made.error().message;
  }
}

}  // namespace
}  // namespace bpfc

// The func hook as its users meet it: a func object (a global function
// `int filter(const void *data, const void *data_end)`, or
// `int filter(struct __sk_buff *skb)` with --packet-access=skb) loads only
// linked into a caller. A FuncCaller is such a caller, compiled once by
// clang -target bpf: an XDP program handing filter() the frame's bounds and
// returning XDP_PASS when it returns non-zero and XDP_DROP otherwise, or a
// socket filter handing it its context and returning 1 or 0.
// link_and_load() links a func object into it with libbpf's static linker
// (in-process, as `bpftool gen object` does) and loads the result through
// the kernel's verifier.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../support/scratch_dir.h"

struct bpf_object;

namespace bpfc::difftest {

using testsupport::ScratchDir;

// A linked caller and filter, loaded (or refused) by the kernel.
class LinkedFilter {
 public:
  LinkedFilter() = default;
  ~LinkedFilter();
  LinkedFilter(LinkedFilter&& other) noexcept;
  LinkedFilter& operator=(LinkedFilter&& other) noexcept;

  bool loaded() const { return fd_ >= 0; }
  // Why it did not load: libbpf's linker or loader's error, and the
  // verifier's log when the kernel refused the program.
  const std::string& failure() const { return failure_; }
  // What the caller returns on a frame of `caplen` bytes, or nullopt when
  // BPF_PROG_TEST_RUN will not run it on such a frame (a socket filter's
  // frame gets an Ethernet header in front, for eth_type_trans to strip).
  std::optional<uint32_t> run(const uint8_t* bytes, uint32_t caplen) const;

 private:
  friend class FuncCaller;
  bool socket_ = false;
  bpf_object* object_ = nullptr;
  int fd_ = -1;
  std::string failure_;
};

enum class CallerKind { XdpPacketBounds, SocketContext };

class FuncCaller {
 public:
  explicit FuncCaller(CallerKind kind);
  // Empty when the caller was built; otherwise why not (no clang, no BPF
  // target in it), for the test to skip with.
  const std::string& unavailable() const { return unavailable_; }
  // Links `func_object` (an ELF object's bytes) into the caller and loads
  // the linked object.
  LinkedFilter link_and_load(std::span<const uint8_t> func_object);

 private:
  CallerKind kind_;
  ScratchDir dir_;
  std::filesystem::path caller_;
  std::string unavailable_;
  std::vector<char> log_;  // the verifier's log of a refused load
};

}  // namespace bpfc::difftest

#include "ebpf_func_linker.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "../support/process.h"

namespace bpfc::difftest {
namespace {

// The caller, without headers: an XDP program that hands the frame's bounds
// to the linked filter() and turns its answer into an XDP action.
constexpr const char* kCallerSource = R"(
struct xdp_md {
  unsigned int data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};
extern int filter(const void *data, const void *data_end);
__attribute__((section("xdp"), used)) int caller(struct xdp_md *ctx) {
  const void *data = (const void *)(long)ctx->data;
  const void *data_end = (const void *)(long)ctx->data_end;
  return filter(data, data_end) != 0 ? 2 /* XDP_PASS */ : 1 /* XDP_DROP */;
}
__attribute__((section("license"), used)) char LICENSE[] = "GPL";
)";

// The verifier's log is kept to its end, where it says why it refused.
constexpr size_t kLogTail = 6000;

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

void write_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "bpfc-func-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

LinkedXdpFilter::~LinkedXdpFilter() {
  if (object_ != nullptr) bpf_object__close(object_);  // closes the program's fd
}

LinkedXdpFilter::LinkedXdpFilter(LinkedXdpFilter&& other) noexcept
    : object_(std::exchange(other.object_, nullptr)),
      fd_(std::exchange(other.fd_, -1)),
      failure_(std::move(other.failure_)) {}

LinkedXdpFilter& LinkedXdpFilter::operator=(LinkedXdpFilter&& other) noexcept {
  if (this != &other) {
    if (object_ != nullptr) bpf_object__close(object_);
    object_ = std::exchange(other.object_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
    failure_ = std::move(other.failure_);
  }
  return *this;
}

std::optional<uint32_t> LinkedXdpFilter::run(const uint8_t* bytes, uint32_t caplen) const {
  // The kernel copies the frame in; it does not write through data_in.
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = bytes, .data_size_in = caplen, .repeat = 1);
  if (bpf_prog_test_run_opts(fd_, &opts) != 0) return std::nullopt;
  return opts.retval;
}

XdpCaller::XdpCaller() : log_(1 << 20) {
  if (!testsupport::program_available("clang")) {
    unavailable_ = "clang is not installed to compile the XDP caller (clang -target bpf)";
    return;
  }
  const auto source = dir_.path() / "caller.c";
  std::ofstream(source) << kCallerSource;
  caller_ = dir_.path() / "caller.o";
  const auto compiled =
      testsupport::run_process({"clang", "-O2", "-g", "-target", "bpf", "-c", source.string(), "-o", caller_.string()});
  if (compiled.exit_code != 0) unavailable_ = "clang cannot compile the XDP caller for -target bpf:\n" + compiled.err;
}

LinkedXdpFilter XdpCaller::link_and_load(std::span<const uint8_t> func_object) {
  LinkedXdpFilter linked;
  const auto func_path = dir_.path() / "func.o";
  const auto linked_path = dir_.path() / "linked.o";
  write_bytes(func_path, func_object);

  bpf_linker* linker = bpf_linker__new(linked_path.c_str(), nullptr);
  if (linker == nullptr) {
    linked.failure_ = "bpf_linker__new: " + std::string(std::strerror(errno));
    return linked;
  }
  int err = bpf_linker__add_file(linker, caller_.c_str(), nullptr);
  if (err == 0) {
    err = bpf_linker__add_file(linker, func_path.c_str(), nullptr);
    if (err != 0) linked.failure_ = "libbpf's linker refused the func object: " + errno_text(err);
  } else {
    linked.failure_ = "libbpf's linker refused the caller: " + errno_text(err);
  }
  if (err == 0) {
    err = bpf_linker__finalize(linker);
    if (err != 0) linked.failure_ = "bpf_linker__finalize: " + errno_text(err);
  }
  bpf_linker__free(linker);
  if (err != 0) return linked;

  linked.object_ = bpf_object__open_file(linked_path.c_str(), nullptr);
  if (linked.object_ == nullptr) {
    linked.failure_ = "bpf_object__open_file on the linked object: " + std::string(std::strerror(errno));
    return linked;
  }
  bpf_program* program = bpf_object__find_program_by_name(linked.object_, "caller");
  if (program == nullptr) {
    linked.failure_ = "the linked object has no program 'caller'";
    return linked;
  }
  // libbpf loads without a log first and, on a refusal, again with the
  // verifier's log in this buffer.
  log_[0] = '\0';
  bpf_program__set_log_buf(program, log_.data(), log_.size());
  err = bpf_object__load(linked.object_);
  if (err != 0) {
    std::string log(log_.data());
    if (log.size() > kLogTail) log = "...\n" + log.substr(log.size() - kLogTail);
    linked.failure_ = "bpf_object__load: " + errno_text(err) + "\nverifier log:\n" + log;
    return linked;
  }
  linked.fd_ = bpf_program__fd(program);
  if (linked.fd_ < 0) linked.failure_ = "the loaded 'caller' has no file descriptor";
  return linked;
}

}  // namespace bpfc::difftest

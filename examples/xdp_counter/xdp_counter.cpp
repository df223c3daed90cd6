// Embedding bpfc's eBPF target: compile an expression to a filter function
// (the func hook), link it into an XDP program that counts in a map, load
// it with libbpf on a veth in a network namespace this program creates,
// send frames through the pair and read the counts back.
//
//   xdp_counter COUNTER.bpf.o 'udp port 53'
//
// Needs root (a network namespace, veth, XDP). Prints "passed N, dropped M"
// for the frames it sent (half of them UDP to port 53, half TCP to port 80)
// and exits 0 when the counts are what the filter says; 77 when it may not
// run here (the test suite's "skipped").
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/ebpf/object.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace {

constexpr int kSkipped = 77;

// The filter as a func object: the IR of the expression, code for the func
// hook, an ELF object libbpf's linker takes.
bool write_filter_object(const std::string& expression, const std::string& path) {
  bpfc::CompileOptions options;  // Ethernet
  auto ir = bpfc::compile_to_ir(expression, options);
  if (!ir) {
    for (const bpfc::Diagnostic& d : ir.errors()) std::fputs(bpfc::render_diagnostic(d, expression, "xdp_counter").c_str(), stderr);
    return false;
  }
  auto program = bpfc::ebpf::compile_for_hook(*ir, bpfc::ebpf::default_codegen_options(bpfc::ebpf::Hook::Func));
  if (!program) {
    std::fprintf(stderr, "xdp_counter: %s\n", program.error().message.c_str());
    return false;
  }
  for (const std::string& warning : program->warnings) std::fprintf(stderr, "xdp_counter: warning: %s\n", warning.c_str());
  bpfc::ebpf::ObjectOptions object;
  object.hook = bpfc::ebpf::Hook::Func;
  object.source_line = expression;
  auto bytes = bpfc::ebpf::write_object(program->generated.program, object);
  if (!bytes) return false;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return true;
}

// libbpf's static linker: the counter program and the filter in one object.
bool link_objects(const std::string& counter, const std::string& filter, const std::string& linked) {
  bpf_linker* linker = bpf_linker__new(linked.c_str(), nullptr);
  if (linker == nullptr) return false;
  const bool ok = bpf_linker__add_file(linker, counter.c_str(), nullptr) == 0 &&
                  bpf_linker__add_file(linker, filter.c_str(), nullptr) == 0 && bpf_linker__finalize(linker) == 0;
  bpf_linker__free(linker);
  return ok;
}

// An Ethernet frame to 10.0.0.2 with IPv4 and UDP or TCP to `port`.
std::vector<uint8_t> frame(uint8_t protocol, uint16_t port) {
  std::vector<uint8_t> f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
                            0x45, 0, 0, 40, 0, 0, 0, 0, 64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                            0x04, 0x00, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
  f.resize(60, 0);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: xdp_counter COUNTER.bpf.o EXPRESSION\n");
    return 2;
  }
  if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "xdp_counter: needs root and a network namespace of its own; not run\n");
    return kSkipped;
  }
  // Only in the namespace just made: a veth pair, the program on one end.
  // IPv6 off, so that the pair carries only the frames sent here.
  if (std::system("ip link add xdpA type veth peer name xdpB && echo 1 > /proc/sys/net/ipv6/conf/xdpA/disable_ipv6 && "
                  "ip link set xdpA up && ip link set xdpB up") != 0) {
    std::fprintf(stderr, "xdp_counter: cannot make a veth pair (iproute2?); not run\n");
    return kSkipped;
  }
  const std::string dir = "/tmp/xdp_counter." + std::to_string(getpid());
  std::system(("mkdir -p " + dir).c_str());
  const std::string filter_object = dir + "/filter.o", linked_object = dir + "/linked.o";
  if (!write_filter_object(argv[2], filter_object)) return 1;
  if (!link_objects(argv[1], filter_object, linked_object)) {
    std::fprintf(stderr, "xdp_counter: libbpf could not link %s with the filter\n", argv[1]);
    return 1;
  }
  bpf_object* object = bpf_object__open_file(linked_object.c_str(), nullptr);
  if (object == nullptr || bpf_object__load(object) != 0) {
    std::fprintf(stderr, "xdp_counter: libbpf could not load the linked program\n");
    return 1;
  }
  bpf_program* program = bpf_object__find_program_by_name(object, "count_and_filter");
  const int counts = bpf_object__find_map_fd_by_name(object, "counts");
  const int ifindex = static_cast<int>(if_nametoindex("xdpB"));
  if (program == nullptr || counts < 0 ||
      bpf_xdp_attach(ifindex, bpf_program__fd(program), XDP_FLAGS_SKB_MODE, nullptr) != 0) {
    std::fprintf(stderr, "xdp_counter: cannot attach the XDP program\n");
    return 1;
  }

  // Frames into xdpB: sent out of its peer.
  const int sender = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(if_nametoindex("xdpA"));
  to.sll_halen = 6;
  const std::vector<std::vector<uint8_t>> frames = {frame(17, 53), frame(6, 80)};
  constexpr int kEach = 10;
  uint64_t expect_passed = 0;
  bpfc::CompileOptions options;
  auto classic = bpfc::compile_cbpf(argv[2], options);  // the reference verdicts
  for (int i = 0; i < kEach; ++i) {
    for (const auto& f : frames) {
      sendto(sender, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      if (classic && bpfc::runtime::run_cbpf(*classic, f, static_cast<uint32_t>(f.size())) != 0) ++expect_passed;
    }
  }
  close(sender);
  usleep(100 * 1000);

  uint64_t dropped = 0, passed = 0;
  uint32_t key = 0;
  bpf_map_lookup_elem(counts, &key, &dropped);
  key = 1;
  bpf_map_lookup_elem(counts, &key, &passed);
  std::printf("'%s': passed %llu, dropped %llu\n", argv[2], static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(dropped));
  bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, nullptr);
  bpf_object__close(object);
  std::system(("rm -rf " + dir).c_str());
  const uint64_t sent = kEach * frames.size();
  return passed == expect_passed && passed + dropped == sent ? 0 : 1;
}

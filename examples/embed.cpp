// Embedding bpfc: compile a filter to classic BPF, print it as tcpdump -d
// would, and run it over a packet. Uses the public headers only; link with
// bpfc_driver.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"

int main() {
  bpfc::CompileOptions options;  // Ethernet, snaplen 262144, netmask unknown
  options.linktype = 1;          // DLT_EN10MB; bpfc::linktype_from_string("EN10MB") also gives it
  options.snaplen = 65535;

  const char* filter = "udp dst port 53";
  bpfc::Result<bpfc::cbpf::Program> program = bpfc::compile_cbpf(filter, options);
  if (!program) {
    // Diagnostics carry libpcap's wording and the span of the offending text.
    for (const bpfc::Diagnostic& d : program.errors()) {
      std::fputs(bpfc::render_diagnostic(d, filter, "embed").c_str(), stderr);
    }
    return 1;
  }
  std::printf("%s: %zu instructions\n%s", filter, program->size(),
              bpfc::cbpf::format_listing(*program).c_str());

  // An Ethernet frame with IPv4 + UDP from 10.0.0.1:1024 to 10.0.0.2:53.
  const std::vector<uint8_t> packet = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00,  // Ethernet
      0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,              // IPv4
      0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
      0x04, 0x00, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00};                                    // UDP
  uint32_t keep = bpfc::runtime::run_cbpf(*program, packet, static_cast<uint32_t>(packet.size()));
  std::printf("verdict on a DNS query: %u (bytes to keep; 0 would drop it)\n", keep);

  // The program can be handed to the kernel (SO_ATTACH_FILTER) as is: Insn
  // has struct sock_filter's layout, unless the kernel's classic-BPF checks
  // refuse it (over 4096 instructions, a backward jump): ask first.
  if (auto problem = bpfc::kernel_refusal(*program)) {
    std::fprintf(stderr, "the kernel would refuse the program: %s\n", problem->describe().c_str());
    return 1;
  }
  return keep == 65535 ? 0 : 1;
}

// `bpfc capture`: live capture on Linux, with tcpdump's flags where they
// overlap (-i, -w, -c, -s, -p, -Q, -B, -F, -D, --immediate...). The job
// itself is live_capture.cpp's.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/fanout.h"
#include "cli_status.h"
#include "commands.h"
#include "interface_listing.h"
#include "live_capture.h"
#include "option_values.h"
#include "print_options.h"
#include "remote_capture_source.h"
#include "rotation_flags.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct CaptureCommandOptions {
  std::string device;
  bool list = false;
  std::string output;
  RotationFlags rotation;  // -C, -G, -W
  std::optional<uint64_t> count;
  uint32_t snaplen = 262144;
  bool no_promiscuous = false;
  std::string direction = "inout";
  std::optional<uint64_t> buffer_kib;
  std::optional<uint32_t> block_bytes;
  std::optional<uint32_t> block_count;
  std::optional<uint32_t> frame_bytes;
  std::optional<uint32_t> block_timeout_ms;
  bool immediate = false;
  std::string format = "pcap";
  bool nanosecond = false;
  std::string filter_file;
  std::string kernel_filter = "cbpf";
  std::string vlan = "reinsert";
  std::string statistics_format = "text";
  bool count_only = false;
  uint32_t threads = 1;
  std::optional<uint32_t> stats_every_seconds;
  int opt_level = 2;
  std::vector<std::string> words;
  PrintFlags print;
  // Remote capture (remote_capture_source.h): -i rpcap://..., --rpcap-listen.
  std::string auth_user;
  bool udp = false;
  std::string rpcap_listen;
  RemoteTlsFlags tls;
};

// A remote capture runs in the daemon: the flags that shape the local ring,
// socket and kernel filter have nothing to act on.
void refuse_local_only_flags(const CaptureCommandOptions& options) {
  const char* flag = options.buffer_kib           ? "-B"
                     : options.block_bytes        ? "--block-size"
                     : options.block_count        ? "--blocks"
                     : options.frame_bytes        ? "--frame-size"
                     : options.immediate          ? "--immediate"
                     : options.direction != "inout" ? "-Q"
                     : options.kernel_filter != "cbpf" ? "--kernel-filter"
                     : options.vlan != "reinsert" ? "--vlan"
                     : options.threads > 1        ? "--threads"
                                                  : nullptr;
  if (flag) {
    throw UsageError(std::string(flag) + " shapes a local capture; a remote one (rpcap://, --rpcap-listen) runs in "
                                         "the daemon");
  }
}

// -D rpcap://HOST[:PORT]/ (also -D -i rpcap://HOST/) or -D --rpcap-listen
// HOST:PORT: the daemon's interfaces; nullopt when -D is about local ones.
std::optional<int> list_remote_interfaces(const CaptureCommandOptions& options) {
  std::string target = options.device;
  bool from_words = false;
  if (target.empty() && options.words.size() == 1 && capture::rpcap::is_rpcap_url(options.words[0])) {
    target = options.words[0];
    from_words = true;
  }
  if (!names_remote_capture(target, options.rpcap_listen)) return std::nullopt;
  if ((!from_words && !options.words.empty()) || !options.output.empty()) {
    throw UsageError("-D lists the daemon's interfaces; it takes no -w or expression");
  }
  return print_remote_interface_listing(
      remote_capture_options(target, options.rpcap_listen, options.auth_user, false, true, options.tls));
}

// The ring for -B KIB: at least 8 blocks (a block the kernel has filled or
// timed out stays out of its hands until read, so few blocks make a ring
// that a slow traffic of small blocks fills), of at most the default block
// size, whole pages and a power of two.
capture::RingOptions ring_for_buffer(uint64_t kib, capture::RingOptions ring) {
  constexpr uint32_t kLeastBlocks = 8;
  const uint64_t bytes = kib * 1024;
  uint64_t block = 4096;
  while (block * 2 <= bytes / kLeastBlocks && block * 2 <= ring.block_bytes) block *= 2;
  ring.block_bytes = static_cast<uint32_t>(block);
  ring.block_count = static_cast<uint32_t>(std::max<uint64_t>(1, bytes / block));
  return ring;
}

int run_capture(const CaptureCommandOptions& options) {
  const bool remote = names_remote_capture(options.device, options.rpcap_listen);
  if (options.list) {
    if (auto status = list_remote_interfaces(options)) return *status;
    if (!options.device.empty() || !options.words.empty() || !options.output.empty()) {
      throw UsageError("-D lists the interfaces; it takes no -i, -w or expression");
    }
    return print_interface_listing();
  }
  if (options.device.empty()) throw UsageError("bpfc capture needs -i INTERFACE (or -i any); -D lists them");
  if (!options.filter_file.empty() && !options.words.empty()) {
    throw UsageError("give the expression either with -F or on the command line, not both");
  }
  if (!remote && (options.udp || !options.auth_user.empty())) {
    throw UsageError(std::string(options.udp ? "--udp" : "--auth") + " applies to remote captures: -i rpcap://...");
  }
  if (remote) refuse_local_only_flags(options);
  if (!remote) (void)remote_tls_options(options.tls, false);  // TLS flags without a remote capture: refused
  if (options.count_only && !options.output.empty()) {
    throw UsageError("--count-only counts without writing: it cannot be combined with -w");
  }
  LiveCaptureOptions capture;
  capture.live.device = options.device;
  capture.live.snaplen = options.snaplen == 0 ? 262144 : options.snaplen;
  capture.live.promiscuous = !options.no_promiscuous;
  capture.live.immediate = options.immediate;
  capture.live.direction = options.direction == "in"    ? capture::Direction::In
                           : options.direction == "out" ? capture::Direction::Out
                                                        : capture::Direction::InOut;
  capture.live.vlan = options.vlan == "metadata" ? capture::VlanMode::Metadata : capture::VlanMode::Reinsert;
  capture::RingOptions& ring = capture.live.ring;
  if (options.block_bytes) ring.block_bytes = *options.block_bytes;
  if (options.buffer_kib) ring = ring_for_buffer(*options.buffer_kib, ring);
  if (options.block_count) ring.block_count = *options.block_count;
  if (options.frame_bytes) ring.frame_bytes = *options.frame_bytes;
  if (options.block_timeout_ms) ring.retire_timeout_ms = *options.block_timeout_ms;
  if (options.immediate && !options.block_bytes) {
    // Blocks handed over after 1 ms hold little: many small ones keep the
    // ring's room in time (blocks x timeout) when the reader stalls.
    constexpr uint32_t kImmediateBlockBytes = 64u << 10;
    const uint64_t total = uint64_t{ring.block_bytes} * ring.block_count;
    ring.block_bytes = std::min<uint32_t>(kImmediateBlockBytes, ring.block_bytes);
    ring.block_count = static_cast<uint32_t>(std::max<uint64_t>(1, total / ring.block_bytes));
  }
  capture.kernel_filter = options.kernel_filter == "off"    ? capture::KernelFilterMode::Off
                          : options.kernel_filter == "ebpf" ? capture::KernelFilterMode::Ebpf
                                                            : capture::KernelFilterMode::Cbpf;
  capture.max_packets = options.count;
  if (!options.output.empty()) capture.output = options.output;
  capture.rotation = to_rotation(options.rotation, options.output);
  if (capture.rotation && options.format == "pcapng") {
    throw UsageError("-C, -G and -W write pcap files (as tcpdump does); with --format pcapng a capture goes to one "
                     "file, whose interface block carries if_name and if_filter and whose statistics block ends it");
  }
  capture.format = options.format == "pcapng" ? capture::SavefileFormat::Pcapng : capture::SavefileFormat::Pcap;
  capture.nanosecond = options.nanosecond;
  capture.count_only = options.count_only;
  capture.threads = options.threads;
  capture.stats_every_seconds = options.stats_every_seconds;
  capture.statistics_format = options.statistics_format == "json" ? StatisticsFormat::Json : StatisticsFormat::Text;
  capture.opt_level = options.opt_level;
  const char* no_lines_because = capture.output     ? "with -w nothing is printed"
                                 : options.count_only ? "with --count-only only the count is printed"
                                                      : nullptr;
  capture.print = resolve_print_options(options.print, no_lines_because, options.nanosecond);
  std::string error;
  auto expression = read_filter_expression(options.words, options.filter_file, error);
  if (!expression) return report_failure(error);
  capture.expression = std::move(expression->text);
  capture.expression_file = std::move(expression->file);
  if (remote) {
    capture.remote =
        remote_capture_options(options.device, options.rpcap_listen, options.auth_user, options.udp, false, options.tls);
    if (options.block_timeout_ms) capture.remote->read_timeout_ms = *options.block_timeout_ms;
  }
  return run_live_capture(capture);
}

constexpr const char* kCaptureExamples = R"(Examples:
  bpfc capture -i eth0 tcp port 80            # one line per packet, like tcpdump -n -q
  bpfc capture -i any -w out.pcap -c 1000 udp # 1000 packets of every interface (LINUX_SLL2)
  bpfc capture -i eth0 -w - icmp | tcpdump -r -
  bpfc capture -i eth0 --format pcapng -w out.pcapng 'not port 22'
  bpfc capture -i eth0 -w ring.pcap -C 100 -W 10 # a ring of ten files of ~100 MB, as tcpdump -C -W
  bpfc capture -i eth0 --count-only --stats-format=json 'tcp[tcpflags] & tcp-syn != 0'
  bpfc capture -i eth0 --threads 4 -w out.pcap --stats-every 10 # four sockets in a fanout group, one file
  bpfc capture -D                             # the interfaces
  bpfc capture -i rpcap://192.0.2.7/eth0 -w out.pcap icmp  # from the rpcapd on 192.0.2.7
  bpfc capture -D rpcap://192.0.2.7/          # the interfaces of that daemon
  bpfc capture --rpcap-listen 0.0.0.0:2003 -i eth0 -c 10   # from rpcapd -a HOST,2003

The expression is compiled for the interface's link type in the Linux live
context (as tcpdump's is: `inbound`, `ifindex`, `vlan` read the kernel's packet
metadata) and attached to the socket in the kernel; no packet that fails it
is ever written: the socket rejects everything until the filter is in place.
Where the kernel refuses the program (over 4096 instructions, a protochain
loop, a LINUX_SLL2 header field the kernel does not have), it runs in user
space instead, with one warning saying why; --kernel-filter=off asks for that,
--kernel-filter=ebpf attaches the filter as an eBPF socket filter instead
(classic BPF on 'any', or where the eBPF target or verifier refuses it).
VLAN tags the kernel took off a frame are put back into it (--vlan=reinsert,
as libpcap does), or left out (--vlan=metadata). SIGINT or SIGTERM stop the
capture: packets received before it are still written, and the file is
complete. SIGUSR1 prints the statistics. At the end the statistics go to
stderr as tcpdump prints them (captured, received by filter, dropped by
kernel: the ring was full; dropped by interface), or as JSON; --stats-every S
prints the packets and bytes matched and the drops of every S seconds.
--threads N opens N sockets in one PACKET_FANOUT group (hash: a flow stays
on one socket), each read by its own thread, and merges their packets into
one output in timestamp order, a few tens of milliseconds behind.
Needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode).

-i rpcap://HOST[:PORT]/DEVICE captures on DEVICE of the RPCAP daemon on HOST
(libpcap's rpcapd, port 2002 by default), and --rpcap-listen HOST:PORT on
DEVICE of a daemon that connects to bpfc (active mode): the expression is
compiled here for the link type the daemon reports and runs there; the
output, -c and the statistics (the daemon's counters) are as for a local
capture. --auth USER logs in with a password (BPFC_RPCAP_PASSWORD, or asked
on the terminal); --udp asks for the packets over UDP. rpcaps://HOST/DEVICE
(and --rpcap-listen rpcaps://HOST:PORT) speaks TLS with a daemon run with -S:
its certificate is checked against the system's CAs or --ca FILE and the
host name (--tls-name), or by its key's --pin; --insecure checks nothing;
--cert/--key present a client certificate. TLS has no UDP data channel.

Exit status: 0 ok; 1 refused or failed: no such interface, interface down,
permission denied, ring too large, a link type or expression the compiler
does not cover, a write error, a daemon's refusal (authentication, device) or
a failed connection to it; 2 bad command line.)";

}  // namespace

Subcommand add_capture_command(CLI::App& app) {
  auto options = std::make_shared<CaptureCommandOptions>();
  CLI::App* command =
      app.add_subcommand("capture", "Capture packets live on a Linux interface (like tcpdump -i IF [-w FILE])");
  command->add_option("-i,--interface", options->device, "The interface to capture on; 'any' for all of them")
      ->type_name("INTERFACE");
  command->add_flag("-D,--list-interfaces", options->list, "List the interfaces a capture can open, and exit");
  command->add_option("-w,--write", options->output,
                      "Write the packets to FILE ('-' is stdout) instead of printing one line each")
      ->type_name("FILE");
  add_rotation_options(*command, options->rotation);
  add_number_option(*command, "-c", options->count, {.noun = "count", .min = 1, .max = UINT64_MAX},
                    "Stop after COUNT packets", "COUNT");
  add_number_option(*command, "-s,--snapshot-length", options->snaplen, {.noun = "snaplen", .max = 262144},
                    "Keep at most SNAPLEN bytes of each packet (0: 262144, the default)", "SNAPLEN");
  command->add_flag("-p,--no-promiscuous-mode", options->no_promiscuous, "Do not put the interface into promiscuous mode");
  add_choice_option(*command, "-Q,--direction", options->direction, "direction", {"in", "out", "inout"},
                    "The packets to capture by direction (default inout)");
  add_number_option(*command, "-B,--buffer-size", options->buffer_kib,
                    {.noun = "buffer size", .min = 4, .max = uint64_t{1} << 32},
                    "The ring's size in KiB (default 8192: 32 blocks of 256 KiB)", "KIB");
  add_number_option(*command, "--block-size", options->block_bytes,
                    {.noun = "block size", .min = 4096, .max = uint32_t{1} << 30},
                    "Bytes per ring block, a multiple of the page size (default 262144; 65536 with --immediate)", "BYTES");
  add_number_option(*command, "--blocks", options->block_count, {.noun = "block count", .min = 1, .max = 1u << 20},
                    "Blocks in the ring (default 32)", "N");
  add_number_option(*command, "--frame-size", options->frame_bytes, {.noun = "frame size", .min = 16, .max = 1u << 30},
                    "The ring's frame size in bytes (default: from the snaplen)", "BYTES");
  add_number_option(*command, "--block-timeout", options->block_timeout_ms,
                    {.noun = "block timeout", .min = 1, .max = 60000},
                    "Milliseconds after which a block that is not full is handed over (default 10; rpcap://: the "
                    "daemon's read timeout, default 100)",
                    "MS");
  command->add_flag("--immediate", options->immediate,
                    "Hand packets over within about a millisecond (the kernel's smallest block timeout, 64 KiB blocks)");
  add_choice_option(*command, "--format", options->format, "format", {"pcap", "pcapng"},
                    "Output format of -w (default pcap; pcapng carries if_name, if_filter and statistics)");
  command->add_flag("--nano", options->nanosecond, "Nanosecond timestamps in pcap output and in summary lines");
  command->add_option("-F,--file", options->filter_file,
                      "Read the expression from FILE ('-' is stdin); '#' comments out the rest of a line")
      ->type_name("FILE");
  add_choice_option(*command, "--kernel-filter", options->kernel_filter, "kernel filter", {"cbpf", "ebpf", "off"},
                    "Run the filter in the kernel as classic BPF (default) or as an eBPF socket filter (not on any), "
                    "or only in user space");
  add_choice_option(*command, "--vlan", options->vlan, "VLAN mode", {"reinsert", "metadata"},
                    "Put VLAN tags the kernel took off back into frames (default), or leave them out");
  add_choice_option(*command, "--stats-format", options->statistics_format, "statistics format", {"text", "json"},
                    "How the statistics at the end are printed (default text, as tcpdump)");
  add_number_option(*command, "--threads", options->threads,
                    {.noun = "thread count", .min = 1, .max = capture::kMaxFanoutThreads},
                    "Capture with N sockets in one PACKET_FANOUT group (hash), each read by a thread of its own, "
                    "merged into one output in timestamp order (default 1)",
                    "N");
  add_number_option(*command, "--stats-every", options->stats_every_seconds,
                    {.noun = "statistics interval", .min = 1, .max = 86400},
                    "Print the packets and bytes matched, and the drops, every SECONDS to stderr (JSON with "
                    "--stats-format=json)",
                    "SECONDS");
  command->add_flag("--count-only", options->count_only,
                    "Count the matching packets without writing or printing them; print \"N packets\" at the end");
  add_number_option(*command, "--opt-level", options->opt_level, {.noun = "optimization level", .max = 2},
                    "Optimization level 0..2 (default 2)", "LEVEL");
  command->add_flag_callback("-n", [] {}, "Accepted for tcpdump's sake: bpfc never turns addresses into names");
  command->add_flag_callback("-q", [] {}, "Accepted for tcpdump's sake: the lines already are tcpdump -q's");
  command->add_option("--auth", options->auth_user,
                      "Remote captures: password authentication as USER, the password from BPFC_RPCAP_PASSWORD "
                      "or asked on the terminal (default: null authentication)")
      ->type_name("USER");
  command->add_flag("--udp", options->udp, "Remote captures: receive the packets over UDP instead of TCP");
  command->add_option("--rpcap-listen", options->rpcap_listen,
                      "Wait on HOST:PORT (default port 2003) for an active-mode daemon (rpcapd -a HOST,PORT) to "
                      "connect, then capture on its -i DEVICE; rpcaps://HOST:PORT for a daemon with TLS (-S)")
      ->type_name("HOST:PORT");
  add_remote_tls_options(*command, options->tls);
  command->add_option("expression", options->words,
                      "The filter expression; several words are joined with spaces. None keeps every packet");
  command->footer(kCaptureExamples);
  add_print_options(*command, options->print);
  return {command, [options] { return run_capture(*options); }};
}

}  // namespace bpfc::cli

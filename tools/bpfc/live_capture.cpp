#include "live_capture.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>

#include "bpfc/capture/fanout.h"
#include "bpfc/capture/live_pcapng.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/ebpf/insn.h"
#include "bpfc/driver/compile.h"
#include "bpfc/driver/executable.h"
#include "bpfc/exec/engine.h"
#include "bpfc/exec/filter.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/ir.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/runtime/ebpf_kernel.h"
#include "capture_statistics.h"
#include "cli_status.h"
#include "compile_settings.h"
#include "standard_output.h"
#include "summary_writer.h"

namespace bpfc::cli {
namespace {

using capture::LiveSource;

// What the signal handlers reach: the running capture (to ask it to stop)
// and the SIGUSR1 request. Signal handlers can reach nothing else.
std::atomic<LiveSource*> g_running_capture{nullptr};
volatile std::sig_atomic_t g_statistics_requested = 0;

void on_stop_signal(int) {
  if (LiveSource* source = g_running_capture.load()) source->request_stop();
}
void on_statistics_signal(int) { g_statistics_requested = 1; }

// Installs the handlers for the capture's lifetime. No SA_RESTART: a signal
// ends the wait for packets at once.
class SignalScope {
 public:
  explicit SignalScope(LiveSource& source) {
    g_running_capture.store(&source);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
    action.sa_handler = on_statistics_signal;
    sigaction(SIGUSR1, &action, &old_usr1_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGUSR1, &old_usr1_, nullptr);
    g_running_capture.store(nullptr);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {}, old_usr1_ {};
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string describe_linktype(uint32_t dlt) {
  auto name = linktype_name(dlt);
  auto description = linktype_description(dlt);
  std::string text = name ? std::string(*name) : std::to_string(dlt);
  if (description) text += " (" + std::string(*description) + ")";
  return text;
}

// Compiles the filter's IR for the socket hook and loads it; why not
// otherwise (a cooked device, no IR, the code generator's or the
// verifier's refusal).
std::optional<std::string> load_ebpf_filter(const std::shared_ptr<const ir::Function>& function, bool cooked,
                                            runtime::ProgramFd& program) {
  if (cooked) {
    return "a cooked (any) socket hands its filter the packet without the LINUX_SLL2 header, which only the "
           "classic program can be adjusted to";
  }
  if (!function) return "the expression has no IR form";
  auto generated = ebpf::compile_for_hook(*function, ebpf::default_codegen_options(ebpf::Hook::Socket));
  if (!generated) {
    std::string why = "the eBPF target refuses it";
    if (!generated.errors().empty()) why += ": " + generated.errors().front().message;
    return why;
  }
  auto loaded = runtime::load_program(generated->generated.program, ebpf::kProgTypeSocketFilter);
  if (!loaded) return "the kernel refuses the eBPF program: " + loaded.error().message;
  program = std::move(loaded->fd);
  return std::nullopt;
}

class CaptureRun {
 public:
  explicit CaptureRun(const LiveCaptureOptions& options) : options_(options), summary_(stdout, options.print) {}
  int run();

 private:
  // Compiles the expression for the device's link type (before the socket
  // exists, so that a refused expression costs no capture).
  bool prepare_filter();
  bool install_filter();
  // The source, its filter and the output: a local device, or a daemon's.
  bool open_local();
  bool open_remote();
  bool open_output();
  bool write(const capture::Packet& packet);
  void print_statistics();
  void print_interval(bool last);

  const LiveCaptureOptions& options_;
  uint32_t linktype_ = 0;  // LINKTYPE_ of the device's frames
  uint32_t dlt_ = 0;
  capture::InterfaceInfo interface_;  // as the output describes it
  std::optional<capture::LiveFilter> filter_;  // compiled, not yet installed
  std::shared_ptr<const ir::Function> function_;  // the filter's IR (user space, --kernel-filter=ebpf)
  std::unique_ptr<LiveSource> source_;
  std::unique_ptr<capture::PacketSink> sink_;
  capture::LivePcapngWriter* pcapng_ = nullptr;  // sink_, when it writes pcapng
  capture::RotatingSink* rotating_ = nullptr;     // sink_, when -C/-G/-W rotate it
  SummaryWriter summary_;
  uint64_t captured_ = 0;
  uint64_t captured_bytes_ = 0;  // on the wire, for --stats-every
  std::optional<IntervalStatistics> intervals_;
  int64_t started_ns_ = 0;
  bool output_closed_ = false;
};

bool CaptureRun::prepare_filter() {
  if (options_.expression.empty()) return true;
  const SourceText source_text{options_.expression, options_.expression_file};
  CompileOptions compile;
  compile.linktype = dlt_;
  compile.snaplen = options_.live.snaplen;
  compile.opt_level = options_.opt_level;
  compile.context = CompileContext::Linux;
  // tcpdump compiles a live capture's filter with a netmask of 0 here
  // (`tcpdump -i IF -d 'ip broadcast'` tests for 0 and all-ones on an
  // interface with a /24): `ip broadcast` matches those two only, as there.
  compile.netmask = 0;
  auto program = compile_cbpf_with_notes(options_.expression, compile);
  if (!program) {
    if (!linktype_name(dlt_)) {
      report_failure(options_.live.device + ": link type " + std::to_string(dlt_) +
                     " is not one the compiler covers");
    }
    report_diagnostics(program.errors(), source_text);
    return false;
  }
  report_compile_notes(program->notes, source_text);
  filter_.emplace();
  filter_->expression = options_.expression;
  filter_->program = program->output;
  filter_->mode = options_.kernel_filter;
  // The user-space forms: the fastest engine for programs that read only
  // the packet, the IR (with each packet's metadata) for the others. Both
  // are shared by the sockets of a fanout group (filters are thread-safe).
  if (auto function = compile_to_ir(options_.expression, compile)) {
    function_ = std::make_shared<const ir::Function>(std::move(*function));
  }
  if (function_ && capture::reads_kernel_metadata(filter_->program)) {
    filter_->userspace = [function = function_](std::span<const uint8_t> packet, uint32_t wirelen,
                                                const capture::KernelPacketInfo& info) {
      ir::PacketMetadata metadata;
      metadata[ir::MetaKind::Protocol] = info.protocol;
      metadata[ir::MetaKind::PacketType] = info.packet_type;
      metadata[ir::MetaKind::Ifindex] = info.ifindex;
      metadata[ir::MetaKind::VlanTagPresent] = info.vlan_tag_present ? 1 : 0;
      metadata[ir::MetaKind::VlanTci] = info.vlan_tci;
      return ir::interpret(*function, packet, wirelen, metadata);
    };
  } else if (const exec::Engine* engine = exec::engines().find(exec::kDefaultEngine); engine != nullptr && function_) {
    if (auto made = compile_for_engine(options_.expression, *engine, compile)) {
      filter_->userspace = [filter = std::shared_ptr<const exec::Filter>(std::move(made->output))](
                               std::span<const uint8_t> packet, uint32_t wirelen,
                               const capture::KernelPacketInfo&) { return filter->run(packet, wirelen); };
    }
  }
  return true;
}

bool CaptureRun::install_filter() {
  if (!filter_) {
    if (auto error = source_->accept_all()) {
      report_failure(error->message);
      return false;
    }
    return true;
  }
  // --kernel-filter=ebpf: the same IR as an eBPF socket filter, loaded
  // here; the socket keeps the program once attached.
  runtime::ProgramFd ebpf_program;
  if (filter_->mode == capture::KernelFilterMode::Ebpf) {
    if (auto why = load_ebpf_filter(function_, source_->ifindex() == 0, ebpf_program)) {
      report_failure("warning: attaching the filter as classic BPF: " + *why);
      filter_->mode = capture::KernelFilterMode::Cbpf;
    } else {
      filter_->ebpf_program_fd = ebpf_program.get();
    }
  }
  const capture::KernelFilterMode mode = filter_->mode;
  capture::FilterPlacement placement;
  if (auto error = source_->set_filter(std::move(*filter_), placement)) {
    report_failure(error->message);
    return false;
  }
  filter_.reset();
  if (!placement.in_kernel && mode != capture::KernelFilterMode::Off) {
    report_failure("warning: filtering in user space: " + placement.reason.value_or("the kernel refused the filter"));
  }
  return true;
}

bool CaptureRun::open_output() {
  if (!options_.output) return true;
  const std::string& path = *options_.output;
  capture::SavefileError error;
  if (options_.format == capture::SavefileFormat::Pcapng) {
    int fd = STDOUT_FILENO;
    if (path != "-") {
      do {
        fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
      } while (fd < 0 && errno == EINTR);
      if (fd < 0) {
        report_failure("can't create " + path + ": " + std::strerror(errno));
        return false;
      }
    }
    auto writer = capture::create_live_pcapng(fd, path != "-", {interface_}, error);
    pcapng_ = writer.get();
    sink_ = std::move(writer);
  } else {
    capture::WriterOptions writer;
    writer.format = capture::SavefileFormat::Pcap;
    writer.nanosecond = options_.nanosecond;
    writer.linktype = linktype_;
    writer.snaplen = options_.live.snaplen;
    if (options_.rotation) {
      auto rotating = capture::RotatingSink::create(*options_.rotation, writer, error);
      rotating_ = rotating.get();
      sink_ = std::move(rotating);
    } else {
      sink_ = capture::create_savefile(path, writer, error);
    }
  }
  if (!sink_) {
    report_failure(error.describe(path == "-" ? "standard output" : path));
    return false;
  }
  return true;
}

bool CaptureRun::write(const capture::Packet& packet) {
  if (sink_) {
    if (sink_->write_packet(packet, interface_)) return true;
    if (rotating_ && rotating_->limit_reached()) {
      // tcpdump's words and outcome: the -W files are done, the capture ends well.
      std::fprintf(stderr, "Maximum file limit reached: %u\n", *options_.rotation->max_files);
      output_closed_ = true;
      return false;
    }
    if (options_.output == "-" && reader_went_away(STDOUT_FILENO)) {
      output_closed_ = true;
      return false;
    }
    const auto& error = sink_->error();
    report_failure(error ? error->describe(*options_.output) : *options_.output + ": write failed");
    return false;
  }
  if (options_.count_only) return true;
  if (summary_.write(packet, dlt_)) return true;
  if (report_standard_output_failure(errno)) output_closed_ = true;
  return false;
}

void CaptureRun::print_interval(bool last) {
  if (!intervals_) return;
  const auto now = IntervalStatistics::Clock::now();
  if (!last && !intervals_->due(now)) return;
  const std::string line = intervals_->line(now, captured_, captured_bytes_, source_->statistics());
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void CaptureRun::print_statistics() {
  const capture::LiveStatistics statistics = source_->statistics();
  const std::string text = options_.statistics_format == StatisticsFormat::Json
                               ? statistics_json(captured_, statistics)
                               : statistics_text(captured_, statistics);
  std::fputs(text.c_str(), stderr);
}

bool CaptureRun::open_local() {
  // The device is looked up, the expression compiled and the output
  // created before the socket is opened: mistakes in any of them are
  // reported without privileges, and the output exists before packets come.
  capture::LiveError error;
  const std::optional<uint32_t> linktype = capture::device_linktype(options_.live.device, error);
  if (!linktype) {
    report_failure(error.message);
    return false;
  }
  linktype_ = *linktype;
  dlt_ = dlt_from_linktype(linktype_);
  interface_.linktype = linktype_;
  interface_.snaplen = options_.live.snaplen;
  interface_.ticks_per_second = 1000000000;
  interface_.name = options_.live.device;
  if (!options_.expression.empty()) interface_.filter = options_.expression;
  if (!prepare_filter()) return false;
  if (options_.threads > 1) {
    source_ = capture::FanoutSource::open(options_.live, options_.threads, error);
  } else {
    source_ = LiveSource::open(options_.live, error);
  }
  if (!source_) {
    report_failure(error.message);
    return false;
  }
  // The output is made last, as tcpdump makes its savefile once the device
  // is open and filtered: -G counts from there, not from before the socket
  // and its ring were set up.
  return install_filter() && open_output();
}

bool CaptureRun::open_remote() {
  // The link type is the daemon's answer to OPEN: the expression is
  // compiled, and the output made, once the remote capture is set up.
  auto remote = open_remote_source(*options_.remote, {options_.expression, options_.expression_file, options_.opt_level},
                                   options_.live.snaplen, options_.live.promiscuous);
  if (!remote) return false;
  source_ = std::move(remote->source);
  linktype_ = remote->linktype;
  dlt_ = remote->dlt;
  interface_.linktype = linktype_;
  interface_.snaplen = options_.live.snaplen;
  interface_.ticks_per_second = 1000000000;
  interface_.name = remote->name;
  if (!options_.expression.empty()) interface_.filter = options_.expression;
  return open_output();
}

int CaptureRun::run() {
  if (!(options_.remote ? open_remote() : open_local())) return kExitFailure;
  started_ns_ = now_ns();
  int status = kExitOk;
  {
    // The handlers are in place before the capture says it listens: a
    // signal sent at that word stops it cleanly.
    SignalScope signals(*source_);
    std::fprintf(stderr, "bpfc: listening on %s, link-type %s, snapshot length %u bytes\n",
                 interface_.name.c_str(), describe_linktype(dlt_).c_str(), options_.live.snaplen);
    std::fflush(stderr);
    if (options_.stats_every_seconds) {
      intervals_.emplace(*options_.stats_every_seconds, options_.statistics_format == StatisticsFormat::Json,
                         IntervalStatistics::Clock::now());
    }
    capture::Batch batch;
    bool more = true;
    bool done = false;
    while (more && !done) {
      more = source_->next(batch);
      for (const capture::Packet& packet : batch.packets) {
        if (!write(packet)) {
          done = true;
          if (!output_closed_) status = kExitFailure;
          break;
        }
        ++captured_;
        captured_bytes_ += packet.wirelen;
        if (options_.max_packets && captured_ >= *options_.max_packets) {
          done = true;
          break;
        }
      }
      if (!batch.packets.empty() && !done) {
        // Lines and a piped savefile show up as packets come, not a buffer later.
        if (!sink_ && !options_.count_only && !summary_.flush()) {
          if (report_standard_output_failure(errno)) {
            output_closed_ = true;
          } else {
            status = kExitFailure;
          }
          done = true;
        }
        if (sink_ && options_.output == "-") sink_->flush();
      }
      if (g_statistics_requested) {
        g_statistics_requested = 0;
        print_statistics();
      }
      print_interval(false);
    }
    if (const auto& failure = source_->error()) {
      report_failure(failure->message);
      status = kExitFailure;
    }
  }
  print_interval(true);
  if (pcapng_) {
    const capture::LiveStatistics statistics = source_->statistics();
    capture::InterfaceStatistics isb;
    isb.start_ns = started_ns_;
    isb.end_ns = now_ns();
    isb.accepted_by_filter = statistics.received_by_filter;
    isb.os_drops = statistics.dropped_ring_full;
    isb.interface_drops = statistics.dropped_by_interface;
    isb.delivered = captured_;
    pcapng_->write_statistics(0, isb);
  }
  if (sink_ && !sink_->flush() && !output_closed_) {
    const auto& failure = sink_->error();
    report_failure(failure ? failure->describe(*options_.output) : *options_.output + ": write failed");
    status = kExitFailure;
  }
  if (!sink_ && !options_.count_only && !output_closed_) summary_.flush();
  if (options_.count_only && !sink_) std::printf("%llu packet%s\n", static_cast<unsigned long long>(captured_),
                                                 captured_ == 1 ? "" : "s");
  print_statistics();
  return status;
}

}  // namespace

int run_live_capture(const LiveCaptureOptions& options) {
  CaptureRun run(options);
  return run.run();
}

}  // namespace bpfc::cli

// `bpfc rpcap`: remote capture from an rpcapd (libpcap's RPCAP protocol).
//   bpfc rpcap list rpcap://HOST[:PORT]/            the daemon's interfaces
//   bpfc rpcap capture rpcap://HOST[:PORT]/DEV EXPR  packets, filtered there
// The expression is compiled here for the remote link type, which the daemon
// tells when the device is opened, and runs in the daemon.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/rpcap/client.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/driver/compile.h"
#include "bpfc/linktype/linktype.h"
#include "cli_status.h"
#include "commands.h"
#include "option_values.h"
#include "print_options.h"
#include "remote_capture_source.h"
#include "remote_credentials.h"
#include "remote_tls_options.h"
#include "standard_output.h"
#include "summary_writer.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

namespace rpcap = capture::rpcap;

// Set by SIGINT and SIGTERM during a capture: the capture ends as if its
// count were reached, so that a -w file is complete (tcpdump's behaviour).
std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested.store(true); }

void stop_on_interrupt() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct RpcapCommandOptions {
  std::string action;
  std::string source;
  std::vector<std::string> words;
  std::string output;
  std::optional<uint64_t> count;
  uint32_t snaplen = rpcap::kMaxSnaplen;
  bool udp = false;
  bool promiscuous = false;
  std::string user;
  std::optional<uint32_t> idle_seconds;
  std::string listen;  // --rpcap-listen: active mode
  RemoteTlsFlags tls;
  std::string update_filter;
  std::optional<uint64_t> update_after;
  PrintFlags print;
};

Result<cbpf::Program> compile_for(const std::string& expression, const rpcap::RemoteFilterTarget& target) {
  return compile_cbpf(expression, remote_compile_options(target));
}

// Active mode: the daemon that connects to --rpcap-listen.
std::optional<rpcap::DaemonConnection> wait_for_daemon(const rpcap::ListenAddress& where) {
  auto connection = rpcap::accept_daemon(where, std::nullopt, &stop_requested, [&] {
    std::fprintf(stderr, "waiting for a daemon to connect to %s port %u\n", where.host.c_str(), where.port);
    std::fflush(stderr);
  });
  if (!connection) {
    report_failure(connection.error().message);
    return std::nullopt;
  }
  return std::move(*connection);
}

int run_list(const std::optional<rpcap::RemoteAddress>& address, const std::optional<rpcap::ListenAddress>& listen,
             const rpcap::ConnectOptions& connect) {
  Result<std::vector<rpcap::RemoteInterface>> interfaces = bpfc::error("no listing");
  if (listen) {
    stop_on_interrupt();
    auto connection = wait_for_daemon(*listen);
    if (!connection) return kExitFailure;
    interfaces = rpcap::list_remote_interfaces(std::move(*connection), connect);
  } else {
    interfaces = rpcap::list_remote_interfaces(*address, connect);
  }
  if (!interfaces) return report_failure(interfaces.error().message);
  for (const rpcap::RemoteInterface& interface : *interfaces) {
    std::printf("%s\t%s\n", interface.name.c_str(), interface.description.empty() ? "-" : interface.description.c_str());
  }
  return finish_standard_output(kExitOk);
}

int run_capture(const RpcapCommandOptions& options, const std::optional<rpcap::RemoteAddress>& address,
                const std::optional<rpcap::ListenAddress>& listen, const rpcap::ConnectOptions& connect) {
  std::string expression = join_words(options.words);
  // Usage errors before anything is sent.
  dissect::PrintOptions print_options =
      resolve_print_options(options.print, options.output.empty() ? nullptr : "with -w nothing is printed", false);
  rpcap::CaptureOptions capture_options;
  capture_options.connect = connect;
  capture_options.snaplen = options.snaplen;
  capture_options.udp = options.udp;
  capture_options.promiscuous = options.promiscuous;
  if (options.idle_seconds) capture_options.idle_timeout = std::chrono::seconds(*options.idle_seconds);
  capture_options.stop = &stop_requested;
  stop_on_interrupt();
  // A -w file that cannot be created is reported before a remote session
  // is set up for nothing (in bpfc filter's words).
  if (!options.output.empty() && options.output != "-") {
    int fd = ::open(options.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return report_failure("can't create " + options.output + ": " + std::strerror(errno));
    ::close(fd);
  }
  rpcap::RemoteFilterCompiler compiler;
  if (!expression.empty()) {
    compiler = [&](const rpcap::RemoteFilterTarget& target) { return compile_for(expression, target); };
  }
  Result<std::unique_ptr<rpcap::RemoteCapture>> capture = bpfc::error("no capture");
  if (listen) {
    auto connection = wait_for_daemon(*listen);
    if (!connection) return kExitFailure;
    capture = rpcap::RemoteCapture::start(std::move(*connection), options.source, capture_options, compiler);
  } else {
    capture = rpcap::RemoteCapture::start(*address, capture_options, compiler);
  }
  if (!capture) {
    // A compile error shows the expression under the message.
    if (capture.error().span) return report_diagnostics(capture.errors(), expression);
    return report_failure(capture.error().message);
  }
  rpcap::RemoteCapture& source = **capture;
  // tcpdump's words: "link-type EN10MB (Ethernet)".
  std::string link = linktype_name(source.dlt()) ? std::string(*linktype_name(source.dlt())) : std::to_string(source.dlt());
  if (auto description = linktype_description(source.dlt())) link += " (" + std::string(*description) + ")";
  std::fprintf(stderr, "listening on %s, link-type %s, snapshot length %u bytes\n",
               source.interfaces()[0].name.c_str(), link.c_str(), source.snaplen());
  std::fflush(stderr);

  std::unique_ptr<capture::PacketSink> sink;
  std::unique_ptr<SummaryWriter> printer;
  if (!options.output.empty()) {
    capture::WriterOptions writer;
    writer.linktype = source.linktype();
    writer.snaplen = source.snaplen();
    capture::SavefileError error;
    sink = capture::create_savefile(options.output, writer, error);
    if (!sink) return report_failure(error.describe(options.output));
  } else {
    printer = std::make_unique<SummaryWriter>(stdout, print_options);
  }

  uint64_t captured = 0;
  bool updated = false;
  int status = kExitOk;
  capture::Batch batch;
  bool more = true;
  while (more && (!options.count || captured < *options.count)) {
    more = source.next(batch);
    for (const capture::Packet& packet : batch.packets) {
      if (options.count && captured >= *options.count) break;
      ++captured;
      bool written = sink ? sink->write_packet(packet, source.interfaces()[0]) : printer->write(packet, source.dlt());
      if (!written) {
        more = false;
        break;
      }
      if (!updated && !options.update_filter.empty() && captured == options.update_after.value_or(0)) {
        auto program = compile_for(options.update_filter, source.filter_target());
        if (!program) return report_diagnostics(program.errors(), options.update_filter);
        if (auto problem = source.update_filter(*program)) return report_failure(problem->message);
        updated = true;
        std::fprintf(stderr, "filter updated after %llu packets\n", static_cast<unsigned long long>(captured));
        std::fflush(stderr);
      }
    }
    if (printer) printer->flush();
  }
  if (sink && (!sink->flush() || sink->error())) {
    status = report_failure(sink->error() ? sink->error()->describe(options.output) : "cannot write the output");
  }
  if (printer && printer->failed() && !report_standard_output_failure(errno)) status = kExitFailure;
  if (source.error()) status = report_failure(source.error()->message);
  auto stats = source.stats();
  std::fprintf(stderr, "%llu packets captured\n", static_cast<unsigned long long>(captured));
  if (stats) {
    std::fprintf(stderr, "%u packets received by filter\n%u packets dropped by kernel\n",
                 stats->daemon.interface_received, stats->daemon.kernel_dropped);
    if (stats->packets_lost != 0) {
      std::fprintf(stderr, "%llu packets lost between the daemon and bpfc\n",
                   static_cast<unsigned long long>(stats->packets_lost));
    }
  }
  if (auto problem = source.close(); problem && status == kExitOk) status = report_failure(problem->message);
  return finish_standard_output(status);
}

int run_rpcap(const RpcapCommandOptions& options) {
  if (options.action != "list" && options.action != "capture") {
    throw UsageError("unknown rpcap action '" + options.action + "' (list or capture)");
  }
  if (options.update_after && options.update_filter.empty()) throw UsageError("--after needs --update-filter");
  std::optional<rpcap::RemoteAddress> address;
  std::optional<rpcap::ListenAddress> listen;
  std::string where;
  if (!options.listen.empty()) {
    // Active mode: the daemon connects; SOURCE is its device (capture).
    auto parsed = rpcap::parse_listen_address(options.listen);
    if (!parsed) throw UsageError("--rpcap-listen: " + parsed.error().message);
    listen = *parsed;
    if (rpcap::is_rpcap_url(options.source)) {
      throw UsageError("with --rpcap-listen the daemon connects to bpfc: give its device (e.g. eth0), not a URL");
    }
    if (options.action == "list" && !options.source.empty()) throw UsageError("bpfc rpcap list --rpcap-listen takes no source");
    if (options.action == "capture" && options.source.empty()) {
      throw UsageError("bpfc rpcap capture --rpcap-listen HOST:PORT needs the daemon's DEVICE");
    }
    where = "the daemon that connects to " + options.listen;
  } else {
    if (options.source.empty()) throw UsageError("bpfc rpcap " + options.action + " needs rpcap://HOST[:PORT]/...");
    auto parsed = rpcap::parse_rpcap_url(options.source);
    if (!parsed) throw UsageError(parsed.error().message);
    address = *parsed;
    if (options.action == "capture" && address->device.empty()) {
      throw UsageError("'" + options.source + "' names no device: rpcap://HOST[:PORT]/DEVICE");
    }
    where = address->host;
  }
  if (options.action == "list" && !options.words.empty()) throw UsageError("bpfc rpcap list takes no expression");
  const bool tls = address ? address->tls : listen->tls;
  if (tls && options.udp) {
    throw UsageError("--udp: UDP data channels have no TLS; rpcaps:// receives the packets over TCP");
  }
  rpcap::ConnectOptions connect;
  connect.tls = remote_tls_options(options.tls, tls);
  connect.credentials = remote_credentials(options.user, where);
  if (options.action == "list") return run_list(address, listen, connect);
  return run_capture(options, address, listen, connect);
}

constexpr const char* kRpcapExamples = R"(Examples:
  bpfc rpcap list rpcap://192.0.2.7/                     # the daemon's interfaces
  bpfc rpcap capture rpcap://192.0.2.7/eth0 -c 10 icmp    # ten ICMP packets, one line each
  bpfc rpcap capture rpcap://[2001:db8::7]:2002/eth0 -w out.pcap 'udp port 53'
  BPFC_RPCAP_PASSWORD=secret bpfc rpcap capture --auth alice rpcap://host/eth0 tcp
  bpfc rpcap capture --rpcap-listen 0.0.0.0:2003 eth0 -c 10  # from rpcapd -a HOST,2003

The filter runs in the daemon, compiled here for the remote link type. A
capture without a filter on the interface that carries the rpcap connection
sees its own data connection: give a filter that excludes it.
Exit status: 0 ok; 1 the daemon refused (authentication, device, filter) or
the connection failed; 2 bad command line.)";

}  // namespace

Subcommand add_rpcap_command(CLI::App& app) {
  auto options = std::make_shared<RpcapCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "rpcap", "Remote capture from an rpcapd: list its interfaces, or capture with a filter compiled here");
  command->add_option("action", options->action, "list or capture")->required();
  command->add_option("source", options->source,
                      "rpcap://HOST[:PORT]/DEVICE or rpcaps:// (TLS) (list: rpcap://HOST[:PORT]/); with "
                      "--rpcap-listen: DEVICE");
  command->add_option("-w,--write", options->output,
                      "Write the packets to FILE ('-' is stdout, pcap) instead of printing one line each")
      ->type_name("FILE");
  add_number_option(*command, "-c", options->count, {.noun = "count", .min = 1, .max = UINT64_MAX},
                    "Stop after COUNT packets", "COUNT");
  add_number_option(*command, "-s,--snaplen", options->snaplen,
                    {.noun = "snaplen", .min = 1, .max = rpcap::kMaxSnaplen}, "Bytes to capture of each packet",
                    "SNAPLEN");
  command->add_flag("--udp", options->udp, "Receive the packets over UDP instead of TCP");
  command->add_flag("--promisc", options->promiscuous, "Put the remote interface in promiscuous mode");
  command->add_option("--auth", options->user,
                      "Password authentication as USER, the password taken from BPFC_RPCAP_PASSWORD or asked on "
                      "the terminal (default: null authentication)")
      ->type_name("USER");
  command->add_option("--rpcap-listen", options->listen,
                      "Active mode: wait on HOST:PORT (default port 2003) for a daemon (rpcapd -a HOST,PORT) to "
                      "connect, instead of connecting to one; rpcaps://HOST:PORT for a daemon with TLS (-S)")
      ->type_name("HOST:PORT");
  add_remote_tls_options(*command, options->tls);
  add_number_option(*command, "--timeout", options->idle_seconds, {.noun = "timeout", .min = 1, .max = 86400},
                    "End the capture when no packet has come for SECONDS", "SECONDS");
  command->add_option("--update-filter", options->update_filter,
                      "Replace the filter with this expression while the capture runs (after --after packets)")
      ->type_name("EXPRESSION");
  add_number_option(*command, "--after", options->update_after, {.noun = "count", .min = 1, .max = UINT64_MAX},
                    "Packets to receive before --update-filter applies", "COUNT");
  command->add_option("expression", options->words,
                      "The filter expression; several words are joined with spaces. None keeps every packet");
  add_print_options(*command, options->print);
  // Its own examples only: the printing examples add_print_options appends
  // are bpfc filter's.
  command->footer(kRpcapExamples);
  return {command, [options] { return run_rpcap(*options); }};
}

}  // namespace bpfc::cli

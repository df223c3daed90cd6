// `bpfc replay`: sends a savefile's packets on an interface, like tcpreplay:
// as fast as possible or at the pace of their timestamps (scaled by a speed
// factor), a given number of times, through an AF_PACKET socket
// (bpfc/capture/packet_sender.h). Frames the interface cannot take are
// counted and reported, never silently lost; statistics go to stderr at the
// end, also when SIGINT or SIGTERM stops the job.
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/linktype_map.h"
#include "bpfc/capture/packet_sender.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/linktype/linktype.h"
#include "cli_status.h"
#include "commands.h"
#include "option_values.h"

namespace bpfc::cli {
namespace {

using capture::SenderError;

struct ReplayCommandOptions {
  std::string interface;
  std::string input;
  std::string timing = "original";
  std::optional<uint64_t> count;
  uint64_t loops = 1;
  std::string method = "sendmmsg";
};

// 0: as fast as possible; otherwise the factor applied to the gaps between
// timestamps (2: twice as fast).
double parse_timing(const std::string& text) {
  if (text == "none") return 0;
  if (text == "original") return 1;
  char* end = nullptr;
  errno = 0;
  const double speed = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(speed) || speed <= 0) {
    throw UsageError("invalid timing '" + text +
                     "' (none, original, or a speed factor above 0 such as 2 for twice as fast or 0.5 for half speed)");
  }
  return speed;
}

int64_t monotonic_ns() {
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
}

std::string linktype_text(uint32_t linktype) {
  auto name = linktype_name(capture::dlt_from_linktype(linktype));
  return (name ? std::string(*name) + " " : std::string()) + "(LINKTYPE " + std::to_string(linktype) + ")";
}

// SIGINT and SIGTERM, blocked while the job runs, are polled between
// batches and end the pacing waits: the job then stops with its statistics.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  // A signal that stopped the job has been answered: it is taken off the
  // pending set before the mask is restored, or it would kill the process.
  ~StopSignals() {
    const struct timespec now {0, 0};
    while (sigtimedwait(&set_, nullptr, &now) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool pending() {
    if (stopped_) return true;
    sigset_t waiting;
    sigpending(&waiting);
    stopped_ = sigismember(&waiting, SIGINT) == 1 || sigismember(&waiting, SIGTERM) == 1;
    return stopped_;
  }
  // Waits until CLOCK_MONOTONIC reaches `deadline_ns`; false when a signal
  // came first.
  bool sleep_until(int64_t deadline_ns) {
    while (!stopped_) {
      const int64_t left = deadline_ns - monotonic_ns();
      if (left <= 0) return true;
      const struct timespec wait {left / 1000000000, left % 1000000000};
      const int got = sigtimedwait(&set_, nullptr, &wait);
      if (got == SIGINT || got == SIGTERM) stopped_ = true;
    }
    return false;
  }
  bool stopped() const { return stopped_; }

 private:
  sigset_t set_;
  sigset_t previous_;
  bool stopped_ = false;
};

// One packet kept in memory, for a standard input replayed more than once.
struct CachedPacket {
  int64_t timestamp_ns;
  uint32_t linktype;
  uint32_t wirelen;
  size_t offset;
  uint32_t caplen;
};

class ReplayRun {
 public:
  explicit ReplayRun(const ReplayCommandOptions& options)
      : options_(options), speed_(parse_timing(options.timing)), name_(options.input == "-" ? "standard input" : options.input) {}

  int run();

 private:
  enum class Outcome { Continue, Stop, Fail };

  std::unique_ptr<capture::PacketSource> open_input();
  bool check_linktype(uint32_t linktype);
  // Paces, checks and sends one packet.
  Outcome replay(int64_t timestamp_ns, uint32_t linktype, std::span<const uint8_t> bytes, uint32_t wirelen);
  Outcome replay_source(capture::PacketSource& source, bool keep_copies);
  Outcome replay_cache();
  void report_statistics(int64_t elapsed_ns);

  const ReplayCommandOptions& options_;
  double speed_;
  std::string name_;
  StopSignals signals_;
  std::optional<capture::SendInterface> interface_;
  std::unique_ptr<capture::PacketSender> sender_;
  // Pacing: the clock and the timestamp at the first packet of this loop.
  std::optional<int64_t> loop_first_timestamp_;
  int64_t loop_start_ns_ = 0;
  uint64_t read_ = 0;
  uint64_t accepted_ = 0;  // handed to the sender
  uint64_t skipped_ = 0;
  uint64_t cut_short_ = 0;
  std::vector<uint8_t> cache_bytes_;
  std::vector<CachedPacket> cache_;
};

std::unique_ptr<capture::PacketSource> ReplayRun::open_input() {
  capture::SavefileError error;
  auto source = capture::open_savefile(options_.input, error);
  if (!source) report_failure(error.describe(name_));
  return source;
}

bool ReplayRun::check_linktype(uint32_t linktype) {
  if (capture::linktype_matches(*interface_, linktype)) return true;
  report_failure(name_ + " holds " + linktype_text(linktype) + " packets, but interface '" + interface_->name +
                 "' sends " + linktype_text(interface_->linktype) +
                 " frames: replay it on an interface of its link type");
  return false;
}

ReplayRun::Outcome ReplayRun::replay(int64_t timestamp_ns, uint32_t linktype, std::span<const uint8_t> bytes,
                                     uint32_t wirelen) {
  ++read_;
  if (!check_linktype(linktype)) return Outcome::Fail;
  const capture::FrameFit fit = capture::frame_fit(*interface_, bytes);
  if (fit != capture::FrameFit::Fits) {
    if (skipped_++ == 0) {
      const std::string why = fit == capture::FrameFit::TooLong
                                  ? "is longer than interface '" + interface_->name + "' takes (MTU " +
                                        std::to_string(interface_->mtu) + " + " +
                                        std::to_string(interface_->header_bytes) + " link-header bytes)"
                                  : "is shorter than a link-layer header";
      report_failure("warning: " + name_ + ": packet " + std::to_string(read_) + " (" + std::to_string(bytes.size()) +
                     " bytes) " + why + ": skipped; the end says how many were");
    }
    return Outcome::Continue;
  }
  if (bytes.size() < wirelen && cut_short_++ == 0) {
    report_failure("warning: " + name_ + ": packet " + std::to_string(read_) + " was captured with " +
                   std::to_string(bytes.size()) + " of its " + std::to_string(wirelen) +
                   " bytes: such packets are sent as captured");
  }
  if (speed_ > 0) {
    if (!loop_first_timestamp_) {
      loop_first_timestamp_ = timestamp_ns;
      loop_start_ns_ = monotonic_ns();
    }
    const double offset = static_cast<double>(timestamp_ns - *loop_first_timestamp_) / speed_;
    const int64_t due = loop_start_ns_ + static_cast<int64_t>(offset);
    if (due > monotonic_ns()) {
      // What is queued is due already: it leaves before the wait.
      if (!sender_->flush()) return Outcome::Fail;
      if (!signals_.sleep_until(due)) return Outcome::Stop;
    }
  }
  if (!sender_->send(bytes)) return Outcome::Fail;
  ++accepted_;
  if (options_.count && accepted_ >= *options_.count) return Outcome::Stop;
  return Outcome::Continue;
}

ReplayRun::Outcome ReplayRun::replay_source(capture::PacketSource& source, bool keep_copies) {
  // A pcap file says its link type before any packet.
  for (const capture::InterfaceInfo& interface : source.interfaces()) {
    if (!check_linktype(interface.linktype)) return Outcome::Fail;
  }
  capture::Batch batch;
  bool more = true;
  while (more) {
    if (signals_.pending()) return Outcome::Stop;
    more = source.next(batch);
    for (const capture::Packet& packet : batch.packets) {
      if (keep_copies) {
        cache_.push_back({packet.timestamp_ns, packet.linktype, packet.wirelen, cache_bytes_.size(), packet.caplen});
        cache_bytes_.insert(cache_bytes_.end(), packet.data, packet.data + packet.caplen);
      }
      const Outcome outcome = replay(packet.timestamp_ns, packet.linktype, packet.bytes(), packet.wirelen);
      if (outcome != Outcome::Continue) return outcome;
    }
  }
  return Outcome::Continue;
}

ReplayRun::Outcome ReplayRun::replay_cache() {
  for (size_t i = 0; i < cache_.size(); ++i) {
    if (i % 256 == 0 && signals_.pending()) return Outcome::Stop;
    const CachedPacket& packet = cache_[i];
    const Outcome outcome = replay(packet.timestamp_ns, packet.linktype,
                                   {cache_bytes_.data() + packet.offset, packet.caplen}, packet.wirelen);
    if (outcome != Outcome::Continue) return outcome;
  }
  return Outcome::Continue;
}

void ReplayRun::report_statistics(int64_t elapsed_ns) {
  const capture::SendCounters& sent = sender_->counters();
  const double seconds = static_cast<double>(elapsed_ns) / 1e9;
  const double rate = seconds > 0 ? static_cast<double>(sent.packets) / seconds : 0;
  const double megabits = seconds > 0 ? static_cast<double>(sent.bytes) * 8 / seconds / 1e6 : 0;
  std::fprintf(stderr, "%llu packet%s (%llu bytes) sent on %s in %.6f s: %.0f packets/s, %.3f Mbit/s; %llu skipped\n",
               static_cast<unsigned long long>(sent.packets), sent.packets == 1 ? "" : "s",
               static_cast<unsigned long long>(sent.bytes), interface_->name.c_str(), seconds, rate, megabits,
               static_cast<unsigned long long>(skipped_));
  if (skipped_ > 0) {
    std::fprintf(stderr, "%llu packet%s skipped: longer than %s takes (%u bytes with its link header) or shorter than "
                         "its link header\n",
                 static_cast<unsigned long long>(skipped_), skipped_ == 1 ? " was" : "s were", interface_->name.c_str(),
                 capture::largest_frame(*interface_));
  }
  if (signals_.stopped()) std::fprintf(stderr, "stopped by a signal\n");
}

int ReplayRun::run() {
  // The file first: what is wrong with it is wrong on any interface.
  std::unique_ptr<capture::PacketSource> source = open_input();
  if (!source) return kExitFailure;
  SenderError error;
  interface_ = capture::describe_send_interface(options_.interface, error);
  if (!interface_) return report_failure(error.message);
  for (const capture::InterfaceInfo& interface : source->interfaces()) {
    if (!check_linktype(interface.linktype)) return kExitFailure;
  }
  capture::SenderOptions sender_options;
  sender_options.method = options_.method == "ring" ? capture::SendMethod::TxRing : capture::SendMethod::Sendmmsg;
  sender_ = capture::open_packet_sender(*interface_, sender_options, error);
  if (!sender_) return report_failure(error.message);

  const int64_t start = monotonic_ns();
  // Standard input can be read once: a replay that loops keeps its packets.
  const bool cache_input = options_.input == "-" && options_.loops != 1;
  int status = kExitOk;
  for (uint64_t loop = 0; options_.loops == 0 || loop < options_.loops; ++loop) {
    loop_first_timestamp_.reset();
    Outcome outcome;
    if (loop > 0 && cache_input) {
      outcome = replay_cache();
    } else {
      if (!source && !(source = open_input())) {
        status = kExitFailure;
        break;
      }
      outcome = replay_source(*source, cache_input);
      if (outcome == Outcome::Continue && source->error()) {
        report_failure(source->error()->describe(name_));
        status = source->error()->damaged ? kExitDamagedInput : kExitFailure;
        break;
      }
      source.reset();
    }
    if (outcome == Outcome::Fail) status = kExitFailure;
    if (outcome != Outcome::Continue) break;
    // An input with nothing to send (empty, or every packet skipped) would
    // loop for ever without sending.
    if (accepted_ == 0) break;
  }
  if (!sender_->flush() && status == kExitOk) status = kExitFailure;
  if (const auto& send_error = sender_->error()) report_failure(send_error->message);
  report_statistics(monotonic_ns() - start);
  return status;
}

constexpr const char* kReplayExamples = R"(Examples:
  bpfc replay -i veth0 -r capture.pcap                  # at the pace it was captured
  bpfc replay -i veth0 -r capture.pcap --timing=none    # as fast as possible
  bpfc replay -i veth0 -r capture.pcapng --timing=10    # ten times as fast
  bpfc replay -i veth0 -r capture.pcap --loop 5 -c 1000 # five times, at most 1000 packets
  bpfc filter -r big.pcap -w - udp | bpfc replay -i veth0 -r - --timing=none

The savefile's link type must be the interface's (Ethernet savefiles on
Ethernet and loopback devices, raw IP on tun devices). Each packet is sent as
captured; one longer than the interface's MTU plus its link header (or
shorter than that header) is skipped, with one warning and the count at the
end. --timing=original (the default) keeps the gaps between timestamps, a
number divides them (2: twice as fast), none sends back to back; each loop
starts over at the pace of its first packet. -c counts packets sent, over
every loop; --loop 0 repeats until SIGINT or SIGTERM, which end any replay
with its statistics: packets and bytes sent, time, packets/s, skipped.
Sending needs CAP_NET_RAW.

Exit status: 0 ok (also when stopped by SIGINT/SIGTERM); 1 refused: no such
interface, interface down, no CAP_NET_RAW, unreadable file or not a savefile,
link type not the interface's, a send error; 2 bad command line; 3 the
savefile is damaged part-way (the packets before the damage were sent).)";

}  // namespace

Subcommand add_replay_command(CLI::App& app) {
  auto options = std::make_shared<ReplayCommandOptions>();
  CLI::App* command =
      app.add_subcommand("replay", "Send a savefile's packets on a network interface (like tcpreplay)");
  command->add_option("-i,--interface", options->interface, "Interface to send on")
      ->required()
      ->type_name("IFACE");
  command->add_option("-r,--read", options->input, "Savefile to send, pcap or pcapng, maybe compressed ('-' is stdin)")
      ->required()
      ->type_name("FILE");
  command->add_option("--timing", options->timing,
                      "none (back to back), original (the timestamps' pace, the default) or a speed factor "
                      "(2: twice as fast)")
      ->type_name("none|original|SPEED");
  add_number_option(*command, "-c,--count", options->count, {.noun = "count", .min = 1, .max = UINT64_MAX},
                    "Stop after sending COUNT packets (over every loop)", "COUNT");
  add_number_option(*command, "--loop", options->loops, {.noun = "loop count", .max = UINT64_MAX},
                    "Send the savefile N times (0: until interrupted)", "N");
  add_choice_option(*command, "--method", options->method, "send method", {"ring", "sendmmsg"},
                    "How frames reach the kernel: sendmmsg(2) batches (the default: faster in `make bench-replay`) "
                    "or a PACKET_TX_RING");
  command->footer(kReplayExamples);
  return {command, [options] {
            parse_timing(options->timing);  // a bad value is a usage error before anything is opened
            ReplayRun run(*options);
            return run.run();
          }};
}

}  // namespace bpfc::cli

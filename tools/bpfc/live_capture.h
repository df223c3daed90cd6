// The job of `bpfc capture`: opens the live source, compiles the expression
// for its link type in the Linux live context, installs it (kernel first),
// and hands every packet to a savefile writer or the summary printer until
// -c is reached, a signal asks to stop, or the capture fails; then prints
// the statistics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfc/capture/live.h"
#include "bpfc/capture/rotating_sink.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/dissect/packet_printer.h"
#include "remote_capture_source.h"

namespace bpfc::cli {

enum class StatisticsFormat { Text, Json };

struct LiveCaptureOptions {
  capture::LiveOptions live;
  std::string expression;  // empty: every packet
  std::optional<std::string> expression_file;  // -F, for diagnostics
  int opt_level = 2;
  capture::KernelFilterMode kernel_filter = capture::KernelFilterMode::Cbpf;
  std::optional<uint64_t> max_packets;  // -c
  std::optional<std::string> output;    // -w; "-" is standard output
  // -C/-G/-W: the -w file spread over several pcap files, as tcpdump does.
  std::optional<capture::RotationOptions> rotation;
  capture::SavefileFormat format = capture::SavefileFormat::Pcap;
  bool nanosecond = false;
  bool count_only = false;
  StatisticsFormat statistics_format = StatisticsFormat::Text;
  // --threads: sockets in one PACKET_FANOUT group, each read by a thread of
  // its own, merged into one output in timestamp order (1: one socket).
  uint32_t threads = 1;
  std::optional<uint32_t> stats_every_seconds;  // --stats-every
  dissect::PrintOptions print;
  // -i rpcap://... or --rpcap-listen: the capture runs in a daemon; of
  // `live`, only the device, snaplen and promiscuous apply.
  std::optional<RemoteCaptureOptions> remote;
};

// Exit status: kExitOk, or kExitFailure after an error message (no such
// interface, interface down, permission, ring too large, link type or
// expression the compiler refuses, a write error, the capture failing).
int run_live_capture(const LiveCaptureOptions& options);

}  // namespace bpfc::cli

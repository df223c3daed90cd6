// Google Benchmark of the packet printer (bpfc_dissect), the per-packet work
// of `bpfc filter` without -w: lines appended to a buffer for generated
// traffic-like frames (traffic_generator.h) held in memory, so that neither
// reading nor writing is measured. Reported as packets/s and bytes/s of
// text. The anchor, measured in the same run, prints the timestamp alone:
// the printer's cost reads as a ratio to it, independent of the machine.
// summary_lines is the default output; the others show what -e, -v, -X and
// --json cost.
//
// Usage: [BPFC_BENCH_MIB=N] bench_packet_printer [Google Benchmark flags]
// (N: MiB of generated capture, default 64)
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "bpfc/capture/packet.h"
#include "bpfc/dissect/packet_printer.h"
#include "traffic_generator.h"

namespace {

using bpfc::capture::Packet;
using bpfc::dissect::PacketPrinter;
using bpfc::dissect::PrintOptions;

constexpr uint32_t kDltEthernet = 1;
// About the size of the summary writer's batch: the buffer is emptied when
// it is full, as the CLI does.
constexpr size_t kBufferBytes = 1 << 20;

constexpr size_t kPcapFileHeader = 24;
constexpr size_t kPcapRecordHeader = 16;

// A generated capture in memory and a view of each of its packets.
struct Frames {
  std::vector<uint8_t> file;
  std::vector<Packet> packets;
};

Frames generate(uint64_t file_bytes) {
  Frames frames;
  frames.file = bpfc::bench::generate_pcap(file_bytes, 1);
  size_t at = kPcapFileHeader;
  while (at + kPcapRecordHeader <= frames.file.size()) {
    uint32_t record[4];  // seconds, microseconds, caplen, wirelen in the machine's order
    std::memcpy(record, &frames.file[at], sizeof record);
    Packet packet;
    packet.timestamp_ns = static_cast<int64_t>(record[0]) * 1000000000 + static_cast<int64_t>(record[1]) * 1000;
    packet.caplen = record[2];
    packet.wirelen = record[3];
    packet.data = &frames.file[at + kPcapRecordHeader];
    frames.packets.push_back(packet);
    at += kPcapRecordHeader + packet.caplen;
  }
  return frames;
}

const Frames& frames() {
  static const Frames generated = [] {
    uint64_t mib = 64;
    if (const char* env = std::getenv("BPFC_BENCH_MIB")) mib = std::strtoull(env, nullptr, 10);
    return generate(mib << 20);
  }();
  return generated;
}

void report(benchmark::State& state, uint64_t packets, uint64_t text_bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(text_bytes));
  state.counters["packets/s"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
  state.counters["bytes/line"] = static_cast<double>(text_bytes) / static_cast<double>(packets);
}

void timestamp_anchor(benchmark::State& state) {
  const Frames& input = frames();
  bpfc::dissect::TimestampFormat timestamps(bpfc::dissect::TimeFormat::TimeOfDay, false);
  std::string out;
  out.reserve(kBufferBytes + 4096);
  uint64_t packets = 0, text = 0;
  for (auto _ : state) {
    for (const Packet& packet : input.packets) {
      timestamps.append(out, packet.timestamp_ns);
      out.push_back('\n');
      if (out.size() >= kBufferBytes) {
        text += out.size();
        out.clear();
      }
    }
    packets += input.packets.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, packets, text + out.size());
}

void print_lines(benchmark::State& state, const PrintOptions& options) {
  const Frames& input = frames();
  PacketPrinter printer(options);
  std::string out;
  out.reserve(kBufferBytes + 4096);
  uint64_t packets = 0, text = 0;
  for (auto _ : state) {
    for (const Packet& packet : input.packets) {
      printer.append(out, packet, kDltEthernet);
      if (out.size() >= kBufferBytes) {
        text += out.size();
        out.clear();
      }
    }
    packets += input.packets.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, packets, text + out.size());
}

void summary_lines(benchmark::State& state) { print_lines(state, PrintOptions{}); }
// The printing flags, for scale: -e, -v, -X and --json.
void link_header_lines(benchmark::State& state) { print_lines(state, PrintOptions{.link_header = true}); }
void verbose_lines(benchmark::State& state) { print_lines(state, PrintOptions{.verbosity = 1}); }
void hex_ascii_dumps(benchmark::State& state) { print_lines(state, PrintOptions{.dump = bpfc::dissect::Dump::HexAscii}); }
void json_records(benchmark::State& state) { print_lines(state, PrintOptions{.json = true}); }

BENCHMARK(timestamp_anchor)->Unit(benchmark::kMillisecond);
BENCHMARK(summary_lines)->Unit(benchmark::kMillisecond);
BENCHMARK(link_header_lines)->Unit(benchmark::kMillisecond);
BENCHMARK(verbose_lines)->Unit(benchmark::kMillisecond);
BENCHMARK(hex_ascii_dumps)->Unit(benchmark::kMillisecond);
BENCHMARK(json_records)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

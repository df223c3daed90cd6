// Google Benchmark of the pcap reader's drain loop: open a generated capture
// (traffic_generator.h), pull every batch and look at each packet's
// EtherType, as a filter would. Reported as bytes/s of savefile and
// packets/s. The anchor is a hand-written walk over the same records that
// does only the minimum (read caplen, skip), measured in the same run, so
// the reader's overhead reads as a ratio independent of the machine.
//
// Usage: bench_savefile_reader [--size_mib=N] [Google Benchmark flags]
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "bpfc/capture/savefile.h"
#include "traffic_generator.h"

namespace {

using bpfc::capture::Batch;
using bpfc::capture::PacketSource;
using bpfc::capture::ReaderOptions;
using bpfc::capture::SavefileError;

constexpr size_t kPcapFileHeader = 24;
constexpr size_t kPcapRecordHeader = 16;
constexpr size_t kEtherTypeOffset = 12;

uint32_t ethertype_of(const uint8_t* frame, uint32_t caplen) {
  return caplen >= kEtherTypeOffset + 2 ? static_cast<uint32_t>(frame[kEtherTypeOffset] << 8 | frame[13]) : 0;
}

// Drains `source`; returns a checksum of what it saw so nothing is optimised away.
uint64_t drain(PacketSource& source, benchmark::State& state, uint64_t& packets) {
  Batch batch;
  uint64_t seen = 0;
  bool more = true;
  while (more) {
    more = source.next(batch);
    for (const auto& packet : batch.packets) seen += ethertype_of(packet.data, packet.caplen) + packet.caplen;
    packets += batch.packets.size();
  }
  if (source.error()) state.SkipWithError(source.error()->describe("capture").c_str());
  return seen;
}

void report(benchmark::State& state, size_t file_bytes, uint64_t packets) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file_bytes));
  state.counters["packets/s"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}

void hand_walk_anchor(benchmark::State& state, const std::vector<uint8_t>& file) {
  uint64_t packets = 0;
  for (auto _ : state) {
    uint64_t seen = 0;
    size_t at = kPcapFileHeader;
    while (at + kPcapRecordHeader <= file.size()) {
      uint32_t caplen;
      std::memcpy(&caplen, &file[at + 8], 4);
      const uint8_t* frame = &file[at + kPcapRecordHeader];
      seen += ethertype_of(frame, caplen) + caplen;
      at += kPcapRecordHeader + caplen;
      ++packets;
    }
    benchmark::DoNotOptimize(seen);
  }
  report(state, file.size(), packets);
}

void reader_from_memory(benchmark::State& state, const std::vector<uint8_t>& file) {
  const ReaderOptions options{static_cast<size_t>(state.range(0))};
  uint64_t packets = 0;
  for (auto _ : state) {
    SavefileError error;
    auto source = bpfc::capture::open_savefile_memory(file, error, options);
    if (!source) {
      state.SkipWithError(error.describe("capture").c_str());
      return;
    }
    benchmark::DoNotOptimize(drain(*source, state, packets));
  }
  report(state, file.size(), packets);
}

void reader_from_mapped_file(benchmark::State& state, const std::string& path, size_t file_bytes) {
  const ReaderOptions options{static_cast<size_t>(state.range(0))};
  uint64_t packets = 0;
  for (auto _ : state) {
    SavefileError error;
    auto source = bpfc::capture::open_savefile(path, error, options);
    if (!source) {
      state.SkipWithError(error.describe(path).c_str());
      return;
    }
    benchmark::DoNotOptimize(drain(*source, state, packets));
  }
  report(state, file_bytes, packets);
}

// Our own flag, taken out before Google Benchmark sees the rest.
size_t take_size_mib(int& argc, char** argv) {
  size_t size_mib = 64;
  constexpr std::string_view flag = "--size_mib=";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, flag.size()) == flag) {
      size_mib = std::strtoul(argv[i] + flag.size(), nullptr, 10);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return size_mib > 0 ? size_mib : 64;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t size_mib = take_size_mib(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  // Larger than the caches, so the numbers include memory bandwidth.
  const std::vector<uint8_t> file = bpfc::bench::generate_pcap(uint64_t{size_mib} << 20);
  char path[] = "/tmp/bpfc-reader-bench-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0 || write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
    std::fprintf(stderr, "cannot write the capture to %s\n", path);
    return 1;
  }
  close(fd);

  benchmark::RegisterBenchmark("anchor_hand_walk", hand_walk_anchor, std::cref(file))->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("pcap_reader/memory", reader_from_memory, std::cref(file))
      ->Arg(1)->Arg(16)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("pcap_reader/mapped_file", reader_from_mapped_file, std::string(path), file.size())
      ->Arg(256)->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  unlink(path);
  return 0;
}

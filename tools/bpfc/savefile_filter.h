// The job of `bpfc filter`: reads savefiles in order, filters their packets
// with the filter engine (bpfc/capture/filter_engine.h: one executable filter
// per link type, made by the chosen exec engine), and hands the packets it
// keeps to a savefile writer or to the summary printer, reporting on stderr.
// Packets are views into the reader's buffers: the ones not kept are never
// copied, and nothing is allocated per packet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/rotating_sink.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/dissect/packet_printer.h"
#include "bpfc/exec/engine.h"
#include "bpfc/driver/compile.h"

namespace bpfc::cli {

struct SavefileFilterOptions {
  std::vector<std::string> inputs;  // read in order; "-" is standard input
  std::string expression;           // empty: keep every packet
  // Where the expression came from, for diagnostics (FILE:LINE:COLUMN):
  // the -F file's name, or nullopt for the command line.
  std::optional<std::string> expression_file;
  // opt_level and netmask apply to every compilation; linktype and snaplen
  // are set per link type.
  CompileOptions compile;
  // The exec engine that runs the compiled filter (exec::engines()).
  std::string engine{exec::kDefaultEngine};
  exec::EngineSettings engine_settings;  // --jit-cache
  // -y: the DLT used to compile the filter for, and interpret, every packet
  // whatever its file says; pcap output is then labelled with it too.
  std::optional<uint32_t> forced_dlt;
  std::optional<uint64_t> max_matches;  // -c: stop after this many kept packets
  // --count: print only "N packets" (the number kept) on standard output, as
  // tcpdump --count does; -w still writes the kept packets.
  bool count_only = false;
  // -w: where kept packets are written ("-" is standard output); without
  // it, one summary line per kept packet goes to standard output.
  std::optional<std::string> output;
  // -C/-G/-W: spread the output over files as tcpdump does
  // (bpfc/capture/rotating_sink.h); its path is `output`, a file name.
  std::optional<capture::RotationOptions> rotation;
  std::optional<capture::SavefileFormat> format;  // default: the first input's
  // pcap output: nanosecond timestamps (default: the first input's
  // precision); pcapng output: nanosecond resolution for interfaces it
  // describes itself; summary lines: nine fraction digits.
  bool nanosecond = false;
  // Map regular input files instead of reading them (--no-mmap reads them).
  bool map_files = true;
  // Without -w: how each kept packet is printed.
  dissect::PrintOptions print;
};

// Runs the whole job, reporting on stderr (errors, reader warnings, the
// final "N packets read, M matched"). Returns the exit status: kExitOk,
// kExitFailure (a file cannot be opened or created, an input is not a
// savefile, the filter does not compile, a write fails, pcap output asked
// for several link types) or kExitDamagedInput. When the reader of the
// output (standard output, or a pipe given to -w) goes away, the job ends
// there with kExitOk, as tcpdump's does.
//
// pcap output holds one link type: the link types of every input are
// checked before the output is created, as far as they can be known up
// front: for regular files, a pcap file's header and the interfaces a pcapng
// file describes before its first packets; standard input and pipes only
// when they are the first input.
int run_savefile_filter(const SavefileFilterOptions& options);

}  // namespace bpfc::cli

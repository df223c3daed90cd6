#include "savefile_filter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>

#include "bpfc/capture/filter_engine.h"
#include "bpfc/driver/executable.h"
#include "bpfc/capture/linktype_map.h"
#include "bpfc/exec/engine.h"
#include "bpfc/linktype/linktype.h"
#include "cli_status.h"
#include "compile_settings.h"
#include "mapped_input_guard.h"
#include "progress_bar.h"
#include "standard_output.h"
#include "summary_writer.h"

namespace bpfc::cli {
namespace {

using capture::Batch;
using capture::InterfaceInfo;
using capture::Packet;
using capture::PacketSink;
using capture::PacketSource;
using capture::SavefileError;
using capture::SavefileFormat;

// Filters compile with the snaplen of the interface, as libpcap compiles with
// pcap_snapshot(): 0 and out-of-range values mean the maximum.
uint32_t effective_snaplen(uint32_t snaplen) {
  return snaplen == 0 || snaplen > capture::kMaxPacketBytes ? capture::kMaxPacketBytes : snaplen;
}

std::string display_name(const std::string& path) { return path == "-" ? "standard input" : path; }
std::string output_display_name(const std::string& path) { return path == "-" ? "standard output" : path; }

std::string plural(uint64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// Inputs are opened one at a time, when their turn comes, and released when
// done: a run over thousands of files holds one descriptor and one mapping.
struct Input {
  std::string path;
  std::string name;               // for messages
  std::optional<uint64_t> size;   // regular files: for the progress bar
  std::unique_ptr<PacketSource> source;
  capture::SourceSlots slots;  // parallel to source->interfaces() as far as known
};

class FilterRun {
 public:
  explicit FilterRun(const SavefileFilterOptions& options)
      : options_(options), engine_(make_filter_factory(), options.forced_dlt), summary_(stdout, options.print) {}
  ~FilterRun() {
    sink_.reset();
    if (output_fd_ > STDERR_FILENO) close(output_fd_);
  }
  FilterRun(const FilterRun&) = delete;
  FilterRun& operator=(const FilterRun&) = delete;

  int run();

 private:
  enum class Outcome { Continue, Stop, Fail };

  // Fails early, before any output, for inputs that do not exist.
  bool check_inputs();
  bool open_input(Input& input);
  // pcap output: refuses inputs of another link type before anything is
  // written (see savefile_filter.h for how far that can be known).
  bool check_linktypes_up_front();
  bool open_output();
  bool output_is_an_input(const struct stat& output) const;
  // Gives slots to interfaces `input` has described since the last call,
  // compiling where a link type is new. False after reporting an error.
  bool add_new_interfaces(Input& input);
  // Compiles the expression for a link type and makes the chosen engine's
  // filter of it; empty without an expression (every packet is kept).
  capture::FilterFactory make_filter_factory() const;
  void report_filter_failure(const capture::FilterEngineError& failure, const Input& input);
  bool check_output_linktype(uint32_t linktype, const Input& input, size_t interface);
  // `first`: the first input's source, whose interface and precision the
  // output takes by default (null when it described none).
  bool create_sink(const PacketSource* first);
  Outcome filter_input(Input& input);
  Outcome handle_batch(Input& input, const Batch& batch);
  bool keep(Input& input, const Packet& packet, const capture::InterfaceSlot& slot);
  bool finish_output();
  // Reports a failed write, or notes that the output's reader went away
  // (output_closed_), which ends the job without an error.
  void report_write_failure();
  Outcome write_failure_outcome() const {
    return output_closed_ || (rotating_ && rotating_->limit_reached()) ? Outcome::Stop : Outcome::Fail;
  }
  void report_warnings(const Input& input);
  void report_counts();
  uint64_t position_of_all_inputs(const Input& current) const;

  bool writes_savefile() const { return options_.output.has_value(); }
  bool rotates_by_time() const { return options_.rotation && options_.rotation->rotate_seconds.value_or(0) > 0; }
  SavefileFormat output_format() const { return options_.format.value_or(first_format_); }

  const SavefileFilterOptions& options_;
  // Before sink_, so destroyed after it: the sink may hold views into a
  // mapped input until it is flushed (WriterOptions::borrow_persistent).
  std::vector<Input> inputs_;
  SavefileFormat first_format_ = SavefileFormat::Pcap;
  capture::FilterEngine engine_;
  std::vector<uint32_t> verdicts_;  // of the current batch
  std::optional<uint32_t> output_linktype_;  // pcap output: the one link type it can hold
  int output_fd_ = -1;
  std::unique_ptr<PacketSink> sink_;
  const Input* current_ = nullptr;  // the input being filtered (its packets may be borrowed)
  capture::RotatingSink* rotating_ = nullptr;  // sink_, when the output rotates
  SummaryWriter summary_;
  std::unique_ptr<ProgressBar> progress_;
  uint64_t total_bytes_ = 0;
  bool output_failed_ = false;  // reported once; not retried at the end
  bool output_closed_ = false;  // the output's reader went away: the job ends
  uint64_t read_ = 0;
  uint64_t matched_ = 0;
};

bool FilterRun::check_inputs() {
  for (const std::string& path : options_.inputs) {
    Input input{path, display_name(path), std::nullopt, nullptr, {}};
    if (path != "-") {
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        report_failure(input.name + ": " + std::strerror(errno));
        return false;
      }
      if (S_ISREG(st.st_mode)) {
        input.size = static_cast<uint64_t>(st.st_size);
        total_bytes_ += *input.size;
      }
    }
    inputs_.push_back(std::move(input));
  }
  return true;
}

bool FilterRun::open_input(Input& input) {
  SavefileError error;
  capture::ReaderOptions reader{.map_files = options_.map_files};
  if (options_.map_files) guard_mapped_input(input.name);
  // -G goes by the clock at each packet, as tcpdump's does: a packet from a
  // pipe is handed on when it arrives, not when a batch of them has.
  if (rotates_by_time()) reader.batch_packets = 1;
  input.source = capture::open_savefile(input.path, error, reader);
  if (!input.source) {
    report_failure(error.describe(input.name));
    return false;
  }
  if (&input == &inputs_.front()) first_format_ = input.source->format();
  // A pcap file describes its interface in the file header: the filter
  // compiles (or is refused) before a packet is read.
  return add_new_interfaces(input);
}

bool FilterRun::check_linktypes_up_front() {
  if (!writes_savefile() || output_format() != SavefileFormat::Pcap || options_.forced_dlt) return true;
  if (inputs_.size() == 1 && first_format_ == SavefileFormat::Pcap) return true;
  for (Input& input : inputs_) {
    // Only regular files can be read twice: standard input and pipes are
    // checked when their turn comes (the first input's pcap header already
    // has been).
    if (!input.size) continue;
    SavefileError ignored;  // an input that cannot be read fails in its turn
    // Mapped: only the pages holding the headers are ever read.
    guard_mapped_input(input.name);
    std::unique_ptr<PacketSource> probe =
        capture::open_savefile(input.path, ignored, {.batch_packets = 1, .map_files = true});
    if (!probe) continue;
    // pcapng describes its interfaces in blocks: read up to the first packet.
    if (probe->format() == SavefileFormat::Pcapng) {
      Batch batch;
      while (probe->next(batch) && batch.packets.empty()) {
      }
    }
    const std::vector<InterfaceInfo>& interfaces = probe->interfaces();
    for (size_t i = 0; i < interfaces.size(); ++i) {
      if (!check_output_linktype(interfaces[i].linktype, input, i)) return false;
    }
  }
  return true;
}

bool FilterRun::output_is_an_input(const struct stat& output) const {
  for (const Input& input : inputs_) {
    struct stat st {};
    if (input.path != "-" && stat(input.path.c_str(), &st) == 0 && st.st_dev == output.st_dev &&
        st.st_ino == output.st_ino) {
      return true;
    }
  }
  return false;
}

bool FilterRun::open_output() {
  if (!writes_savefile()) return true;
  const std::string& path = *options_.output;
  if (path == "-") {
    output_fd_ = STDOUT_FILENO;
    return true;
  }
  // A rotating output creates its files itself (create_sink); its first
  // name is checked here, the later ones are numbered after it.
  const std::string first = options_.rotation ? capture::rotation_file_name(*options_.rotation, std::time(nullptr), 0)
                                              : path;
  struct stat st {};
  if (stat(first.c_str(), &st) == 0 && output_is_an_input(st)) {
    report_failure(first + ": refusing to overwrite an input file");
    return false;
  }
  if (options_.rotation) return true;
  do {
    output_fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  } while (output_fd_ < 0 && errno == EINTR);
  if (output_fd_ < 0) {
    report_failure("can't create " + path + ": " + std::strerror(errno));
    return false;
  }
  return true;
}

capture::FilterFactory FilterRun::make_filter_factory() const {
  if (options_.expression.empty()) return nullptr;
  const exec::Engine* engine = exec::engines().find(options_.engine);
  return [this, engine](const capture::FilterRequest& request) -> Result<std::unique_ptr<exec::Filter>> {
    CompileOptions compile = options_.compile;
    compile.linktype = request.dlt;
    compile.snaplen = request.snaplen;
    // As tcpdump -r: compiled for the savefile, whose byte order decides how
    // DLT_NULL's address family is tested.
    compile.context = request.swapped ? CompileContext::OfflineSwapped : CompileContext::Offline;
    auto made = compile_for_engine(options_.expression, *engine, compile, options_.engine_settings);
    if (!made) return made.errors();
    report_compile_notes(made->notes, SourceText{options_.expression, options_.expression_file});
    return std::move(made->output);
  };
}

void FilterRun::report_filter_failure(const capture::FilterEngineError& failure, const Input& input) {
  if (failure.several_link_types) {
    // With several link types, say which one the expression failed on.
    auto name = linktype_name(failure.dlt);
    report_failure(input.name + ": interface " + std::to_string(failure.interface) + " has link type " +
                   (name ? std::string(*name) : std::to_string(failure.dlt)) +
                   "; the filter does not compile for it:");
  }
  report_diagnostics(failure.diagnostics, SourceText{options_.expression, options_.expression_file});
}

bool FilterRun::check_output_linktype(uint32_t linktype, const Input& input, size_t interface) {
  if (!writes_savefile() || output_format() != SavefileFormat::Pcap || options_.forced_dlt) return true;
  if (!output_linktype_) {
    output_linktype_ = linktype;
    return true;
  }
  if (*output_linktype_ == linktype) return true;
  auto name = [](uint32_t lt) {
    auto text = linktype_name(capture::dlt_from_linktype(lt));
    return text ? std::string(*text) : "LINKTYPE " + std::to_string(lt);
  };
  report_failure(input.name + ": interface " + std::to_string(interface) + " has link type " + name(linktype) +
                 ", but the pcap output already holds " + name(*output_linktype_) +
                 "; a pcap file holds a single link type: use --format pcapng");
  return false;
}

bool FilterRun::add_new_interfaces(Input& input) {
  const std::vector<InterfaceInfo>& interfaces = input.source->interfaces();
  for (size_t i = input.slots.slots.size(); i < interfaces.size(); ++i) {
    if (!check_output_linktype(interfaces[i].linktype, input, i)) return false;
  }
  if (auto failure = engine_.add_interfaces(*input.source, input.slots)) {
    report_filter_failure(*failure, input);
    return false;
  }
  return true;
}

bool FilterRun::create_sink(const PacketSource* first) {
  const InterfaceInfo* interface =
      first != nullptr && !first->interfaces().empty() ? &first->interfaces().front() : nullptr;
  capture::WriterOptions writer;
  writer.format = output_format();
  // Default precision: the first input's (a pcap file's magic, a pcapng
  // interface's if_tsresol).
  writer.nanosecond = options_.nanosecond ||
                      (interface != nullptr && (first->format() == SavefileFormat::Pcap
                                                    ? interface->nanosecond_file
                                                    : interface->ticks_per_second > 1000000));
  if (options_.forced_dlt) {
    writer.linktype = capture::linktype_from_dlt(*options_.forced_dlt);
  } else if (output_linktype_) {
    writer.linktype = *output_linktype_;
  } else if (interface != nullptr) {
    writer.linktype = interface->linktype;
  }
  // One pcap input keeps its snaplen; packets of several inputs may exceed
  // any one of theirs, and a reader would cut them to the header's value.
  if (interface != nullptr && inputs_.size() == 1 && first->format() == SavefileFormat::Pcap) {
    writer.snaplen = effective_snaplen(interface->snaplen);
    writer.fcs_bytes = interface->fcs_bytes;
  }
  // Kept packets of a mapped pcap file are written from the mapping: an
  // input is released only after the sink has been flushed (run()), and the
  // sink goes before the inputs when the run ends (member order).
  writer.borrow_persistent = true;
  SavefileError error;
  if (options_.rotation) {
    std::unique_ptr<capture::RotatingSink> rotating = capture::RotatingSink::create(*options_.rotation, writer, error);
    if (!rotating) {
      output_failed_ = true;
      report_failure(error.message);
      return false;
    }
    rotating_ = rotating.get();
    sink_ = std::move(rotating);
    return true;
  }
  sink_ = capture::create_savefile_fd(output_fd_, writer, error);
  if (!sink_) {
    if (reader_went_away(output_fd_)) {
      output_closed_ = true;
    } else {
      output_failed_ = true;
      report_failure(error.describe(output_display_name(*options_.output)));
    }
    return false;
  }
  return true;
}

bool FilterRun::keep(Input& input, const Packet& packet, const capture::InterfaceSlot& slot) {
  if (!writes_savefile() && options_.count_only) return true;
  if (!writes_savefile()) {
    if (summary_.write(packet, slot.dlt)) return true;
    report_write_failure();
    return false;
  }
  const InterfaceInfo& interface = input.source->interfaces()[packet.interface];
  bool written;
  if (options_.forced_dlt && output_format() == SavefileFormat::Pcap) {
    // -y relabels: the pcap output says the forced link type.
    Packet relabeled = packet;
    relabeled.linktype = capture::linktype_from_dlt(*options_.forced_dlt);
    written = sink_->write_packet(relabeled, interface);
  } else {
    written = sink_->write_packet(packet, interface);
  }
  if (written) return true;
  if (rotating_ && rotating_->limit_reached()) {
    // tcpdump's words and outcome: the -W files are done, the job ends well.
    std::fprintf(stderr, "Maximum file limit reached: %u\n", *options_.rotation->max_files);
    --matched_;
    return false;
  }
  report_write_failure();
  return false;
}

void FilterRun::report_write_failure() {
  if (!writes_savefile()) {
    const int error_number = errno;
    if (report_standard_output_failure(error_number)) {
      output_closed_ = true;
    } else {
      output_failed_ = true;
    }
    return;
  }
  if (reader_went_away(output_fd_)) {
    output_closed_ = true;
    return;
  }
  output_failed_ = true;
  std::optional<SavefileError> error;
  if (sink_) error = sink_->error();
  if (error && error->borrowed_input_lost) {
    // Not the output's fault: the mapped input under the kept packets was
    // cut short, as the SIGBUS handler reports it when bpfc reads there.
    report_failure(cut_short_message(current_ != nullptr ? current_->name : std::string("an input")));
    return;
  }
  if (rotating_) {
    // The rotating sink's messages name the file they are about.
    report_failure(error ? error->message : rotating_->current_path() + ": write failed");
    return;
  }
  const std::string name = output_display_name(*options_.output);
  report_failure(error ? error->describe(name) : name + ": write failed");
}

FilterRun::Outcome FilterRun::handle_batch(Input& input, const Batch& batch) {
  if (input.slots.slots.size() < input.source->interfaces().size() && !add_new_interfaces(input)) {
    return Outcome::Fail;
  }
  if (sink_ && output_format() == SavefileFormat::Pcapng) {
    for (const capture::Block& block : batch.blocks) {
      if (!sink_->write_block(block)) {
        report_write_failure();
        return write_failure_outcome();
      }
    }
  }
  const std::optional<size_t> undescribed = engine_.run(input.slots, batch, verdicts_);
  // Readers only deliver packets of interfaces they have described: the
  // packets before the first that is not are handled, then it fails the job.
  const size_t described = undescribed.value_or(batch.packets.size());
  const uint32_t* verdicts = verdicts_.data();
  for (size_t i = 0; i < described; ++i) {
    if (verdicts[i] == 0) continue;
    const Packet& packet = batch.packets[i];
    ++matched_;
    const bool kept = keep(input, packet, input.slots.slots[packet.interface]);
    if (!kept || (options_.max_matches && matched_ >= *options_.max_matches)) {
      read_ += i + 1;
      return kept ? Outcome::Stop : write_failure_outcome();
    }
  }
  read_ += described;
  if (undescribed) [[unlikely]] {
    ++read_;
    report_failure(input.name + ": a packet refers to interface " +
                   std::to_string(batch.packets[*undescribed].interface) + ", which the file does not describe");
    return Outcome::Fail;
  }
  return Outcome::Continue;
}

uint64_t FilterRun::position_of_all_inputs(const Input& current) const {
  uint64_t done = 0;
  for (const Input& input : inputs_) {
    if (&input == &current) return done + input.source->position();
    done += input.size.value_or(0);
  }
  return done;
}

FilterRun::Outcome FilterRun::filter_input(Input& input) {
  current_ = &input;
  Batch batch;
  while (true) {
    bool more = input.source->next(batch);
    if (writes_savefile() && !sink_ && !create_sink(input.source.get())) return write_failure_outcome();
    Outcome outcome = handle_batch(input, batch);
    if (outcome != Outcome::Continue) return outcome;
    if (progress_) progress_->update(position_of_all_inputs(input));
    if (!more) return Outcome::Continue;
  }
}

void FilterRun::report_warnings(const Input& input) {
  for (const SavefileError& warning : input.source->warnings()) {
    report_failure("warning: " + warning.describe(input.name));
  }
}

void FilterRun::report_counts() {
  // tcpdump --count's line, on standard output.
  if (options_.count_only && !output_closed_) std::printf("%s\n", plural(matched_, "packet").c_str());
  std::string line = plural(read_, "packet") + " read, " + std::to_string(matched_) + " matched";
  if (output_closed_) line += " before the reader of " + output_display_name(options_.output.value_or("-")) + " went away";
  line += "\n";
  std::fputs(line.c_str(), stderr);
}

bool FilterRun::finish_output() {
  if (output_failed_) return false;
  if (output_closed_) return true;
  if (!writes_savefile()) {
    if (summary_.flush()) return true;
    report_write_failure();
    return output_closed_;
  }
  // An input without a single block still gives a valid (empty) savefile.
  if (!sink_ && !create_sink(nullptr)) return output_closed_;
  if (sink_->flush()) return true;
  report_write_failure();
  return output_closed_;
}

int FilterRun::run() {
  if (!check_inputs() || !open_input(inputs_.front()) || !check_linktypes_up_front() || !open_output()) {
    return kExitFailure;
  }
  // -G: the first file is opened at the start, as tcpdump opens it, when the
  // first input has described its interface (a pcap header): its name and
  // period begin now, not when the first packet arrives.
  if (rotates_by_time() && !inputs_.front().source->interfaces().empty() &&
      !create_sink(inputs_.front().source.get())) {
    return kExitFailure;
  }
  progress_ = std::make_unique<ProgressBar>(total_bytes_);
  int status = kExitOk;
  for (Input& input : inputs_) {
    if (!input.source && !open_input(input)) {
      status = kExitFailure;
      break;
    }
    Outcome outcome = filter_input(input);
    progress_->clear();
    report_warnings(input);
    if (outcome == Outcome::Fail) {
      status = kExitFailure;
      break;
    }
    if (outcome == Outcome::Stop) break;
    if (const auto& error = input.source->error()) {
      report_failure(error->describe(input.name));
      status = error->damaged ? kExitDamagedInput : kExitFailure;
      break;
    }
    // The output keeps no view into a finished input once flushed (a write
    // error shows again when the output is finished): release it.
    if (sink_) sink_->flush();
    input.source.reset();
  }
  progress_->clear();
  // What was kept before a failure is written out whole, whatever the status.
  if (!finish_output() && status == kExitOk) status = kExitFailure;
  report_counts();
  return status;
}

}  // namespace

int run_savefile_filter(const SavefileFilterOptions& options) {
  FilterRun run(options);
  return run.run();
}

}  // namespace bpfc::cli

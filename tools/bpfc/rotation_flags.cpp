#include "rotation_flags.h"

#include "cli_status.h"
#include "option_values.h"

namespace bpfc::cli {

void add_rotation_options(CLI::App& command, RotationFlags& flags) {
  add_number_option(command, "-C", flags.file_size_mb, {.noun = "file size", .min = 1, .max = UINT64_MAX / 1000000},
                    "Rotate the -w file: before a packet, when the file holds more than SIZE million bytes, "
                    "go on in FILE1, FILE2, ... (tcpdump -C)",
                    "SIZE");
  add_number_option(command, "-G", flags.rotate_seconds, {.noun = "rotation time"},
                    "Rotate the -w file every SECONDS seconds of the clock (not of the packets' timestamps); "
                    "FILE is a strftime(3) pattern (tcpdump -G)",
                    "SECONDS");
  add_number_option(command, "-W", flags.file_count, {.noun = "number of output files", .min = 1},
                    "With -C: a ring of COUNT files, numbered FILE0.. with zero-padded digits; with -G alone: "
                    "stop after COUNT files (tcpdump -W)",
                    "COUNT");
}

std::optional<capture::RotationOptions> to_rotation(const RotationFlags& flags, const std::string& output) {
  const bool any = flags.file_size_mb || flags.rotate_seconds || flags.file_count;
  if (!any) return std::nullopt;
  if (output.empty()) throw UsageError("-C, -G and -W rotate the -w output: give -w FILE");
  if (output == "-") throw UsageError("-C, -G and -W rotate files: -w - (standard output) cannot rotate");
  if (!flags.file_size_mb && flags.rotate_seconds.value_or(0) == 0) return std::nullopt;
  capture::RotationOptions rotation;
  rotation.path = output;
  if (flags.file_size_mb) rotation.max_file_bytes = *flags.file_size_mb * 1000000;
  rotation.rotate_seconds = flags.rotate_seconds;
  rotation.max_files = flags.file_count;
  return rotation;
}

}  // namespace bpfc::cli

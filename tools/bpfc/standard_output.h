// Standard output's end of the job. Every command writes its results there;
// a write error (a full disk, /dev/full) must fail the command with a message
// naming standard output, and a reader that went away (`bpfc ... | head`)
// ends the job quietly, as it does tcpdump, instead of killing bpfc with
// SIGPIPE. main() ignores SIGPIPE so that writes fail with EPIPE instead.
#pragma once

namespace bpfc::cli {

// Whether `fd` is a pipe, FIFO or socket whose reading end is closed, so that
// a failed write to it means "nobody reads any more" rather than an error.
bool reader_went_away(int fd);

// Reports a failed write to standard output ("bpfc: error writing to
// standard output: ..."), unless its reader went away, and discards what is
// still buffered in `stdout` so that nothing reports it a second time.
// Returns true when the reader went away (the job ends, successfully).
bool report_standard_output_failure(int error_number);

// Flushes and closes standard output at exit: returns `status`, or
// kExitFailure after reporting a write error that nothing reported yet.
int finish_standard_output(int status);

}  // namespace bpfc::cli

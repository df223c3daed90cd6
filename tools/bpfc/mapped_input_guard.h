// A savefile that bpfc reads mapped (bpfc filter's default for regular
// files) and that another process cuts short meanwhile raises SIGBUS at the
// first read of a page past its new end. This turns that signal into an
// error that names the file, instead of a crash: the handler prints
//     bpfc: FILE: the file was cut short while it was being read (it is mapped; --no-mmap reads it instead)
// and exits with status 1. Output already written stays whole records
// (capture's writers write whole records), but the last buffer is lost.
#pragma once

#include <string>
#include <string_view>

namespace bpfc::cli {

// "NAME: the file was cut short while it was being read (it is mapped;
// --no-mmap reads it instead)", without "bpfc: " or a newline. Also what
// bpfc filter reports when the kept packets it writes from a mapping
// (WriterOptions::borrow_persistent) are gone.
std::string cut_short_message(std::string_view name);

// Installs the handler (once per process) and names the input being read
// from now on, for the message.
void guard_mapped_input(std::string_view name);

}  // namespace bpfc::cli

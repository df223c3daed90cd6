// Reading whole inputs: a file, or standard input when the name is "-".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::cli {

// The contents of `path` ("-" is standard input), or nullopt with `error`
// set to a message naming the file.
std::optional<std::string> read_text_input(const std::string& path, std::string& error);

// A program in any of tcpdump's -d/-dd/-ddd layouts read from `path` ("-" is
// standard input), or nullopt after reporting on stderr why it could not be
// read or assembled.
std::optional<cbpf::Program> read_program_input(const std::string& path);

// tcpdump -F semantics: a '#' starts a comment that runs to the end of the
// line. Comment characters become spaces so that offsets (and therefore the
// caret under a compile error) still match the file.
std::string blank_out_comments(std::string text);

// The expression given as command-line words, joined with single spaces as
// tcpdump joins them.
std::string join_words(const std::vector<std::string>& words);

}  // namespace bpfc::cli

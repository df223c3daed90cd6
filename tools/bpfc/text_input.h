// Reading whole inputs: a file, or standard input when the name is "-".
//
// Every file argument of every command is read here (or by the savefile
// readers), so that whatever the path names (a directory, a missing or
// unreadable file, a device that fails) the command reports "NAME: reason"
// and exits 1, never with an exception.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::cli {

// How messages name an input path: "standard input" for "-".
std::string input_display_name(const std::string& path);

// How located diagnostics (FILE:LINE:COLUMN) name an input: the path, or
// "<stdin>" for "-", as compilers do.
std::string source_file_name(const std::string& path);

// The contents of `path` ("-" is standard input), or nullopt with `error`
// set to a message naming the file ("x.txt: Is a directory").
std::optional<std::string> read_text_input(const std::string& path, std::string& error);

// A program read from a file, with its text, for diagnostics about it.
struct ProgramInput {
  cbpf::Program program;
  std::vector<SourceSpan> origins;  // where each instruction is written (may be empty)
  std::string text;
  std::string name;  // as source_file_name gives it
};

// A program in any of tcpdump's -d/-dd/-ddd layouts or bpfc's JSON read from
// `path` ("-" is standard input), or nullopt after reporting on stderr why it
// could not be read or assembled (FILE:LINE:COLUMN and the line at fault).
std::optional<ProgramInput> read_program_file(const std::string& path);
// The same, keeping only the program.
std::optional<cbpf::Program> read_program_input(const std::string& path);

// The lines of a file that lists other files, one per line, as tcpdump -V
// reads it: a line is a path as written (spaces kept), except that a
// trailing carriage return is dropped and empty lines are skipped. nullopt
// with `error` set when the file cannot be read or lists no file.
std::optional<std::vector<std::string>> read_file_list(const std::string& path, std::string& error);

// tcpdump -F semantics: a '#' starts a comment that runs to the end of the
// line. Comment characters become spaces so that offsets (and therefore the
// caret under a compile error) still match the file.
std::string blank_out_comments(std::string text);

// The expression given as command-line words, joined with single spaces as
// tcpdump joins them.
std::string join_words(const std::vector<std::string>& words);

// The filter expression of a command that takes one as words or as a -F
// file (filter, capture): the words joined, or the file's contents with its
// comments blanked out. An expression of blanks (or only comments) becomes
// empty: it keeps everything, as in tcpdump, and needs no link type the
// compiler knows.
struct FilterExpression {
  std::string text;
  std::optional<std::string> file;  // -F, as source_file_name gives it
};
// nullopt with `error` set when the -F file cannot be read.
std::optional<FilterExpression> read_filter_expression(const std::vector<std::string>& words,
                                                       const std::string& filter_file, std::string& error);

}  // namespace bpfc::cli

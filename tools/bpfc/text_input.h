// Reading whole inputs: a file, or standard input when the name is "-".
#pragma once

#include <optional>
#include <string>

namespace bpfc::cli {

// The contents of `path` ("-" is standard input), or nullopt with `error`
// set to a message naming the file.
std::optional<std::string> read_text_input(const std::string& path, std::string& error);

// tcpdump -F semantics: a '#' starts a comment that runs to the end of the
// line. Comment characters become spaces so that offsets (and therefore the
// caret under a compile error) still match the file.
std::string blank_out_comments(std::string text);

}  // namespace bpfc::cli

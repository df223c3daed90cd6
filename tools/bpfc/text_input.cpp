#include "text_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "bpfc/cbpf/format.h"
#include "cli_status.h"

namespace bpfc::cli {

std::optional<std::string> read_text_input(const std::string& path, std::string& error) {
  if (path == "-") {
    std::ostringstream contents;
    contents << std::cin.rdbuf();
    return contents.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "can't open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string contents((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) {
    error = "can't read " + path;
    return std::nullopt;
  }
  return contents;
}

std::string input_display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

std::optional<ProgramInput> read_program_file(const std::string& path) {
  std::string error;
  auto text = read_text_input(path, error);
  if (!text) {
    report_failure(error);
    return std::nullopt;
  }
  ProgramInput input;
  input.text = std::move(*text);
  input.name = input_display_name(path);
  auto parsed = cbpf::parse_program_with_origins(input.text);
  if (!parsed) {
    report_diagnostics(parsed.errors(), SourceText{input.text, input.name});
    return std::nullopt;
  }
  input.program = std::move(parsed->program);
  input.origins = std::move(parsed->origins);
  return input;
}

std::optional<cbpf::Program> read_program_input(const std::string& path) {
  auto input = read_program_file(path);
  if (!input) return std::nullopt;
  return std::move(input->program);
}

std::string blank_out_comments(std::string text) {
  bool in_comment = false;
  for (char& c : text) {
    if (c == '\n') {
      in_comment = false;
    } else if (c == '#' || in_comment) {
      in_comment = true;
      c = ' ';
    }
  }
  return text;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    if (!text.empty()) text.push_back(' ');
    text.append(word);
  }
  return text;
}

}  // namespace bpfc::cli

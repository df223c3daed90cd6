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

std::optional<cbpf::Program> read_program_input(const std::string& path) {
  std::string error;
  auto text = read_text_input(path, error);
  if (!text) {
    report_failure(error);
    return std::nullopt;
  }
  auto program = cbpf::parse_program(*text);
  if (!program) {
    for (const Diagnostic& diagnostic : program.errors()) report_failure(diagnostic.message);
    return std::nullopt;
  }
  return std::move(*program);
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

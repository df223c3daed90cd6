#include "text_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

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

}  // namespace bpfc::cli

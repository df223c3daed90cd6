#include "text_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpfc/cbpf/format.h"
#include "cli_status.h"

namespace bpfc::cli {
namespace {

std::string describe_errno(const std::string& path, int error_number) {
  return input_display_name(path) + ": " + std::strerror(error_number);
}

// Reads `fd` to its end with read(2): a directory, a device that fails or a
// file that vanishes part-way is an error value here, never an exception.
bool read_all(int fd, std::string& contents, int& error_number) {
  char chunk[1 << 16];
  while (true) {
    const ssize_t got = read(fd, chunk, sizeof chunk);
    if (got > 0) {
      contents.append(chunk, static_cast<size_t>(got));
    } else if (got == 0) {
      return true;
    } else if (errno != EINTR) {
      error_number = errno;
      return false;
    }
  }
}

}  // namespace

std::string input_display_name(const std::string& path) { return path == "-" ? "standard input" : path; }

std::optional<std::string> read_text_input(const std::string& path, std::string& error) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    do {
      fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      error = describe_errno(path, errno);
      return std::nullopt;
    }
  }
  std::string contents;
  int error_number = 0;
  struct stat info {};
  if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    error_number = EISDIR;  // read() says so too, but not on every file system
  } else {
    read_all(fd, contents, error_number);
  }
  if (fd != STDIN_FILENO) close(fd);
  if (error_number != 0) {
    error = describe_errno(path, error_number);
    return std::nullopt;
  }
  return contents;
}

std::string source_file_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

std::optional<ProgramInput> read_program_file(const std::string& path) {
  std::string error;
  auto text = read_text_input(path, error);
  if (!text) {
    report_failure(error);
    return std::nullopt;
  }
  ProgramInput input;
  input.text = std::move(*text);
  input.name = source_file_name(path);
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

std::optional<std::vector<std::string>> read_file_list(const std::string& path, std::string& error) {
  auto text = read_text_input(path, error);
  if (!text) return std::nullopt;
  std::vector<std::string> files;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(start, end - start);
    if (line.ends_with('\r')) line.pop_back();
    if (!line.empty()) files.push_back(std::move(line));
    start = end + 1;
  }
  if (files.empty()) {
    error = input_display_name(path) + ": lists no input file (one file name per line)";
    return std::nullopt;
  }
  return files;
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

std::optional<FilterExpression> read_filter_expression(const std::vector<std::string>& words,
                                                       const std::string& filter_file, std::string& error) {
  FilterExpression expression;
  if (filter_file.empty()) {
    expression.text = join_words(words);
  } else {
    auto contents = read_text_input(filter_file, error);
    if (!contents) return std::nullopt;
    expression.text = blank_out_comments(std::move(*contents));
    expression.file = source_file_name(filter_file);
  }
  if (expression.text.find_first_not_of(" \t\r\n") == std::string::npos) expression.text.clear();
  return expression;
}

}  // namespace bpfc::cli

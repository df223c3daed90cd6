#include "tcpdump_comparison.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "../support/process.h"

namespace bpfc::dissecttest {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string without_trailing_spaces(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string context(const std::vector<std::string>& lines, size_t at) {
  std::string text;
  size_t from = at >= 3 ? at - 3 : 0;
  for (size_t i = from; i < lines.size() && i <= at + 1; ++i) {
    text += (i == at ? "  > " : "    ") + lines[i].substr(0, 400) + "\n";
  }
  return text;
}

}  // namespace

std::string join_flags(const std::vector<std::string>& flags) {
  std::string text;
  for (const std::string& flag : flags) text += (text.empty() ? "" : " ") + flag;
  return text.empty() ? "(no flags)" : text;
}

ComparisonResult compare_with_tcpdump(const std::string& path, const std::vector<std::string>& flags,
                                      const Differences& differences) {
  ComparisonResult result;
  std::vector<std::string> theirs_args = {"tcpdump", "-n", "-q"};
  theirs_args.insert(theirs_args.end(), flags.begin(), flags.end());
  theirs_args.insert(theirs_args.end(), {"-r", path});
  std::vector<std::string> ours_args = {BPFC_BINARY, "filter"};
  ours_args.insert(ours_args.end(), flags.begin(), flags.end());
  ours_args.insert(ours_args.end(), {"-r", path});
  testsupport::ProcessResult theirs = testsupport::run_process(theirs_args);
  testsupport::ProcessResult ours = testsupport::run_process(ours_args);
  std::string what = path + " with " + join_flags(flags);
  if (theirs.exit_code != 0 || ours.exit_code != 0) {
    result.report = what + ": tcpdump exited " + std::to_string(theirs.exit_code) + " (" + theirs.err +
                    "), bpfc exited " + std::to_string(ours.exit_code) + " (" + ours.err + ")";
    return result;
  }
  result.ran = true;
  std::vector<std::string> their_lines = split_lines(theirs.out);
  std::vector<std::string> our_lines = split_lines(ours.out);
  const std::regex sll2_lo(R"(^((?:\S* ?\S+ )?)lo    )");
  for (std::string& line : their_lines) {
    line = without_trailing_spaces(std::move(line));
    if (differences.sll2_interface_1) line = std::regex_replace(line, sll2_lo, "$1if1   ");
  }
  for (size_t i = 0; i < our_lines.size(); ++i) {
    if (differences.payload_as_text) {
      our_lines[i] = without_trailing_spaces(std::move(our_lines[i]));
    } else if (!our_lines[i].empty() && our_lines[i].back() == ' ') {
      result.report = what + ": bpfc's line " + std::to_string(i + 1) + " ends with a space:\n" +
                      context(our_lines, i);
      return result;
    }
  }
  size_t common = std::min(their_lines.size(), our_lines.size());
  for (size_t i = 0; i < common; ++i) {
    if (their_lines[i] == our_lines[i]) continue;
    result.report = what + ": line " + std::to_string(i + 1) + " differs\n tcpdump:\n" + context(their_lines, i) +
                    " bpfc:\n" + context(our_lines, i);
    return result;
  }
  if (their_lines.size() != our_lines.size()) {
    result.report = what + ": tcpdump printed " + std::to_string(their_lines.size()) + " lines, bpfc " +
                    std::to_string(our_lines.size()) + "\n tcpdump:\n" + context(their_lines, common) +
                    " bpfc:\n" + context(our_lines, common);
    return result;
  }
  result.identical = true;
  result.lines = common;
  return result;
}

}  // namespace bpfc::dissecttest

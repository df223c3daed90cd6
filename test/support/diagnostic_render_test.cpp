// render_diagnostic(): the command-line and file forms, windows around the
// caret on long lines, and source text that would not show as itself.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bpfc/support/diagnostic.h"

namespace bpfc {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

DiagnosticStyle in_file(std::string_view name, uint32_t width = 80) {
  DiagnosticStyle style;
  style.file_name = name;
  style.max_source_width = width;
  return style;
}

std::string strip_colors(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      i = text.find('m', i);
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

TEST(RenderDiagnostic, CommandLineFormShowsTheExpressionAndCarets) {
  EXPECT_EQ(render_diagnostic(error_at({7, 9}, "syntax error"), "tcp or or udp"),
            "bpfc: syntax error\n"
            "    tcp or or udp\n"
            "           ^^\n");
  EXPECT_EQ(render_diagnostic(error("no span"), "tcp"), "bpfc: no span\n");
  EXPECT_EQ(render_diagnostic(warning("too long"), "tcp", "embed"), "embed: warning: too long\n");
  // An expression on several lines (quoted on the command line) stays on one.
  EXPECT_EQ(render_diagnostic(error_at({4, 6}, "bad"), "tcp\nor\tudp"),
            "bpfc: bad\n"
            "    tcp or  udp\n"
            "        ^^\n");
}

TEST(RenderDiagnostic, FileFormNamesLineAndColumnAndShowsOnlyThatLine) {
  const std::string source = "# web\ntcp and\n  port 70000 # bad\nor udp\n";
  const uint32_t begin = static_cast<uint32_t>(source.find("70000"));
  EXPECT_EQ(render_diagnostic(error_at({begin, begin + 5}, "port 70000 out of range"), source,
                              in_file("filter.txt")),
            "filter.txt:3:8: error: port 70000 out of range\n"
            "      port 70000 # bad\n"
            "           ^^^^^\n");
  EXPECT_EQ(render_diagnostic(error("no span"), source, in_file("filter.txt")), "filter.txt: error: no span\n");
  Diagnostic note = error_at({0, 1}, "first");
  note.severity = Severity::Note;
  EXPECT_EQ(render_diagnostic(note, source, in_file("f")), "f:1:1: note: first\n    # web\n    ^\n");
  EXPECT_EQ(render_diagnostic(Diagnostic{"w", SourceSpan{6, 9}, Severity::Warning}, source, in_file("f")),
            "f:2:1: warning: w\n    tcp and\n    ^^^\n");
  // CRLF line ends are not part of the line.
  EXPECT_EQ(render_diagnostic(error_at({5, 8}, "x"), "tcp\r\nudp\r\n", in_file("f")),
            "f:2:1: error: x\n    udp\n    ^^^\n");
}

TEST(RenderDiagnostic, AnEmptySpanAtTheEndPointsAfterTheLastWord) {
  const std::string source = "tcp and \n\n";
  const auto end = static_cast<uint32_t>(source.size());
  EXPECT_EQ(render_diagnostic(error_at({end, end}, "syntax error"), source, in_file("f")),
            "f:1:8: error: syntax error\n    tcp and \n           ^\n");
  EXPECT_EQ(render_diagnostic(error_at({3, 3}, "syntax error"), "not"), "bpfc: syntax error\n    not\n       ^\n");
}

TEST(RenderDiagnostic, SpansOverSeveralLinesShowTheirFirstAndLastLine) {
  const std::string source = "tcp and (\n  port 1\n  or port 2\n  or port 3)\nand udp";
  const auto begin = static_cast<uint32_t>(source.find('('));
  const auto end = static_cast<uint32_t>(source.find(')') + 1);
  EXPECT_EQ(render_diagnostic(error_at({begin, end}, "m"), source, in_file("f")),
            "f:1:9: error: m\n"
            "    tcp and (\n"
            "            ^\n"
            "    ...\n"
            "      or port 3)\n"
            "      ^^^^^^^^^^\n");
  const auto second = static_cast<uint32_t>(source.find("port 1"));
  const auto third_end = static_cast<uint32_t>(source.find("port 2") + 4);
  EXPECT_EQ(render_diagnostic(error_at({second, third_end}, "m"), source, in_file("f")),
            "f:2:3: error: m\n"
            "      port 1\n"
            "      ^^^^^^\n"
            "      or port 2\n"
            "      ^^^^^^^\n");
}

TEST(RenderDiagnostic, TabsAndUnprintableBytesKeepTheCaretInPlace) {
  // A tab expands to the next multiple of 8; NUL and ESC show as <U+0000>
  // and <U+001B>, a stray byte as <FF>; nothing after them is lost.
  const std::string source = std::string("\tip\0and", 7) + "\x1b[31m\xff port 99999";
  const auto begin = static_cast<uint32_t>(source.find("99999"));
  const std::string out = render_diagnostic(error_at({begin, begin + 5}, "bad port"), source, in_file("f"));
  EXPECT_EQ(out,
            "f:1:20: error: bad port\n"
            "            ip<U+0000>and<U+001B>[31m<FF> port 99999\n"
            "                                               ^^^^^\n");
  // The same on the command line.
  EXPECT_EQ(lines_of(render_diagnostic(error_at({begin, begin + 5}, "bad port"), source))[2],
            "                                               ^^^^^");
  // Wide and combining characters take 2 and 0 columns.
  const std::string wide = "host \xe4\xbd\xa0\xe5\xa5\xbd and e\xcc\x81 x";
  const auto x = static_cast<uint32_t>(wide.rfind('x'));
  EXPECT_EQ(lines_of(render_diagnostic(error_at({x, x + 1}, "m"), wide))[2], std::string(4 + 16, ' ') + "^");
  // Bidirectional overrides would make the line read differently.
  EXPECT_EQ(lines_of(render_diagnostic(error_at({0, 1}, "m"), "a\xe2\x80\xae" "bc"))[1], "    a<U+202E>bc");
}

TEST(RenderDiagnostic, MessagesAreEscapedAndNeverCutOff) {
  const std::string message = std::string("unknown host 'a\0b\x1b[2J'", 22);
  EXPECT_EQ(render_diagnostic(error(message), ""), "bpfc: unknown host 'a<U+0000>b<U+001B>[2J'\n");
  // Several lines stay several lines; an overlong one loses its middle.
  const std::string huge = "unknown host '" + std::string(100000, 'a') + "'";
  const std::string out = render_diagnostic(error("first\n" + huge), "");
  ASSERT_EQ(lines_of(out).size(), 2u) << out.substr(0, 200);
  EXPECT_LT(out.size(), 500u);
  EXPECT_NE(out.find("unknown host 'aaa"), std::string::npos);
  EXPECT_NE(out.find(" ... "), std::string::npos);
  EXPECT_NE(out.find("aaa'\n"), std::string::npos);
}

TEST(RenderDiagnostic, LongLinesAreWindowedAroundTheCaret) {
  std::string source;
  for (int i = 0; i < 5000; ++i) source += (i ? " or host 10.0.0." : "host 10.0.0.") + std::to_string(i % 250);
  const std::string bad = "port 70000";
  const size_t middle = source.size() / 2;
  source.insert(middle, " or " + bad + " or ");
  const auto begin = static_cast<uint32_t>(middle + 4);
  for (bool file : {false, true}) {
    const std::string out = render_diagnostic(error_at({begin, begin + 10}, "bad port"), source,
                                              file ? in_file("f", 60) : DiagnosticStyle{"bpfc", {}, false, 60});
    const auto lines = lines_of(out);
    ASSERT_EQ(lines.size(), 3u) << out;
    EXPECT_LE(lines[1].size(), 4 + 60 + 6u) << lines[1];
    EXPECT_TRUE(lines[1].starts_with("    ...")) << lines[1];
    EXPECT_TRUE(lines[1].ends_with("...")) << lines[1];
    const size_t caret = lines[2].find('^');
    ASSERT_NE(caret, std::string::npos);
    EXPECT_EQ(lines[1].substr(caret, bad.size()), bad) << out;
    EXPECT_EQ(lines[2].substr(caret), std::string(bad.size(), '^'));
  }
  // Near either end only one side is cut.
  const std::string start = lines_of(render_diagnostic(error_at({0, 4}, "m"), source, in_file("f", 60)))[1];
  EXPECT_TRUE(start.starts_with("    host 10.0.0.0 or")) << start;
  const auto end = static_cast<uint32_t>(source.size());
  const auto at_end = lines_of(render_diagnostic(error_at({end, end}, "m"), source, in_file("f", 60)));
  EXPECT_TRUE(at_end[1].starts_with("    ...")) << at_end[1];
  EXPECT_TRUE(at_end[1].ends_with("or host 10.0.0.249")) << at_end[1];
  EXPECT_EQ(at_end[2].find('^'), at_end[1].size()) << at_end[2];
}

TEST(RenderDiagnostic, ColorMarksLocationSeverityAndCarets) {
  DiagnosticStyle style = in_file("f");
  style.color = true;
  const Diagnostic d = error_at({4, 8}, "bad");
  const std::string colored = render_diagnostic(d, "tcp port", style);
  EXPECT_EQ(colored,
            "\x1b[1mf:1:5:\x1b[0m \x1b[1;31merror:\x1b[0m bad\n    tcp port\n        \x1b[1;32m^^^^\x1b[0m\n");
  style.color = false;
  EXPECT_EQ(strip_colors(colored), render_diagnostic(d, "tcp port", style));
  DiagnosticStyle command_line;
  command_line.color = true;
  EXPECT_EQ(render_diagnostic(warning("w"), "", command_line), "\x1b[1mbpfc:\x1b[0m \x1b[1;35mwarning:\x1b[0m w\n");
}

// Whatever precedes the span (tabs, control bytes, invalid and multi-byte
// UTF-8) and however long the line, the first caret stands under the first
// character of the span, and the excerpt stays within the window.
TEST(RenderDiagnostic, CaretsLineUpOnRandomText) {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {"a", "tcp ", "\t", std::string(1, '\0'), "\x01", "\x7f", "\xff",
                                           "\xc3\xa9", "\xe4\xbd\xa0", "\x1b", "\r", "\xe2\x80\x8b", "  "};
  for (int round = 0; round < 3000; ++round) {
    std::string source;
    const int before = static_cast<int>(rng() % 200);
    for (int i = 0; i < before; ++i) source += pieces[rng() % pieces.size()];
    const auto begin = static_cast<uint32_t>(source.size());
    source += "X";
    const int after = static_cast<int>(rng() % 200);
    for (int i = 0; i < after; ++i) source += pieces[rng() % pieces.size()];
    const bool file = rng() % 2;
    const uint32_t width = 20 + rng() % 100;
    DiagnosticStyle style = file ? in_file("f", width) : DiagnosticStyle{"bpfc", {}, false, width};
    const std::string out = render_diagnostic(error_at({begin, begin + 1}, "m"), source, style);
    const auto lines = lines_of(out);
    ASSERT_EQ(lines.size(), 3u) << out;
    // Only the marker is an 'X', and the shown line holds only printable
    // ASCII or multi-byte characters.
    const size_t caret = lines[2].find('^');
    ASSERT_NE(caret, std::string::npos) << out;
    // Columns: count characters, wide ones twice, combining ones never.
    size_t column = 0, x_column = std::string::npos;
    for (size_t i = 0; i < lines[1].size(); ++i) {
      const auto c = static_cast<unsigned char>(lines[1][i]);
      ASSERT_TRUE(c >= 0x20 && c != 0x7f) << "raw control byte in " << lines[1];
      if ((c & 0xc0) == 0x80) continue;
      if (c == 'X') x_column = column;
      column += c >= 0xe0 ? 2 : 1;
    }
    EXPECT_EQ(x_column, caret) << out;
    EXPECT_LE(column, 4 + width + 2 * 3 + 8) << out;
  }
}

}  // namespace
}  // namespace bpfc

// render_diagnostic(): the header line (command-line or compiler form), then
// the source excerpt with carets (see source_display.h for how text is shown).
#include "bpfc/support/diagnostic.h"

#include <algorithm>

#include "source_display.h"

namespace bpfc {
namespace {

constexpr std::string_view kIndent = "    ";
constexpr std::string_view kEllipsis = "...";
// A message line longer than this loses its middle: messages quote the
// user's text, which can be a whole file.
constexpr size_t kMaxMessageLineBytes = 400;
constexpr uint32_t kMinSourceWidth = 20;

struct Palette {
  std::string_view location, error, warning, note, caret, reset;
};

Palette palette(bool color) {
  if (!color) return {};
  return {"\x1b[1m", "\x1b[1;31m", "\x1b[1;35m", "\x1b[1;36m", "\x1b[1;32m", "\x1b[0m"};
}

void append_colored(std::string& out, std::string_view color, std::string_view text, const Palette& p) {
  out += color;
  out += text;
  if (!color.empty()) out += p.reset;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// Keeps the start and the end of an overlong line, cut at character
// boundaries.
std::string elide_middle(std::string_view line) {
  if (line.size() <= kMaxMessageLineBytes) return std::string(line);
  size_t head = kMaxMessageLineBytes / 2;
  while (head > 0 && is_utf8_continuation(line[head])) --head;
  size_t tail = line.size() - kMaxMessageLineBytes / 2;
  while (tail < line.size() && is_utf8_continuation(line[tail])) ++tail;
  return std::string(line.substr(0, head)) + " ... " + std::string(line.substr(tail));
}

std::string message_text(std::string_view message) {
  const std::string escaped = display::escape(message);
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t newline = escaped.find('\n', start);
    out += elide_middle(std::string_view(escaped).substr(start, newline - start));
    if (newline == std::string::npos) break;
    out.push_back('\n');
    start = newline + 1;
  }
  return out;
}

// An empty span at the end of the input (where "syntax error" points when
// the text stops too early) is moved back over trailing blanks and newlines,
// to just after the last thing written.
SourceSpan placed_span(SourceSpan span, std::string_view source) {
  const uint32_t size = static_cast<uint32_t>(source.size());
  span.begin = std::min(span.begin, size);
  span.end = std::clamp(span.end, span.begin, size);
  if (span.begin == span.end) {
    uint32_t content_end = size;
    while (content_end > 0 && is_space(source[content_end - 1])) --content_end;
    if (span.begin >= content_end) span.begin = span.end = content_end;
  }
  return span;
}

// One line of source and a caret line under its bytes [begin, end); end ==
// begin marks one position (possibly just past the end of the line). Lines
// wider than the style allows are shown as a window around the carets.
void append_excerpt(std::string& out, std::string_view line, uint32_t begin, uint32_t end,
                    bool newlines_as_spaces, const DiagnosticStyle& style, const Palette& p) {
  const std::vector<display::Cell> cells = display::layout(line, newlines_as_spaces);
  const size_t n = cells.size();
  const uint32_t total = n == 0 ? 0 : cells.back().column + cells.back().width;
  // The cells the span covers: [first, last).
  size_t first = 0;
  while (first < n && cells[first].offset + cells[first].length <= begin) ++first;
  size_t last = first;
  while (last < n && cells[last].offset < end) ++last;
  const uint32_t caret_begin = first < n ? cells[first].column : total;
  uint32_t caret_end = last > first ? cells[last - 1].column + cells[last - 1].width : caret_begin + 1;
  caret_end = std::max(caret_end, caret_begin + 1);

  const uint32_t width = std::max(style.max_source_width, kMinSourceWidth);
  const uint32_t needed = std::max(total, caret_end);
  size_t shown_begin = 0, shown_end = n;
  uint32_t window_begin = 0, window_end = total;
  if (needed > width) {
    // The caret a third of the way in, unless that runs past the end.
    uint32_t target = caret_begin > width / 3 ? caret_begin - width / 3 : 0;
    if (target + width > needed) target = needed - width;
    while (shown_begin < n && cells[shown_begin].column < target) ++shown_begin;
    shown_end = shown_begin;
    while (shown_end < n && cells[shown_end].column + cells[shown_end].width <= target + width) ++shown_end;
    window_begin = shown_begin < n ? cells[shown_begin].column : total;
    window_end = shown_end > shown_begin ? cells[shown_end - 1].column + cells[shown_end - 1].width : window_begin;
  }
  const bool cut_left = shown_begin > 0;
  const bool cut_right = shown_end < n;

  out += kIndent;
  if (cut_left) out += kEllipsis;
  for (size_t i = shown_begin; i < shown_end; ++i) display::append_cell(out, line, cells[i], newlines_as_spaces);
  if (cut_right) out += kEllipsis;
  out.push_back('\n');

  out += kIndent;
  if (cut_left) out.append(kEllipsis.size(), ' ');
  out.append(caret_begin - window_begin, ' ');
  // The caret's cell is always inside the window; at least one caret shows.
  const uint32_t visible_end = cut_right ? std::min(caret_end, window_end) : caret_end;
  const uint32_t carets = visible_end > caret_begin ? visible_end - caret_begin : 1;
  append_colored(out, p.caret, std::string(carets, '^'), p);
  out.push_back('\n');
}

struct Line {
  uint32_t begin;  // offset of its first byte
  uint32_t end;    // of its terminator (or the end of the text); a '\r' before '\n' is left out
  uint32_t number;
};

Line line_at(std::string_view source, uint32_t offset) {
  const size_t before = offset == 0 ? std::string_view::npos : source.rfind('\n', offset - 1);
  const uint32_t begin = before == std::string_view::npos ? 0 : static_cast<uint32_t>(before + 1);
  size_t end = source.find('\n', offset);
  if (end == std::string_view::npos) end = source.size();
  if (end > begin && source[end - 1] == '\r') --end;
  const auto number = static_cast<uint32_t>(std::count(source.begin(), source.begin() + begin, '\n') + 1);
  return Line{begin, static_cast<uint32_t>(end), number};
}

std::string_view severity_word(Severity severity, const Palette& p, std::string_view& color) {
  switch (severity) {
    case Severity::Warning:
      color = p.warning;
      return "warning:";
    case Severity::Note:
      color = p.note;
      return "note:";
    case Severity::Error:
      break;
  }
  color = p.error;
  return "error:";
}

// FILE:LINE:COLUMN: error: message, then the line(s) the span covers: the
// first and, for a span over several lines, the last.
std::string render_in_file(const Diagnostic& d, std::string_view source, const DiagnosticStyle& style,
                           const Palette& p) {
  std::string out;
  std::string location(*style.file_name);
  std::optional<SourceSpan> span;
  Line first{}, last{};
  if (d.span) {
    span = placed_span(*d.span, source);
    first = line_at(source, span->begin);
    last = span->end > span->begin ? line_at(source, span->end - 1) : first;
    location += ":" + std::to_string(first.number) + ":" + std::to_string(span->begin - first.begin + 1);
  }
  append_colored(out, p.location, location + ":", p);
  out.push_back(' ');
  std::string_view color;
  const std::string_view word = severity_word(d.severity, p, color);
  append_colored(out, color, word, p);
  out.push_back(' ');
  out += message_text(d.message);
  out.push_back('\n');
  if (!span) return out;
  const std::string_view first_text = source.substr(first.begin, first.end - first.begin);
  const uint32_t first_end = std::min(span->end, first.end) - first.begin;
  append_excerpt(out, first_text, span->begin - first.begin, first_end, false, style, p);
  if (last.number != first.number) {
    if (last.number > first.number + 1) {
      out += kIndent;
      out += kEllipsis;
      out.push_back('\n');
    }
    const std::string_view last_text = source.substr(last.begin, last.end - last.begin);
    uint32_t indent = 0;
    while (indent < last_text.size() && is_space(last_text[indent])) ++indent;
    append_excerpt(out, last_text, indent, std::min(span->end, last.end) - last.begin, false, style, p);
  }
  return out;
}

// program: message, then the whole source as one line.
std::string render_on_command_line(const Diagnostic& d, std::string_view source, const DiagnosticStyle& style,
                                   const Palette& p) {
  std::string out;
  if (!style.program.empty()) {
    append_colored(out, p.location, std::string(style.program) + ":", p);
    out.push_back(' ');
  }
  if (d.severity != Severity::Error) {
    std::string_view color;
    const std::string_view word = severity_word(d.severity, p, color);
    append_colored(out, color, word, p);
    out.push_back(' ');
  }
  out += message_text(d.message);
  out.push_back('\n');
  if (!d.span) return out;
  const SourceSpan span = placed_span(*d.span, source);
  append_excerpt(out, source, span.begin, span.end, true, style, p);
  return out;
}

}  // namespace

std::string render_diagnostic(const Diagnostic& d, std::string_view source, const DiagnosticStyle& style) {
  const Palette p = palette(style.color);
  if (style.file_name) return render_in_file(d, source, style, p);
  return render_on_command_line(d, source, style, p);
}

std::string render_diagnostic(const Diagnostic& d, std::string_view source, std::string_view program) {
  DiagnosticStyle style;
  style.program = program;
  return render_diagnostic(d, source, style);
}

}  // namespace bpfc

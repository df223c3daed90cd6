#include "source_display.h"

#include <cstdio>

namespace bpfc::display {
namespace {

constexpr uint32_t kTabStop = 8;

struct Decoded {
  uint32_t codepoint;
  uint32_t length;  // 0: not valid UTF-8 here (one byte is shown as <XX>)
};

// One UTF-8 sequence at text[pos]: shortest form only, no surrogates, at most
// U+10FFFF.
Decoded decode(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(pos);
  if (lead < 0x80) return {lead, 1};
  uint32_t length, codepoint, minimum;
  if ((lead & 0xe0) == 0xc0) {
    length = 2, codepoint = lead & 0x1f, minimum = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, codepoint = lead & 0x0f, minimum = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, codepoint = lead & 0x07, minimum = 0x10000;
  } else {
    return {0, 0};
  }
  if (pos + length > text.size()) return {0, 0};
  for (uint32_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xc0) != 0x80) return {0, 0};
    codepoint = (codepoint << 6) | (byte(pos + i) & 0x3f);
  }
  if (codepoint < minimum || codepoint > 0x10ffff || (codepoint >= 0xd800 && codepoint <= 0xdfff)) {
    return {0, 0};
  }
  return {codepoint, length};
}

// Characters a terminal would act on or not show: C0 and C1 controls, DEL,
// zero-width and bidirectional formatting characters (which can make text
// read differently from what it is), the byte order mark.
bool needs_stand_in(uint32_t c) {
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x200b && c <= 0x200f) ||
         (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) || c == 0xfeff;
}

// Columns a printable character takes: 0 for combining marks, 2 for East
// Asian wide and fullwidth forms and emoji, 1 otherwise (wcwidth's answer for
// the common ranges, without depending on the locale).
uint32_t char_width(uint32_t c) {
  if ((c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) ||
      (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f)) {
    return 0;
  }
  if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) ||
      (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
      (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd)) {
    return 2;
  }
  return 1;
}

std::string stand_in_for_char(uint32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(c));
  return buf;
}

std::string stand_in_for_byte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "<%02X>", static_cast<unsigned>(b));
  return buf;
}

bool is_newline(uint32_t c) { return c == '\n' || c == '\r'; }

}  // namespace

std::vector<Cell> layout(std::string_view text, bool newlines_as_spaces) {
  std::vector<Cell> cells;
  cells.reserve(text.size());
  uint32_t column = 0;
  for (size_t pos = 0; pos < text.size();) {
    const Decoded d = decode(text, pos);
    Cell cell{static_cast<uint32_t>(pos), d.length == 0 ? 1u : d.length, column, 0};
    if (d.length == 0) {
      cell.width = 4;  // <XX>
    } else if (d.codepoint == '\t') {
      cell.width = kTabStop - column % kTabStop;
    } else if (newlines_as_spaces && is_newline(d.codepoint)) {
      cell.width = 1;
    } else if (needs_stand_in(d.codepoint)) {
      cell.width = static_cast<uint32_t>(stand_in_for_char(d.codepoint).size());
    } else {
      cell.width = char_width(d.codepoint);
    }
    cells.push_back(cell);
    column += cell.width;
    pos += cell.length;
  }
  return cells;
}

void append_cell(std::string& out, std::string_view text, const Cell& cell, bool newlines_as_spaces) {
  const Decoded d = decode(text, cell.offset);
  if (d.length == 0) {
    out += stand_in_for_byte(static_cast<uint8_t>(text[cell.offset]));
  } else if (d.codepoint == '\t' || (newlines_as_spaces && is_newline(d.codepoint))) {
    out.append(cell.width, ' ');
  } else if (needs_stand_in(d.codepoint)) {
    out += stand_in_for_char(d.codepoint);
  } else {
    out.append(text.substr(cell.offset, cell.length));
  }
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const Decoded d = decode(text, pos);
    if (d.length == 0) {
      out += stand_in_for_byte(static_cast<uint8_t>(text[pos]));
      ++pos;
      continue;
    }
    if (needs_stand_in(d.codepoint) && d.codepoint != '\n' && d.codepoint != '\t') {
      out += stand_in_for_char(d.codepoint);
    } else {
      out.append(text.substr(pos, d.length));
    }
    pos += d.length;
  }
  return out;
}

}  // namespace bpfc::display

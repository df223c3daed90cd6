// Source text as a terminal shows it, for diagnostics: each character (or
// undecodable byte) becomes a cell with a display width, so that a caret line
// can be aligned under any byte range, and text that would not show as
// itself (tabs, control characters, invalid UTF-8, invisible formatting
// characters) gets a visible stand-in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc::display {

struct Cell {
  uint32_t offset;  // of its first byte in the text
  uint32_t length;  // bytes it covers
  uint32_t column;  // where it starts on screen
  uint32_t width;   // columns it takes
};

// The text's cells, left to right. Tabs advance to the next multiple of 8;
// with `newlines_as_spaces`, '\n' and '\r' show as one space each (an
// expression from the command line is shown on one line), otherwise as
// <U+000A>/<U+000D>.
std::vector<Cell> layout(std::string_view text, bool newlines_as_spaces);

// Appends what `cell` shows.
void append_cell(std::string& out, std::string_view text, const Cell& cell, bool newlines_as_spaces);

// `text` with every character that would not show as itself replaced by its
// stand-in; '\n' is kept (a message may have several lines) and tabs too.
std::string escape(std::string_view text);

}  // namespace bpfc::display

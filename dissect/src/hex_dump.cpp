#include "hex_dump.h"

namespace bpfc::dissect {
namespace {

constexpr uint32_t kBytesPerLine = 16;
// The hex column of a -X line: eight groups of " xxxx".
constexpr size_t kHexColumnWidth = 40;

bool printable(uint8_t byte) { return byte > 0x20 && byte < 0x7f; }

void line_start(Text& o, uint32_t offset) {
  o.trim_trailing_spaces();
  o << "\n\t0x";
  o.hex4(offset) << ':';
}

}  // namespace

void hex_dump(Text& o, Bytes b) {
  for (uint32_t i = 0; i < b.size; ++i) {
    if (i % kBytesPerLine == 0) {
      line_start(o, i);
      o << ' ';
    }
    // Two bytes to a group, as tcpdump reads them: " 4500".
    if (i % 2 == 0) o << ' ';
    o.hex2(b.u8(i));
  }
}

void hex_ascii_dump(Text& o, Bytes b) {
  for (uint32_t line = 0; line < b.size; line += kBytesPerLine) {
    uint32_t end = std::min(b.size, line + kBytesPerLine);
    line_start(o, line);
    o << ' ';
    size_t column_start = o.size();
    for (uint32_t i = line; i < end; ++i) {
      if (i % 2 == 0) o << ' ';
      o.hex2(b.u8(i));
    }
    o.spaces(kHexColumnWidth - (o.size() - column_start) + 2);
    for (uint32_t i = line; i < end; ++i) o << (printable(b.u8(i)) ? static_cast<char>(b.u8(i)) : '.');
  }
}

void ascii_dump(Text& o, Bytes b) {
  o << '\n';
  for (uint32_t i = 0; i < b.size; ++i) {
    uint8_t byte = b.u8(i);
    if (byte == '\r') {
      // tcpdump drops a CR at the end of a line; elsewhere it is a '.'.
      if (i + 2 < b.size && b.u8(i + 1) != '\n') o << '.';
    } else if (printable(byte) || byte == '\t' || byte == ' ' || byte == '\n') {
      o << static_cast<char>(byte);
    } else {
      o << '.';
    }
  }
}

}  // namespace bpfc::dissect

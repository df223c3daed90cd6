#include "text.h"

#include "bytes.h"

namespace bpfc::dissect {

// The longest run (the first of equal ones) of at least two zero groups
// becomes "::"; an IPv4-compatible or IPv4-mapped address ends in
// dotted-quad form.
Text& Text::ipv6(const uint8_t* p) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = load_be16(p + 2 * i);
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int start = i;
    while (i < 8 && groups[i] == 0) ++i;
    if (i - start > best_length) {
      best_start = start;
      best_length = i - start;
    }
  }
  if (best_length < 2) best_start = -1;
  // At most 8 groups of 4 digits and 7 colons, or 6 and a dotted quad.
  char text[48];
  char* end = text;
  for (int i = 0; i < 8; ++i) {
    if (best_start >= 0 && i >= best_start && i < best_start + best_length) {
      if (i == best_start) *end++ = ':';
      continue;
    }
    if (i != 0) *end++ = ':';
    if (i == 6 && best_start == 0 && (best_length == 6 || (best_length == 5 && groups[5] == 0xffff))) {
      end = fmt::format_to(end, FMT_COMPILE("{}.{}.{}.{}"), p[12], p[13], p[14], p[15]);
      out_.append(text, static_cast<size_t>(end - text));
      return *this;
    }
    end = fmt::format_to(end, FMT_COMPILE("{:x}"), groups[i]);
  }
  if (best_start >= 0 && best_start + best_length == 8) *end++ = ':';
  out_.append(text, static_cast<size_t>(end - text));
  return *this;
}

}  // namespace bpfc::dissect

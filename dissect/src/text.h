// The text of a packet, appended to the caller's string through fmt. Every
// protocol printer writes through this: numbers, addresses and tcpdump's
// recurring marks ("[|proto]") each have one spelling here. fmt writes into
// buffers on the stack that are then appended: letting it append to the
// string itself would zero-fill the string first.
#pragma once

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace bpfc::dissect {

class Text {
 public:
  explicit Text(std::string& out) : out_(out) {}

  Text& operator<<(std::string_view s) {
    out_.append(s);
    return *this;
  }
  Text& operator<<(char c) {
    out_.push_back(c);
    return *this;
  }
  // A format string checked at compile time (fmt::format_to).
  template <typename... Args>
  Text& print(fmt::format_string<Args...> format, Args&&... args) {
    fmt::basic_memory_buffer<char, 256> text;
    fmt::format_to(fmt::appender(text), format, std::forward<Args>(args)...);
    out_.append(text.data(), text.size());
    return *this;
  }
  // Decimal.
  Text& num(uint64_t value) { return compiled<24>(FMT_COMPILE("{}"), value); }
  // Lowercase hex without and with zero padding (printf's %x, %02x, %04x, %08x).
  Text& hex(uint64_t value) { return compiled<16>(FMT_COMPILE("{:x}"), value); }
  Text& hex2(uint8_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out_.push_back(kDigits[value >> 4]);
    out_.push_back(kDigits[value & 0xf]);
    return *this;
  }
  Text& hex4(uint32_t value) { return compiled<8>(FMT_COMPILE("{:04x}"), value); }
  Text& hex8(uint32_t value) { return compiled<8>(FMT_COMPILE("{:08x}"), value); }
  Text& ipv4(const uint8_t* p) { return compiled<16>(FMT_COMPILE("{}.{}.{}.{}"), p[0], p[1], p[2], p[3]); }
  // RFC 5952 text as tcpdump writes it (see text.cpp).
  Text& ipv6(const uint8_t* p);
  Text& mac(const uint8_t* p) { return bytes_with_colons(p, 6); }
  // tcpdump's linkaddr_string(): hardware addresses of any length.
  Text& linkaddr(const uint8_t* p, uint32_t n) {
    if (n == 0) return *this << "<empty>";
    return bytes_with_colons(p, n);
  }
  // printf's %-Ns and %Ns.
  Text& left(std::string_view s, size_t width) {
    *this << s;
    return spaces(s.size() < width ? width - s.size() : 0);
  }
  Text& right(std::string_view s, size_t width) {
    spaces(s.size() < width ? width - s.size() : 0);
    return *this << s;
  }
  Text& spaces(size_t n) {
    out_.append(n, ' ');
    return *this;
  }
  // Drops the spaces that end the text so far: a line about to end, before
  // the next one starts, never ends in a space.
  void trim_trailing_spaces() {
    size_t size = out_.size();
    while (size > 0 && out_[size - 1] == ' ') --size;
    out_.resize(size);
  }
  // tcpdump's mark for a header cut short by the capture length.
  void truncated(std::string_view protocol) { *this << " [|" << protocol << ']'; }
  // tcpdump's mark for a malformed field.
  void invalid() { *this << " (invalid)"; }
  // A byte as tcpdump's fn_print_char() shows it: outside printable ASCII
  // as "M-" (high bit set) and "^X" (control) escapes.
  Text& escaped_char(uint8_t byte) {
    if (byte >= 0x80) {
      byte &= 0x7f;
      *this << "M-";
    }
    if (byte < 0x20 || byte == 0x7f) {
      byte ^= 0x40;
      *this << '^';
    }
    return *this << static_cast<char>(byte);
  }

  // For taking back text that turned out not to be printable.
  size_t size() const { return out_.size(); }
  void cut_back_to(size_t size) { out_.resize(size); }
  std::string& buffer() { return out_; }

 private:
  // A format compiled in, written through a stack buffer of `kMaxBytes`
  // (fmt writes compiled formats to a plain pointer fastest).
  template <size_t kMaxBytes, typename Format, typename... Args>
  Text& compiled(const Format& format, const Args&... args) {
    char text[kMaxBytes];
    char* end = fmt::format_to(text, format, args...);
    out_.append(text, static_cast<size_t>(end - text));
    return *this;
  }

  Text& bytes_with_colons(const uint8_t* p, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      if (i > 0) out_.push_back(':');
      hex2(p[i]);
    }
    return *this;
  }

  std::string& out_;
};

}  // namespace bpfc::dissect

// UTF-8 decoding helpers (not public API). Invalid bytes decode to U+FFFD,
// one byte at a time, so every input is handled.
#pragma once

#include <string>
#include <string_view>

namespace wpsuite {

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

template <typename F>
void for_each_code_point(std::string_view s, F&& f) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xbf) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned b = byte(i);
    if (b < 0x80) {
      f(static_cast<char32_t>(b));
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf && cont(i + 1)) {
      f(static_cast<char32_t>(((b & 0x1f) << 6) | (byte(i + 1) & 0x3f)));
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef &&
               cont(i + 1, b == 0xe0 ? 0xa0 : 0x80, b == 0xed ? 0x9f : 0xbf) && cont(i + 2)) {
      f(static_cast<char32_t>(((b & 0x0f) << 12) | ((byte(i + 1) & 0x3f) << 6) |
                              (byte(i + 2) & 0x3f)));
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4 &&
               cont(i + 1, b == 0xf0 ? 0x90 : 0x80, b == 0xf4 ? 0x8f : 0xbf) && cont(i + 2) &&
               cont(i + 3)) {
      f(static_cast<char32_t>(((b & 0x07) << 18) | ((byte(i + 1) & 0x3f) << 12) |
                              ((byte(i + 2) & 0x3f) << 6) | (byte(i + 3) & 0x3f)));
      i += 4;
    } else {
      f(static_cast<char32_t>(0xfffd));
      i += 1;
    }
  }
}

}  // namespace wpsuite

// Small string helpers shared by the implementation files (not public API).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wpsuite {

inline bool is_space(char c) {
  return c == ' ' || c == '\t';
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline char to_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string_view ltrim(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

inline std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r' || s.back() == '\n' ||
                        s.back() == '\v' || s.back() == '\f')) {
    s.remove_suffix(1);
  }
  return s;
}

inline std::string_view trim(std::string_view s) {
  return rtrim(ltrim(s));
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

inline bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

// contains() in O(|s| + |needle|) whatever the text (Knuth-Morris-Pratt),
// for matching user-given text against many lines.
inline bool contains_linear(std::string_view s, std::string_view needle) {
  if (needle.empty()) return true;
  std::vector<std::size_t> border(needle.size(), 0);
  for (std::size_t i = 1, k = 0; i < needle.size(); ++i) {
    while (k > 0 && needle[i] != needle[k]) k = border[k - 1];
    if (needle[i] == needle[k]) ++k;
    border[i] = k;
  }
  for (std::size_t i = 0, k = 0; i < s.size(); ++i) {
    while (k > 0 && s[i] != needle[k]) k = border[k - 1];
    if (s[i] == needle[k] && ++k == needle.size()) return true;
  }
  return false;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_upper(a[i]) != to_upper(b[i])) return false;
  }
  return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// `s`, or its first `max` bytes and a note of how much was cut: one line of
// the log can be the whole input, and it is copied into several outputs.
inline std::string clipped(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t keep = max;
  // Do not split a UTF-8 sequence (at most 3 continuation bytes).
  for (int i = 0; i < 3 && keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xc0) == 0x80; ++i) {
    --keep;
  }
  return std::string(s.substr(0, keep)) + "... [" + std::to_string(s.size() - keep) + " bytes cut]";
}

inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace wpsuite

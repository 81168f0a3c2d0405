// Minimal streaming JSON writer (no external libraries).
//
// Output is pretty-printed the way Python's json.dumps(obj, indent=N) does it
// ("key": value, empty containers as [] / {}), so kunit.py output can be
// reproduced byte for byte. Strings are escaped like json.dumps with
// ensure_ascii=True; invalid UTF-8 becomes U+FFFD, so the output is always
// valid JSON whatever bytes the console log contained.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wpsuite {

std::string json_quote(std::string_view text);

// Replaces invalid UTF-8 sequences by U+FFFD.
std::string sanitize_utf8(std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool b);
  JsonWriter& value(long long n);
  JsonWriter& value(int n) { return value(static_cast<long long>(n)); }
  JsonWriter& value(long n) { return value(static_cast<long long>(n)); }
  JsonWriter& value(unsigned long n) { return value(static_cast<long long>(n)); }
  JsonWriter& value(double d);  // non-finite values are written as null
  JsonWriter& value(std::optional<double> d);
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {  // null when empty
    return v ? value(*v) : null();
  }
  JsonWriter& null();
  JsonWriter& value(const std::vector<std::string>& strings);

  // Result; the writer must be balanced (every begin has its end).
  const std::string& str() const { return out_; }
  std::string take() && { return std::move(out_); }  // the text, without a copy

 private:
  void begin_value();
  void newline();
  void close(char bracket);

  struct Level {
    bool empty = true;
  };
  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
  int indent_;
};

}  // namespace wpsuite

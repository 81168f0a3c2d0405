// Helpers shared by the tests: file access and tiny JSON / XML validators.
#pragma once

#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace wpsuite::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CommandResult {
  int exit_code = -1;  // -1: could not run, or killed by a signal
  std::string out;     // what it wrote to stdout
};

// Run a shell command and capture its standard output.
inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string testdata(const std::string& name) {
  return std::string(WPSUITE_TESTDATA_DIR) + "/" + name;
}

// Strict JSON syntax check (RFC 8259), iterative enough for our depths.
class JsonChecker {
 public:
  static bool valid(std::string_view s) {
    JsonChecker c{s};
    c.ws();
    if (!c.value(0)) return false;
    c.ws();
    return c.p_ == s.size();
  }

 private:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool eof() const { return p_ >= s_.size(); }
  char peek() const { return eof() ? '\0' : s_[p_]; }
  void ws() {
    while (!eof() && (peek() == ' ' || peek() == '\n' || peek() == '\t' || peek() == '\r')) ++p_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }
  bool string() {
    if (peek() != '"') return false;
    ++p_;
    while (!eof()) {
      const unsigned char c = static_cast<unsigned char>(s_[p_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        const char e = peek();
        ++p_;
        if (e == 'u') {
          for (int i = 0; i < 4; ++i, ++p_) {
            if (!std::isxdigit(static_cast<unsigned char>(peek()))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool number() {
    const std::size_t start = p_;
    if (peek() == '-') ++p_;
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++p_;
    if (peek() == '.') {
      ++p_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++p_;
    }
    return p_ > start;
  }
  bool value(int depth) {
    if (depth > 200) return false;
    switch (peek()) {
      case '{': {
        ++p_;
        ws();
        if (peek() == '}') return ++p_, true;
        for (;;) {
          ws();
          if (!string()) return false;
          ws();
          if (peek() != ':') return false;
          ++p_;
          ws();
          if (!value(depth + 1)) return false;
          ws();
          if (peek() == '}') return ++p_, true;
          if (peek() != ',') return false;
          ++p_;
        }
      }
      case '[': {
        ++p_;
        ws();
        if (peek() == ']') return ++p_, true;
        for (;;) {
          ws();
          if (!value(depth + 1)) return false;
          ws();
          if (peek() == ']') return ++p_, true;
          if (peek() != ',') return false;
          ++p_;
        }
      }
      case '"': return string();
      case 't': return lit("true");
      case 'f': return lit("false");
      case 'n': return lit("null");
      default: return number();
    }
  }
  std::string_view s_;
  std::size_t p_ = 0;
};

// Rough XML well-formedness check: balanced tags, quoted attributes, known
// entities, no raw '<' or '&' in text, no control characters.
inline bool xml_well_formed(std::string_view s) {
  std::vector<std::string> open;
  std::size_t p = 0;
  const auto entity_ok = [&](std::size_t at) {
    const std::size_t semi = s.find(';', at);
    if (semi == std::string_view::npos || semi - at > 10) return false;
    const std::string_view e = s.substr(at + 1, semi - at - 1);
    if (e == "amp" || e == "lt" || e == "gt" || e == "quot" || e == "apos") return true;
    return e.size() > 1 && e[0] == '#';
  };
  while (p < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[p]);
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
    if (c == '&') {
      if (!entity_ok(p)) return false;
      ++p;
      continue;
    }
    if (c != '<') {
      ++p;
      continue;
    }
    const std::size_t close = s.find('>', p);
    if (close == std::string_view::npos) return false;
    std::string_view tag = s.substr(p + 1, close - p - 1);
    p = close + 1;
    if (!tag.empty() && tag[0] == '?') continue;
    if (tag.find('<') != std::string_view::npos) return false;
    // Attribute values must be quoted and escaped.
    std::size_t quotes = 0;
    for (std::size_t i = 0; i < tag.size(); ++i) {
      if (tag[i] == '"') ++quotes;
      if (tag[i] == '&' && !entity_ok(p - tag.size() - 1 + i)) return false;
    }
    if (quotes % 2) return false;
    if (!tag.empty() && tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    const std::size_t name_end = tag.find_first_of(" /");
    const std::string name(tag.substr(0, name_end));
    if (name.empty()) return false;
    if (!self_closing) open.push_back(name);
  }
  return open.empty();
}

}  // namespace wpsuite::testing

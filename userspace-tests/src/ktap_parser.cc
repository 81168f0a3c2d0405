#include "wpsuite/ktap_parser.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

#include "text_util.h"

namespace wpsuite {
namespace {

constexpr std::size_t kMaxDepth = 32;    // open tests per document
constexpr int kMaxKselftestNesting = 4;  // "# # # ..." levels parsed again
constexpr long kMaxNumber = 1000000000;  // numbers saturate here

std::string name_of(std::string_view text) {
  return clipped(text, kMaxNameBytes);
}

// Does a result line's name `text` name the test called `name` (cut as stored)?
bool same_name(std::string_view text, const std::string& name) {
  return text.size() <= kMaxNameBytes ? text == name : name_of(text) == name;
}

// ---------------------------------------------------------------------------
// Line classification

enum class Kind { Version, Subtest, Selftest, Plan, Result, BailOut, EndOfOutput, Other };

struct Classified {
  Kind kind = Kind::Other;
  int indent = 0;
  std::string_view text;  // version text, header name or result name
  long number = 0;        // plan count or test number
  bool ok = false;
  Directive directive = Directive::None;
  std::string_view comment;  // text after the directive keyword (or whole comment)
};

int indent_columns(std::string_view s) {
  int col = 0;
  for (char c : s) {
    if (c == ' ') {
      ++col;
    } else if (c == '\t') {
      col = (col / 8 + 1) * 8;
    } else {
      break;
    }
    if (col > (1 << 20)) break;
  }
  return col;
}

// Parses a run of digits at the front of `s`; returns the number of digits.
std::size_t parse_number(std::string_view s, long* out) {
  std::size_t i = 0;
  long value = 0;
  while (i < s.size() && is_digit(s[i])) {
    value = std::min(kMaxNumber, value * 10 + (s[i] - '0'));
    ++i;
  }
  *out = value;
  return i;
}

// Splits "# SKIP reason" style comments into a directive and its text.
void parse_directive(std::string_view comment, Classified* c) {
  comment = trim(comment);
  std::size_t end = 0;
  while (end < comment.size() && !is_space(comment[end])) ++end;
  std::string_view word = comment.substr(0, end);
  while (!word.empty() && word.back() == ':') word.remove_suffix(1);
  Directive d = Directive::None;
  if (istarts_with(word, "SKIP")) {
    d = Directive::Skip;
  } else if (istarts_with(word, "TODO")) {
    d = Directive::Todo;
  } else if (iequals(word, "XFAIL")) {
    d = Directive::XFail;
  } else if (iequals(word, "XPASS")) {
    d = Directive::XPass;
  } else if (iequals(word, "TIMEOUT")) {
    d = Directive::Timeout;
  } else if (iequals(word, "ERROR")) {
    d = Directive::Error;
  }
  c->directive = d;
  c->comment = d == Directive::None ? comment : trim(comment.substr(end));
}

bool classify_result(std::string_view t, Classified* c) {
  std::size_t p;
  if (starts_with(t, "ok")) {
    c->ok = true;
    p = 2;
  } else if (starts_with(t, "not ok")) {
    c->ok = false;
    p = 6;
  } else {
    return false;
  }
  if (p >= t.size() || !is_space(t[p])) return false;
  while (p < t.size() && is_space(t[p])) ++p;
  std::size_t digits = parse_number(t.substr(p), &c->number);
  if (digits == 0) return false;
  p += digits;
  if (p < t.size() && !is_space(t[p])) return false;
  std::string_view rest = ltrim(t.substr(p));
  if (starts_with(rest, "- ")) {
    rest = ltrim(rest.substr(2));
  } else if (rest == "-") {
    rest = {};
  }
  // A directive/comment starts at a '#' that begins the rest or follows blanks.
  std::size_t hash = std::string_view::npos;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '#' && (i == 0 || is_space(rest[i - 1]))) {
      hash = i;
      break;
    }
  }
  c->text = rtrim(rest.substr(0, hash));
  if (hash != std::string_view::npos) parse_directive(rest.substr(hash + 1), c);
  c->kind = Kind::Result;
  return true;
}

bool is_version_line(std::string_view t) {
  std::string_view rest;
  if (starts_with(t, "KTAP version ")) {
    rest = t.substr(13);
  } else if (starts_with(t, "TAP version ")) {
    rest = t.substr(12);
  } else {
    return false;
  }
  return !rest.empty() && std::all_of(rest.begin(), rest.end(), is_digit);
}

Classified classify(std::string_view line) {
  Classified c;
  c.indent = indent_columns(line);
  std::string_view t = trim(line);
  if (is_version_line(t)) {
    c.kind = Kind::Version;
    c.text = t;
  } else if (starts_with(t, "# Subtest:")) {
    c.kind = Kind::Subtest;
    c.text = trim(t.substr(10));
  } else if (starts_with(t, "# selftests: ")) {
    c.kind = Kind::Selftest;
    c.text = t.substr(2);
  } else if (starts_with(t, "1..") && t.size() > 3 && is_digit(t[3])) {
    c.kind = Kind::Plan;
    std::string_view rest = t.substr(3 + parse_number(t.substr(3), &c.number));
    std::size_t hash = rest.find('#');
    if (hash != std::string_view::npos) parse_directive(rest.substr(hash + 1), &c);
  } else if (classify_result(t, &c)) {
    // kind set by classify_result
  } else if (starts_with(t, "Bail out!")) {
    c.kind = Kind::BailOut;
  } else if (contains(t, "Kernel panic - not syncing") || contains(t, "List of all partitions:") ||
             starts_with(t, "reboot: ")) {
    // Same end-of-output markers as kunit_parser.py's KTAP_END (generalized).
    c.kind = Kind::EndOfOutput;
  }
  return c;
}

Status status_of(bool ok, Directive d) {
  switch (d) {
    case Directive::Skip: return Status::Skip;
    case Directive::Todo: return ok ? Status::Pass : Status::XFail;
    case Directive::XFail: return ok ? Status::XFail : Status::Fail;
    default: return ok ? Status::Pass : Status::Fail;
  }
}

// ---------------------------------------------------------------------------
// The state machine

struct LineRef {
  std::size_t number;     // console line number
  std::string_view text;  // content at this nesting level
};

// Shared by a document's parser and the parsers of its kselftests' output.
struct Budget {
  long placeholders = kMaxPlaceholders;
};

struct Frame {
  TestResult test;
  int indent = 0;                    // indentation of the header and of direct children
  bool fresh = true;                 // nothing but the opening line seen yet
  std::size_t cursor = 0;            // last line that ended a header or a child
  std::vector<std::string> pending;  // diagnostics not yet given to a child
};

class Parser {
 public:
  Parser(int nesting, Budget& budget) : nesting_(nesting), budget_(budget) {}

  std::vector<TestResult> run(const std::vector<LineRef>& lines) {
    for (const LineRef& line : lines) {
      feed(line);
      previous_ = line.number;
    }
    if (!stack_.empty()) close_document(previous_, "log ended");
    for (TestResult& doc : docs_) expand_kselftests(doc, lines);
    return std::move(docs_);
  }

 private:
  void feed(const LineRef& line) {
    const Classified c = classify(line.text);
    if (stack_.empty()) {
      if (c.kind == Kind::Version) open_document(c, line);
      return;  // anything outside a document is not KTAP
    }
    Frame& top = stack_.back();
    const bool can_push = stack_.size() < kMaxDepth;
    switch (c.kind) {
      case Kind::Version:
        if (c.indent <= stack_.front().indent) {
          close_document(previous_, "a new document started");
          open_document(c, line);
          return;
        }
        if (!can_push) break;
        {
          TestResult t;
          t.version = clipped(c.text, kMaxNameBytes);
          t.has_header = true;
          push(std::move(t), c.indent, line);
        }
        return;
      case Kind::Subtest:
        if (top.fresh && top.test.name.empty() && !top.test.kselftest && c.indent == top.indent) {
          top.test.name = name_of(c.text);  // "KTAP version" + "# Subtest:"
          top.fresh = false;
          top.cursor = line.number;
          return;
        }
        [[fallthrough]];
      case Kind::Selftest:
        if (!can_push) break;
        {
          TestResult t;
          t.name = name_of(c.text);
          t.has_header = true;
          t.kselftest = c.kind == Kind::Selftest;
          push(std::move(t), c.indent, line);
        }
        return;
      case Kind::Plan:
        if (top.test.plan || !top.test.subtests.empty()) break;
        top.test.plan = c.number;
        if (c.directive == Directive::Skip) {
          top.test.directive = Directive::Skip;
          top.test.directive_text = clipped(c.comment, kMaxLineBytes);
        }
        top.fresh = false;
        top.cursor = line.number;
        if (stack_.size() == 1 && top.test.name.empty() && c.number == 0) {
          close_document(line.number, {});  // "1..0": nothing will follow
        }
        return;
      case Kind::Result: on_result(c, line); return;
      case Kind::BailOut:
      case Kind::EndOfOutput:
        top.pending.push_back(clipped(line.text, kMaxLineBytes));
        close_document(line.number, "output ended: " + clipped(trim(line.text), kMaxNameBytes));
        return;
      case Kind::Other: break;
    }
    stack_.back().pending.push_back(clipped(line.text, kMaxLineBytes));
  }

  void open_document(const Classified& c, const LineRef& line) {
    Frame f;
    f.test.version = clipped(c.text, kMaxNameBytes);
    f.test.has_header = true;
    f.test.first_line = line.number;
    f.indent = c.indent;
    f.cursor = line.number;
    stack_.push_back(std::move(f));
  }

  void push(TestResult t, int indent, const LineRef& line) {
    Frame& parent = stack_.back();
    t.first_line = line.number;
    t.log = std::move(parent.pending);
    parent.pending.clear();
    Frame f;
    f.test = std::move(t);
    f.indent = indent;
    f.cursor = line.number;
    stack_.push_back(std::move(f));
  }

  static bool names_match(const Frame& f, const Classified& c) {
    return !f.test.name.empty() && same_name(c.text, f.test.name);
  }

  void on_result(const Classified& c, const LineRef& line) {
    for (;;) {
      Frame& f = stack_.back();
      if (stack_.size() == 1) {
        // A named document is a single suite (KUnit module): it ends with its
        // own result line. An unnamed one ends when its plan is complete.
        const bool named = !f.test.name.empty();
        const bool plan_done =
            f.test.plan && static_cast<long>(f.test.subtests.size()) >= *f.test.plan;
        if (c.indent < f.indent || names_match(f, c) || (named && plan_done)) {
          apply_result(f.test, c, c.number);
          f.test.last_line = line.number;
          close_document(line.number, {});
          return;
        }
        add_leaf(f, c, line);
        if (!named && f.test.plan && static_cast<long>(f.test.subtests.size()) >= *f.test.plan) {
          close_document(line.number, {});
        }
        return;
      }
      const Frame& parent = stack_[stack_.size() - 2];
      if (f.indent > parent.indent && c.indent < parent.indent) {
        // Belongs further out: this test never printed its result line.
        pop_frame(previous_, nullptr, "missing result line");
        continue;
      }
      const bool own = c.indent < f.indent || names_match(f, c) ||
                       (f.test.plan && static_cast<long>(f.test.subtests.size()) >= *f.test.plan);
      if (!own) {
        add_leaf(f, c, line);
        return;
      }
      pop_frame(line.number, &c, {});
      Frame& root = stack_.front();
      if (stack_.size() == 1 && root.test.plan &&
          static_cast<long>(root.test.subtests.size()) >= *root.test.plan) {
        close_document(line.number, {});
      }
      return;
    }
  }

  static void apply_result(TestResult& t, const Classified& c, long expected_number) {
    t.has_result = true;
    t.ok = c.ok;
    t.number = c.number;
    if (c.directive != Directive::None || t.directive == Directive::None) {
      t.directive = c.directive;  // keeps a "1..0 # SKIP" plan directive
      t.directive_text = clipped(c.comment, kMaxLineBytes);
    }
    if (t.name.empty()) {
      t.name = name_of(c.text);
    } else if (!c.text.empty() && !same_name(c.text, t.name)) {
      t.errors.push_back("result line names '" + name_of(c.text) + "'");
    }
    if (c.number != expected_number) {
      t.errors.push_back("expected test number " + std::to_string(expected_number) + " but found " +
                         std::to_string(c.number));
    }
    t.status = status_of(c.ok, c.directive);
  }

  void add_leaf(Frame& f, const Classified& c, const LineRef& line) {
    TestResult t;
    apply_result(t, c, static_cast<long>(f.test.subtests.size()) + 1);
    t.log = std::move(f.pending);
    f.pending.clear();
    t.first_line = f.cursor + 1;
    t.last_line = line.number;
    f.test.subtests.push_back(std::move(t));
    f.cursor = line.number;
    f.fresh = false;
  }

  // Closes the innermost open test, with its result line or as crashed.
  void pop_frame(std::size_t end_line, const Classified* result, const std::string& why) {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    TestResult& t = f.test;
    for (std::string& l : f.pending) t.log.push_back(std::move(l));
    Frame& parent = stack_.back();
    if (result != nullptr) {
      apply_result(t, *result, static_cast<long>(parent.test.subtests.size()) + 1);
    } else if (!why.empty()) {
      t.errors.push_back(why);
    }
    t.last_line = end_line;
    finalize(t, f.cursor);
    parent.cursor = end_line;
    parent.fresh = false;
    parent.test.subtests.push_back(std::move(t));
  }

  void finalize(TestResult& t, std::size_t cursor) {
    const long have = static_cast<long>(t.subtests.size());
    if (t.plan && have < *t.plan) {
      const long missing = *t.plan - have;
      // A placeholder per missing test, within limits: a log of truncated
      // "1..999999999" plans must not allocate for what it only announces.
      const long listed = std::min({missing, kMaxPlaceholdersPerPlan, budget_.placeholders});
      budget_.placeholders -= listed;
      t.unlisted = missing - listed;
      for (long k = 0; k < listed; ++k) {
        TestResult s;
        s.synthetic = true;
        s.number = have + k + 1;
        s.first_line = std::min(cursor + 1, t.last_line);  // where output stopped
        s.last_line = t.last_line;
        s.errors.push_back("planned test never reported");
        t.subtests.push_back(std::move(s));
      }
      t.errors.push_back(std::to_string(missing) + " of " + std::to_string(*t.plan) +
                         " planned subtests missing");
      if (t.unlisted) {
        t.errors.push_back(std::to_string(t.unlisted) + " of them without a placeholder");
      }
    }
    if (!t.has_result) {
      t.status = Status::Crashed;
    } else if (t.has_header && !t.kselftest && t.subtests.empty() && t.status == Status::Pass) {
      t.status = t.directive == Directive::Skip ? Status::Skip : Status::NoTests;
    }
    for (const TestResult& s : t.subtests) {
      if (s.status == Status::Crashed) t.status = Status::Crashed;
    }
    if (t.unlisted) t.status = Status::Crashed;
  }

  void close_document(std::size_t end_line, const std::string& why) {
    bool first = true;
    while (stack_.size() > 1) {
      pop_frame(
          end_line, nullptr,
          first && !why.empty() ? "missing result line (" + why + ")" : "missing result line");
      first = false;
    }
    Frame root = std::move(stack_.front());
    stack_.clear();
    TestResult& t = root.test;
    for (std::string& l : root.pending) t.log.push_back(std::move(l));
    if (!t.has_result) t.last_line = end_line;
    finalize(t, root.cursor);
    if (!t.has_result && !t.name.empty() && !why.empty()) {
      t.errors.push_back("missing result line (" + why + ")");  // a cut-off single suite
    } else if (!t.has_result && t.name.empty()) {
      // An ordinary document has no result line of its own: its status sums up its suites.
      Counts n;
      for (const TestResult& s : t.subtests) n += count_tests(s);
      t.status = n.crashed || t.unlisted ? Status::Crashed
                 : n.failed              ? Status::Fail
                 : n.passed              ? Status::Pass
                 : n.skipped             ? Status::Skip
                                         : Status::NoTests;
    }
    docs_.push_back(std::move(t));
  }

  // Line ranges of the kselftest entries nearest below `t`.
  static void inner_kselftests(const TestResult& t,
                               std::vector<std::pair<std::size_t, std::size_t>>& out) {
    for (const TestResult& s : t.subtests) {
      if (s.synthetic) continue;
      if (s.kselftest) {
        out.emplace_back(s.first_line, s.last_line);
      } else {
        inner_kselftests(s, out);
      }
    }
  }

  // Parses the "# "-prefixed output of kselftest runner entries as subtests.
  // An entry's output is its lines minus those of the entries inside it
  // (which only a log without result lines has): each line is parsed once
  // per "# " level, however the entries nest.
  void expand_kselftests(TestResult& t, const std::vector<LineRef>& lines) {
    for (TestResult& s : t.subtests) expand_kselftests(s, lines);
    if (!t.kselftest || nesting_ >= kMaxKselftestNesting) return;
    std::vector<std::pair<std::size_t, std::size_t>> inner;
    inner_kselftests(t, inner);
    std::sort(inner.begin(), inner.end());
    auto skip = inner.begin();
    const std::size_t end = t.has_result ? t.last_line : t.last_line + 1;
    auto it = std::lower_bound(lines.begin(), lines.end(), t.first_line + 1,
                               [](const LineRef& l, std::size_t n) { return l.number < n; });
    std::vector<LineRef> nested;
    for (; it != lines.end() && it->number < end; ++it) {
      while (skip != inner.end() && skip->second < it->number) ++skip;
      if (skip != inner.end() && skip->first <= it->number) continue;
      std::string_view text = it->text;
      if (!starts_with(text, "#")) continue;
      text.remove_prefix(starts_with(text, "# ") ? 2 : 1);
      nested.push_back({it->number, text});
    }
    if (nested.empty()) return;
    for (TestResult& doc : Parser(nesting_ + 1, budget_).run(nested)) {
      for (const std::string& e : doc.errors) t.errors.push_back("output: " + e);
      if (!doc.name.empty() || doc.has_result) {
        t.subtests.push_back(std::move(doc));
      } else {
        for (TestResult& s : doc.subtests) t.subtests.push_back(std::move(s));
      }
    }
  }

  int nesting_;
  Budget& budget_;
  std::vector<Frame> stack_;
  std::vector<TestResult> docs_;
  std::size_t previous_ = 0;
};

// Fills first/last timestamps of every test from its line range.
class TimestampIndex {
 public:
  explicit TimestampIndex(const std::vector<ConsoleLine>& lines) : lines_(lines) {
    const std::size_t n = lines.size();
    next_.assign(n + 1, n);
    prev_.assign(n + 1, n);
    for (std::size_t i = n; i-- > 0;) next_[i] = lines[i].timestamp ? i : next_[i + 1];
    std::size_t last = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (lines[i].timestamp) last = i;
      prev_[i] = last;
    }
  }

  void fill(TestResult& t) const {
    const std::size_t n = lines_.size();
    if (t.first_line >= 1 && t.first_line <= t.last_line && t.first_line <= n) {
      const std::size_t a = t.first_line - 1;
      const std::size_t b = std::min(t.last_line, n) - 1;
      if (next_[a] <= b) t.first_timestamp = lines_[next_[a]].timestamp;
      if (prev_[b] != n && prev_[b] >= a) t.last_timestamp = lines_[prev_[b]].timestamp;
    }
    for (TestResult& s : t.subtests) fill(s);
  }

 private:
  const std::vector<ConsoleLine>& lines_;
  std::vector<std::size_t> next_, prev_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Public API

namespace {

// A "[ <sec>.<frac>]" timestamp at `i`; `strict`: "[%5lu.%06lu]" exactly.
// Returns the offset past ']' (npos if none) and the seconds.
std::size_t match_timestamp(std::string_view line, std::size_t i, bool strict,
                            std::optional<double>* seconds) {
  if (i >= line.size() || line[i] != '[') return std::string_view::npos;
  std::size_t p = i + 1;
  while (p < line.size() && line[p] == ' ') ++p;
  const std::size_t int_begin = p;
  while (p < line.size() && is_digit(line[p])) ++p;
  if (p == int_begin || p >= line.size() || line[p] != '.') return std::string_view::npos;
  const std::size_t int_end = p++;
  const std::size_t frac_begin = p;
  while (p < line.size() && is_digit(line[p])) ++p;
  if (p == frac_begin || p >= line.size() || line[p] != ']') return std::string_view::npos;
  if (strict && (int_end - (i + 1) < 5 || p - frac_begin != 6)) return std::string_view::npos;
  if (int_end - int_begin <= 12) {
    double value = 0;
    for (std::size_t k = int_begin; k < int_end; ++k) value = value * 10 + (line[k] - '0');
    double scale = 0.1;
    for (std::size_t k = frac_begin; k < p && k < frac_begin + 9; ++k, scale /= 10) {
      value += (line[k] - '0') * scale;
    }
    *seconds = value;
  }
  return p + 1;
}

// A caller field "[    T1]" / "[  C12]" at `i`; `strict`: "[%6s]" exactly.
std::size_t match_caller(std::string_view line, std::size_t i, bool strict) {
  if (i >= line.size() || line[i] != '[') return std::string_view::npos;
  std::size_t p = i + 1;
  while (p < line.size() && line[p] == ' ') ++p;
  if (p >= line.size() || (line[p] != 'T' && line[p] != 'C')) return std::string_view::npos;
  const std::size_t digits = ++p;
  while (p < line.size() && is_digit(line[p])) ++p;
  if (p == digits || p >= line.size() || line[p] != ']') return std::string_view::npos;
  if (strict && p - (i + 1) < 6) return std::string_view::npos;
  return p + 1;
}

// A whole prefix at `i`: timestamp, caller field or both, and one space.
std::size_t match_prefix(std::string_view line, std::size_t i, bool strict,
                         std::optional<double>* seconds) {
  std::size_t end = match_timestamp(line, i, strict, seconds);
  const std::size_t caller = match_caller(line, end == std::string_view::npos ? i : end, strict);
  if (caller != std::string_view::npos) end = caller;
  if (end == std::string_view::npos) return end;
  return end < line.size() && line[end] == ' ' ? end + 1 : end;
}

}  // namespace

PrefixSplit split_kernel_prefix(std::string_view line, bool after_noise) {
  PrefixSplit split;
  std::size_t end = match_prefix(line, 0, false, &split.timestamp);
  if (end == std::string_view::npos && after_noise) {
    for (std::size_t open = line.find('[', 1); open != std::string_view::npos;
         open = line.find('[', open + 1)) {
      end = match_prefix(line, open, true, &split.timestamp);
      if (end != std::string_view::npos) break;
    }
  }
  if (end == std::string_view::npos) return {};
  split.body_offset = end;
  return split;
}

std::size_t next_record(std::string_view line, std::size_t from) {
  for (std::size_t open = line.find('[', from); open != std::string_view::npos;
       open = line.find('[', open + 1)) {
    std::optional<double> ignored;
    const std::size_t end = match_prefix(line, open, true, &ignored);
    if (end != std::string_view::npos) return end;
  }
  return std::string_view::npos;
}

std::vector<ConsoleLine> split_console(std::string_view text) {
  std::vector<std::string_view> raw = split_lines(text);
  // Does the log have printk prefixes at all (at the start of some line)?
  bool prefixed = false;
  for (std::string_view l : raw) {
    std::optional<double> ignored;
    if (!l.empty() && l[0] == '[' &&
        match_prefix(l, 0, false, &ignored) != std::string_view::npos) {
      prefixed = true;
      break;
    }
  }
  std::vector<ConsoleLine> lines;
  lines.reserve(raw.size());
  for (std::string_view l : raw) {
    ConsoleLine line;
    line.number = lines.size() + 1;
    line.raw = std::string(rtrim(l));
    const PrefixSplit split = split_kernel_prefix(line.raw, prefixed);
    line.body_offset = split.body_offset;
    line.timestamp = split.timestamp;
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::Pass: return "PASS";
    case Status::Fail: return "FAIL";
    case Status::Skip: return "SKIP";
    case Status::XFail: return "XFAIL";
    case Status::Crashed: return "CRASHED";
    case Status::NoTests: return "NO_TESTS";
  }
  return "?";
}

std::string_view to_string(Directive directive) {
  switch (directive) {
    case Directive::None: return "";
    case Directive::Skip: return "SKIP";
    case Directive::Todo: return "TODO";
    case Directive::XFail: return "XFAIL";
    case Directive::XPass: return "XPASS";
    case Directive::Timeout: return "TIMEOUT";
    case Directive::Error: return "ERROR";
  }
  return "?";
}

bool is_failure(Status status) {
  return status == Status::Fail || status == Status::Crashed || status == Status::NoTests;
}

std::optional<double> TestResult::duration() const {
  if (!first_timestamp || !last_timestamp || *last_timestamp < *first_timestamp) return {};
  return *last_timestamp - *first_timestamp;
}

std::vector<TestResult> parse_ktap(const std::vector<ConsoleLine>& lines) {
  std::vector<LineRef> refs;
  refs.reserve(lines.size());
  for (const ConsoleLine& l : lines) refs.push_back({l.number, l.body()});
  Budget budget;
  std::vector<TestResult> docs = Parser(0, budget).run(refs);
  const TimestampIndex index(lines);
  for (TestResult& doc : docs) index.fill(doc);
  return docs;
}

std::vector<TestResult> parse_ktap(std::string_view console_text) {
  return parse_ktap(split_console(console_text));
}

std::string display_name(const TestResult& test) {
  std::string_view name = test.name;
  if (starts_with(name, "selftests: ")) {
    name.remove_prefix(11);
    const std::size_t sep = name.find(": ");
    if (sep == std::string_view::npos) return std::string(name);
    return std::string(name.substr(0, sep)) + ":" + std::string(name.substr(sep + 2));
  }
  if (!name.empty()) return std::string(name);
  if (test.synthetic) return "<missing #" + std::to_string(test.number) + ">";
  if (!test.directive_text.empty()) return test.directive_text;
  return "#" + std::to_string(test.number);
}

std::string child_path(const std::string& parent_path, const TestResult& child) {
  std::string name = display_name(child);
  if (parent_path.empty()) return name;
  if (parent_path.size() + 1 + name.size() <= kMaxPathBytes) return parent_path + "." + name;
  // Deeper than any real test: the path keeps its start and the test's name,
  // so that every test's path costs at most kMaxPathBytes.
  return clipped(parent_path, kMaxPathBytes / 2) + "." + name;
}

std::vector<const TestResult*> suites_of(const TestResult& document) {
  std::vector<const TestResult*> suites;
  if (!document.name.empty() || document.has_result) {
    suites.push_back(&document);
  } else {
    for (const TestResult& s : document.subtests) suites.push_back(&s);
  }
  return suites;
}

namespace {

struct PathQuery {
  std::size_t line;
  std::size_t index;  // into the result
};

// Assigns each query (ascending lines) the first of `tests`, in their order,
// whose line range holds its line: a sweep over the ranges sorted by start,
// with the open ones in a min-heap on their index (those that ended are
// dropped when they come to the top).
std::vector<std::size_t> first_holding(const std::vector<TestResult>& tests,
                                       const std::vector<PathQuery>& queries) {
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> by_start;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (!tests[i].synthetic && tests[i].first_line <= tests[i].last_line) by_start.push_back(i);
  }
  std::stable_sort(by_start.begin(), by_start.end(), [&](std::size_t a, std::size_t b) {
    return tests[a].first_line < tests[b].first_line;
  });
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> open;
  std::vector<std::size_t> holder(queries.size(), kNone);
  std::size_t next = 0;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    const std::size_t line = queries[q].line;
    while (next < by_start.size() && tests[by_start[next]].first_line <= line) {
      open.push(by_start[next++]);
    }
    while (!open.empty() && tests[open.top()].last_line < line) open.pop();
    if (!open.empty()) holder[q] = open.top();
  }
  return holder;
}

void locate(const std::vector<TestResult>& tests, const std::vector<PathQuery>& queries,
            const std::string& path, bool documents, std::vector<std::string>& out) {
  const std::vector<std::size_t> holder = first_holding(tests, queries);
  std::vector<std::pair<std::size_t, PathQuery>> inside;  // (test, query)
  for (std::size_t q = 0; q < queries.size(); ++q) {
    if (holder[q] < tests.size()) {
      inside.emplace_back(holder[q], queries[q]);
    } else {
      out[queries[q].index] = path;
    }
  }
  std::stable_sort(inside.begin(), inside.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t a = 0; a < inside.size();) {
    std::size_t b = a;
    std::vector<PathQuery> group;
    while (b < inside.size() && inside[b].first == inside[a].first)
      group.push_back(inside[b++].second);
    const TestResult& t = tests[inside[a].first];
    std::string sub;
    if (!documents) {
      sub = child_path(path, t);
    } else if (!t.name.empty() || t.has_result) {
      sub = display_name(t);  // a single-suite document
    }
    locate(t.subtests, group, sub, false, out);
    a = b;
  }
}

}  // namespace

std::vector<std::string> test_paths_at(const std::vector<TestResult>& documents,
                                       const std::vector<std::size_t>& lines) {
  std::vector<PathQuery> queries;
  queries.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) queries.push_back({lines[i], i});
  std::vector<std::string> paths(lines.size());
  locate(documents, queries, {}, true, paths);
  return paths;
}

std::string test_path_at(const std::vector<TestResult>& documents, std::size_t line) {
  return test_paths_at(documents, {line}).front();
}

Counts& Counts::operator+=(const Counts& other) {
  passed += other.passed;
  failed += other.failed;
  skipped += other.skipped;
  crashed += other.crashed;
  return *this;
}

bool has_failing_descendant(const TestResult& test, bool include_synthetic) {
  return std::any_of(test.subtests.begin(), test.subtests.end(), [&](const TestResult& s) {
    if (s.synthetic && !include_synthetic) return false;
    return is_failure(s.status) || has_failing_descendant(s, include_synthetic);
  });
}

long unlisted_tests(const TestResult& test) {
  long n = test.unlisted;
  for (const TestResult& s : test.subtests) n += unlisted_tests(s);
  return n;
}

Counts count_tests(const TestResult& test) {
  Counts c;
  if (!test.subtests.empty()) {
    for (const TestResult& s : test.subtests) c += count_tests(s);
    // A failure below explains this one: each failure counts once, where
    // it happened (a suite that said "ok" over a failing case is no
    // second failure, and neither is the document above it).
    if (!is_failure(test.status) || c.failed + c.crashed > 0) return c;
  }
  switch (test.status) {
    case Status::Pass:
    case Status::XFail: ++c.passed; break;
    case Status::Skip: ++c.skipped; break;
    case Status::Fail:
    case Status::NoTests: ++c.failed; break;
    case Status::Crashed: ++c.crashed; break;
  }
  return c;
}

}  // namespace wpsuite

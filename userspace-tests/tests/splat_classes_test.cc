// Every report header the kernel can print maps to a splat class.
//
// Scans the Linux tree given by KERNEL_SRC (kernel/, mm/, lib/, arch/arm64/)
// for printk / pr_* / warn_or_seq_printf / CHECK_DATA_CORRUPTION format
// strings that look like report headers: they start with BUG, WARNING,
// INFO:, UBSAN:, Oops, "Internal error", "Unable to handle", "kernel BUG",
// "Kernel panic", "unreferenced object", "<list op> corruption", ..., or are
// printed at KERN_EMERG/ALERT/CRIT in the arm64 fault and debug-exception
// paths. Each is printed as the kernel would print it (with the file's
// pr_fmt prefix and sample arguments) and must be classified by
// find_splat_class() or be listed in not_splat_formats(); the test fails
// naming file:line and the format otherwise, so that a new header cannot
// slip by. Stale not-a-splat entries fail it too. It reads ~40 MB of C in
// about a second; skipped when KERNEL_SRC is empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"
#include "wpsuite/kernel_log.h"

namespace wpsuite {
namespace {

namespace fs = std::filesystem;

bool starts(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Reads the C string literal at `p` (at its '"'), appending its text with
// the escapes \n, \t, \", \\ resolved; returns the offset past it.
std::size_t read_literal(const std::string& src, std::size_t p, std::string* out) {
  for (++p; p < src.size() && src[p] != '"'; ++p) {
    if (src[p] == '\n') return p;  // not a literal after all
    if (src[p] == '\\' && p + 1 < src.size()) {
      const char e = src[++p];
      *out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else {
      *out += src[p];
    }
  }
  return p + 1;
}

// The format of a call whose '(' is at `open`: the first run of adjacent
// string literals among its arguments (skipping KERN_* and other
// identifiers in front of it), or "" if the call has none.
std::string call_format(const std::string& src, std::size_t open) {
  std::size_t p = open + 1;
  int depth = 0;
  for (; p < src.size() && p < open + 2000; ++p) {
    const char c = src[p];
    if (c == '"') break;
    if (c == '(') ++depth;
    if (c == ')' && depth-- == 0) return {};
    if (c == ';') return {};
  }
  std::string fmt;
  while (p < src.size() && src[p] == '"') {
    p = read_literal(src, p, &fmt);
    while (p < src.size() && std::isspace(static_cast<unsigned char>(src[p]))) ++p;
    // KERN_CONT and friends between literals.
    if (starts(std::string_view(src).substr(p), "KERN_")) {
      while (p < src.size() && ident_char(src[p])) ++p;
      while (p < src.size() && std::isspace(static_cast<unsigned char>(src[p]))) ++p;
    }
  }
  return fmt;
}

// The file's pr_fmt prefix: "#define pr_fmt(fmt) "x: " fmt" or with
// KBUILD_MODNAME (the file's base name for built-in code).
std::optional<std::string> pr_fmt_of(const std::string& src, const fs::path& file) {
  const std::size_t at = src.find("#define pr_fmt(fmt)");
  if (at == std::string::npos) return std::nullopt;
  const std::size_t end = src.find('\n', at);
  std::string_view def = std::string_view(src).substr(at + 19, end - at - 19);
  std::string prefix;
  while (!def.empty()) {
    while (!def.empty() && std::isspace(static_cast<unsigned char>(def[0]))) def.remove_prefix(1);
    if (starts(def, "\"")) {
      const std::string text(def);
      std::string lit;
      const std::size_t past = read_literal(text, 0, &lit);
      prefix += lit;
      def.remove_prefix(std::min(past, def.size()));
    } else if (starts(def, "KBUILD_MODNAME")) {
      prefix += file.stem().string();
      def.remove_prefix(14);
    } else {
      break;  // "fmt", or arguments such as __func__
    }
  }
  return prefix;
}

// The format printed with sample arguments, up to its first line break.
std::string render(std::string_view fmt) {
  std::string out;
  for (std::size_t i = 0; i < fmt.size() && fmt[i] != '\n'; ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    std::size_t j = i + 1;
    if (j < fmt.size() && fmt[j] == '%') {
      out += '%';
      i = j;
      continue;
    }
    while (j < fmt.size() &&
           std::string_view("-+ #0123456789.*hlzjt").find(fmt[j]) != std::string_view::npos) {
      ++j;
    }
    if (j >= fmt.size()) break;
    const char conv = fmt[j];
    if (conv == 's') {
      out += "sample";
    } else if (conv == 'p') {
      while (j + 1 < fmt.size() && std::isalpha(static_cast<unsigned char>(fmt[j + 1]))) ++j;
      out += "ffff000012345678";
    } else if (conv == 'c') {
      out += 'c';
    } else {
      out += "1";
    }
    i = j;
  }
  return out;
}

// Does the format open a report? (see the file comment)
bool looks_like_header(std::string_view fmt) {
  static constexpr std::string_view kStarts[] = {
      "BUG",
      "WARNING",
      "INFO:",
      "UBSAN",
      "Oops",
      "Internal error",
      "Unable to handle",
      "kernel BUG",
      "Kernel panic",
      "unreferenced object",
      "refcount_t:",
      "Watchdog detected",
      "SError",
      "Insufficient stack",
      "Unhandled",
      "Unexpected kernel",
      "Checked W+X",
      "Slab corruption",
      "------------[ cut here ]",
  };
  for (std::string_view s : kStarts) {
    if (starts(fmt, s)) return true;
  }
  // "list_add corruption", "pagealloc: memory corruption"
  const std::size_t corruption = fmt.find(" corruption");
  return corruption != std::string_view::npos && corruption < 24 &&
         fmt.substr(0, corruption).find(' ') == std::string_view::npos;
}

// The arm64 fault and debug-exception paths: every line they print at
// KERN_EMERG, KERN_ALERT or KERN_CRIT is checked.
bool fault_path(const std::string& rel) {
  return rel == "arch/arm64/kernel/traps.c" || rel == "arch/arm64/kernel/entry-common.c" ||
         rel == "arch/arm64/kernel/debug-monitors.c" || rel == "arch/arm64/mm/fault.c";
}

struct Call {
  bool pr_fmt;  // the pr_* macros prepend pr_fmt
  bool loud;    // KERN_EMERG / ALERT / CRIT
};

std::optional<Call> print_call(std::string_view name, const std::string& src, std::size_t open) {
  static const std::map<std::string, Call, std::less<>> kCalls = [] {
    std::map<std::string, Call, std::less<>> m;
    for (const std::string level : {"emerg", "alert", "crit", "err", "warn", "notice", "info"}) {
      const bool loud = level == "emerg" || level == "alert" || level == "crit";
      for (const std::string suffix : {"", "_once", "_ratelimited", "_deferred"}) {
        m.emplace("pr_" + level + suffix, Call{true, loud});
      }
    }
    m.emplace("printk", Call{false, false});
    m.emplace("printk_deferred", Call{false, false});
    m.emplace("warn_or_seq_printf", Call{true, false});
    m.emplace("CHECK_DATA_CORRUPTION", Call{true, false});
    return m;
  }();
  const auto it = kCalls.find(name);
  if (it == kCalls.end()) return std::nullopt;
  Call c = it->second;
  if (!c.pr_fmt) {  // printk(KERN_EMERG "...")
    const std::string_view args = std::string_view(src).substr(open + 1, 40);
    c.loud = starts(args, "KERN_EMERG") || starts(args, "KERN_ALERT") || starts(args, "KERN_CRIT");
  }
  return c;
}

struct Finding {
  std::string where;
  std::string format;
};

TEST(SplatClasses, EveryKernelReportHeaderHasAClass) {
  const char* env = std::getenv("KERNEL_SRC");
  const std::string kernel_src = env != nullptr && *env != '\0' ? env : WPSUITE_KERNEL_SRC;
  if (kernel_src.empty()) GTEST_SKIP() << "KERNEL_SRC not set";
  const fs::path root(kernel_src);
  ASSERT_TRUE(fs::exists(root / "kernel/locking/lockdep.c")) << root << " is no Linux tree";

  // pr_fmt of every .c file, and of the headers they include.
  std::vector<fs::path> files;
  for (const char* dir : {"kernel", "mm", "lib", "arch/arm64"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".c" || ext == ".h")) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::map<fs::path, std::string> sources;
  std::map<fs::path, std::string> prefix;
  for (const fs::path& f : files) {
    sources[f] = testing::read_file(f.string());
    if (auto p = pr_fmt_of(sources[f], f)) prefix[f] = *p;
  }
  for (const fs::path& f : files) {
    if (f.extension() != ".c" || !prefix.count(f)) continue;
    const std::string& src = sources[f];
    for (std::size_t at = src.find("#include \""); at != std::string::npos;
         at = src.find("#include \"", at + 1)) {
      const std::size_t end = src.find('"', at + 10);
      const fs::path header = f.parent_path() / src.substr(at + 10, end - at - 10);
      if (sources.count(header) && !prefix.count(header)) prefix[header] = prefix[f];
    }
  }

  std::map<std::string, bool> not_splats;  // format -> seen
  for (const NotSplat& n : not_splat_formats()) not_splats[std::string(n.format)] = false;
  std::vector<Finding> unclassified;
  std::set<SplatKind> kinds_seen;
  int headers = 0;
  for (const fs::path& f : files) {
    const std::string& src = sources[f];
    const std::string rel = fs::relative(f, root).string();
    for (std::size_t open = src.find('('); open != std::string::npos;
         open = src.find('(', open + 1)) {
      std::size_t b = open;
      while (b > 0 && src[b - 1] == ' ') --b;
      std::size_t a = b;
      while (a > 0 && ident_char(src[a - 1])) --a;
      if (a == b || (a > 0 && (src[a - 1] == '#' || src[a - 1] == '.'))) continue;
      const std::optional<Call> call =
          print_call(std::string_view(src).substr(a, b - a), src, open);
      if (!call) continue;
      const std::string fmt = call_format(src, open);
      if (fmt.empty()) continue;
      const bool loud_fault_line =
          call->loud && fault_path(rel) && !std::isspace(static_cast<unsigned char>(fmt[0]));
      if (!looks_like_header(fmt) && !loud_fault_line) continue;
      const std::string printed =
          (call->pr_fmt && prefix.count(f) ? prefix[f] : std::string()) + fmt;
      ++headers;
      if (const SplatClass* c = find_splat_class(render(printed))) {
        kinds_seen.insert(c->kind);
        continue;
      }
      const auto n = not_splats.find(printed);
      if (n != not_splats.end()) {
        n->second = true;
        continue;
      }
      const std::size_t line =
          1 + static_cast<std::size_t>(std::count(src.begin(), src.begin() + open, '\n'));
      unclassified.push_back({rel + ":" + std::to_string(line), printed});
    }
  }
  std::printf("checked %d header formats in %zu files; %zu splat kinds seen\n", headers,
              files.size(), kinds_seen.size());
  for (const Finding& u : unclassified) {
    ADD_FAILURE() << u.where << ": header format maps to no splat class and is not in "
                  << "not_splat_formats(): \"" << u.format << "\"";
  }
  for (const auto& [format, seen] : not_splats) {
    EXPECT_TRUE(seen) << "not_splat_formats() lists \"" << format
                      << "\", which this tree does not print";
  }
  EXPECT_GE(headers, 80) << "the scan found too few headers: is the extraction broken?";
  // The scan reaches the reports the suite's debug options turn on.
  for (SplatKind k : {SplatKind::Lockdep, SplatKind::Kasan, SplatKind::Ubsan, SplatKind::HungTask,
                      SplatKind::RcuStall, SplatKind::SoftLockup, SplatKind::PageFault,
                      SplatKind::Oops, SplatKind::KernelBug, SplatKind::Panic,
                      SplatKind::SleepInAtomic, SplatKind::Kmemleak, SplatKind::ListCorruption}) {
    EXPECT_TRUE(kinds_seen.count(k)) << "no header of kind " << to_string(k) << " found";
  }
}

}  // namespace
}  // namespace wpsuite

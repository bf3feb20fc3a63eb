#include "diagnostics/render.h"

#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>

namespace paydrc::diag {
namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kRed = "\x1b[1;31m";
constexpr std::string_view kMagenta = "\x1b[1;35m";
constexpr std::string_view kCyan = "\x1b[1;36m";
constexpr std::string_view kGreen = "\x1b[1;32m";

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::Error:
      return kRed;
    case Severity::Warning:
      return kMagenta;
    case Severity::Note:
      return kCyan;
  }
  return kRed;
}

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Display width of the first `columns` code points of `line` (tabs kept as tabs in
// the caret line so the caret lines up in any terminal).
std::string caret_padding(std::string_view line, std::uint32_t columns) {
  std::string pad;
  std::uint32_t seen = 0;
  for (std::size_t i = 0; i < line.size() && seen < columns; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (is_continuation(c)) continue;
    pad += (c == '\t') ? '\t' : ' ';
    ++seen;
  }
  while (seen < columns) {
    pad += ' ';
    ++seen;
  }
  return pad;
}

std::string location(const std::string& file, const SourceRange& r) {
  if (!r.valid()) return file;
  return fmt::format("{}:{}:{}", file, r.begin.line, r.begin.column);
}

}  // namespace

std::string printable(std::string_view line) {
  // Valid UTF-8 passes through; invalid bytes and control characters become `?`
  // (one column each, as the encoding check counts them).
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size();) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      out += (c == '\t' || (c >= 0x20 && c != 0x7F)) ? static_cast<char>(c) : '?';
      ++i;
      continue;
    }
    std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    bool valid = n != 0 && c <= 0xF4 && i + n <= line.size();
    for (std::size_t k = 1; valid && k < n; ++k) valid = is_continuation(static_cast<unsigned char>(line[i + k]));
    if (valid && n == 3) {
      auto c1 = static_cast<unsigned char>(line[i + 1]);
      valid = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F);
    }
    if (valid && n == 4) {
      auto c1 = static_cast<unsigned char>(line[i + 1]);
      valid = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 > 0x8F);
    }
    if (valid) {
      out.append(line.substr(i, n));
      i += n;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

bool want_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fd) != 0;
}

void render_text(std::ostream& out, const Diagnostic& d, const FileMap& files, const TextOptions& opts) {
  auto paint = [&](std::string_view color, std::string_view text) {
    return opts.color ? fmt::format("{}{}{}", color, text, kReset) : std::string(text);
  };
  out << paint(kBold, location(d.file, d.range) + ":") << ' '
      << paint(severity_color(d.severity), std::string(severity_name(d.severity)) + ":") << ' '
      << paint(kBold, d.message) << " [" << d.id << "]\n";

  auto print_snippet = [&](const std::string& file, const SourceRange& r) {
    auto it = files.find(file);
    if (it == files.end() || !r.valid() || r.begin.line > it->second->line_count()) return;
    std::string_view raw = it->second->line(r.begin.line);
    // Very long lines (a 5 MB string) are cut around the caret.
    std::string shown = printable(raw.substr(0, std::min<std::size_t>(raw.size(), 400)));
    std::string gutter = fmt::format("{:>5}", r.begin.line);
    out << gutter << " | " << shown << (raw.size() > 400 ? " ..." : "") << '\n';
    std::uint32_t width = 1;
    if (r.end.line == r.begin.line && r.end.column > r.begin.column) width = r.end.column - r.begin.column;
    if (r.begin.column - 1 + width > 401) width = 1;
    std::string marker = "^" + std::string(width - 1, '~');
    if (r.begin.column > 401) {
      out << std::string(gutter.size(), ' ') << " | (column " << r.begin.column << ")\n";
      return;
    }
    out << std::string(gutter.size(), ' ') << " | " << caret_padding(shown, r.begin.column - 1) << paint(kGreen, marker)
        << '\n';
  };
  print_snippet(d.file, d.range);

  for (const Note& n : d.notes) {
    if (n.range.valid()) {
      out << paint(kBold, location(d.file, n.range) + ":") << ' ' << paint(kCyan, "note:") << ' ' << n.message << '\n';
      print_snippet(d.file, n.range);
    } else {
      out << "      = " << paint(kCyan, "note:") << ' ' << n.message << '\n';
    }
  }
  if (!d.hint.empty()) out << "      = " << paint(kGreen, "hint:") << ' ' << d.hint << '\n';
}

nlohmann::ordered_json to_json(const SourceRange& r) {
  return {{"line", r.begin.line}, {"column", r.begin.column}, {"end_line", r.end.line}, {"end_column", r.end.column}};
}

nlohmann::ordered_json to_json(const Diagnostic& d) {
  nlohmann::ordered_json j;
  j["id"] = d.id;
  j["severity"] = std::string(severity_name(d.severity));
  j["message"] = d.message;
  j["file"] = d.file;
  j["range"] = to_json(d.range);
  auto notes = nlohmann::ordered_json::array();
  for (const Note& n : d.notes) {
    nlohmann::ordered_json note{{"message", n.message}};
    if (n.range.valid()) note["range"] = to_json(n.range);
    notes.push_back(std::move(note));
  }
  j["notes"] = std::move(notes);
  if (!d.hint.empty()) j["hint"] = d.hint;
  return j;
}

}  // namespace paydrc::diag

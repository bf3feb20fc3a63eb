// Source text and positions shared by every phase: a file's bytes, and the
// 1-based line/column ranges that every AST node, IR object and finding carries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paydrc {

struct SourceLoc {
  std::uint32_t line = 0;    // 1-based; 0 means "no location"
  std::uint32_t column = 0;  // 1-based, counted in code points
  auto operator<=>(const SourceLoc&) const = default;
};

struct SourceRange {
  SourceLoc begin;
  SourceLoc end;  // exclusive; on the same line as begin for most nodes
  bool valid() const { return begin.line != 0; }
  auto operator<=>(const SourceRange&) const = default;
};

// A loaded spec file. `path` is the path as the user gave it (it appears in
// diagnostics); `text` holds the raw bytes.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  std::size_t line_count() const { return line_starts_.size(); }
  // The bytes of 1-based line `line`, without its line terminator.
  std::string_view line(std::uint32_t line) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace paydrc

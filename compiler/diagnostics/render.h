// Renderers for diagnostics: clang-style text with the source line and a caret, and JSON.
#pragma once

#include <map>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "diagnostics/diagnostic.h"
#include "support/source.h"

namespace paydrc::diag {

struct TextOptions {
  bool color = false;
};

// Files are looked up by Diagnostic::file to print the source line; a diagnostic
// whose file is not in `files` is printed without one.
using FileMap = std::map<std::string, const SourceFile*, std::less<>>;

void render_text(std::ostream& out, const Diagnostic& d, const FileMap& files, const TextOptions& opts);
nlohmann::ordered_json to_json(const Diagnostic& d);
nlohmann::ordered_json to_json(const SourceRange& r);

// Whether to color output written to a stream with this file descriptor: only on a
// terminal, and never when NO_COLOR is set (https://no-color.org).
bool want_color(int fd);

// Makes a source line printable: control bytes become U+FFFD-free escapes so the
// terminal is never driven by the input.
std::string printable(std::string_view line);

}  // namespace paydrc::diag

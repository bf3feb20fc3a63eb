#include "parse/utf8.h"

#include <fmt/format.h>

namespace paydrc::parse::utf8 {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
std::size_t sequence_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

constexpr std::size_t kMaxReports = 20;

}  // namespace

bool validate(std::string_view text, diag::Sink& sink) {
  std::uint32_t line = 1, column = 1;
  std::size_t reports = 0;
  auto report = [&](std::string message, std::string hint) {
    if (reports == kMaxReports) return;
    ++reports;
    SourceRange r{{line, column}, {line, column + 1}};
    sink.report(diag::Kind::InvalidEncoding, r, std::move(message), std::move(hint));
  };
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = sequence_length(text, i);
    if (n == 0) {
      report(fmt::format("invalid UTF-8 byte 0x{:02X}", c), "a .pdr spec is UTF-8 text; is this a binary file?");
      ++i;
      ++column;
      continue;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CR of a CRLF pair: the LF ends the line
    } else if (c == '\r') {
      report("lone carriage return", "use LF or CRLF line endings");
      ++column;
    } else {
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        report(fmt::format("control character U+{:04X} is not allowed", c),
               c == 0 ? "NUL bytes suggest a binary file or a wrong encoding"
                      : "remove it or write it as an escape inside a string");
      }
      ++column;
    }
    i += n;
  }
  return reports == 0;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t n = 0;
  for (char ch : text) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace paydrc::parse::utf8

// Diagnostics are data: a kind (stable id + severity, declared once in kinds.def),
// a message, a range, notes and a hint. Emission is separate from rendering.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/source.h"

namespace paydrc::diag {

enum class Severity { Note, Warning, Error };
std::string_view severity_name(Severity s);

enum class Kind {
#define DIAG(Name, Id, Sev) Name,
#include "diagnostics/kinds.def"
#undef DIAG
};

struct KindInfo {
  Kind kind;
  std::string_view id;
  Severity severity;
};
const std::vector<KindInfo>& all_kinds();
const KindInfo& info(Kind kind);

struct Note {
  std::string message;
  SourceRange range;  // may be invalid: a note without a location
};

struct Diagnostic {
  std::string id;  // a front-end kind id or a policy rule id
  Severity severity = Severity::Error;
  std::string message;
  std::string file;
  SourceRange range;
  std::vector<Note> notes;
  std::string hint;  // empty when there is none
};

// Collects diagnostics for one file. Phases append and keep going.
class Sink {
 public:
  explicit Sink(std::string file) : file_(std::move(file)) {}
  Diagnostic& report(Kind kind, SourceRange range, std::string message, std::string hint = {});
  Diagnostic& add(Diagnostic d);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::size_t error_count() const;
  bool has_errors() const { return error_count() != 0; }
  const std::string& file() const { return file_; }
  // Sorts by position (stable), so output order does not depend on phase order.
  void sort();

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace paydrc::diag

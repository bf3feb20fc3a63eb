#include "diagnostics/diagnostic.h"

#include <algorithm>

namespace paydrc::diag {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

const std::vector<KindInfo>& all_kinds() {
  static const std::vector<KindInfo> kinds = {
#define DIAG(Name, Id, Sev) {Kind::Name, Id, Severity::Sev},
#include "diagnostics/kinds.def"
#undef DIAG
  };
  return kinds;
}

const KindInfo& info(Kind kind) {
  return all_kinds()[static_cast<std::size_t>(kind)];
}

Diagnostic& Sink::report(Kind kind, SourceRange range, std::string message, std::string hint) {
  const KindInfo& k = info(kind);
  Diagnostic d;
  d.id = std::string(k.id);
  d.severity = k.severity;
  d.message = std::move(message);
  d.range = range;
  d.hint = std::move(hint);
  return add(std::move(d));
}

Diagnostic& Sink::add(Diagnostic d) {
  if (d.file.empty()) d.file = file_;
  diagnostics_.push_back(std::move(d));
  return diagnostics_.back();
}

std::size_t Sink::error_count() const {
  return static_cast<std::size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                                [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

void Sink::sort() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.range.begin < b.range.begin; });
}

}  // namespace paydrc::diag

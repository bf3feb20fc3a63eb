#include "engine/environments.h"

#include <fmt/format.h>

#include <algorithm>

#include "lower/lower.h"

namespace paydrc::policies {
namespace {

bool same_finding(const Finding& a, const Finding& b) {
  const diag::Diagnostic& x = a.diagnostic;
  const diag::Diagnostic& y = b.diagnostic;
  return x.id == y.id && x.severity == y.severity && x.range.begin == y.range.begin && x.range.end == y.range.end &&
         x.message == y.message && x.file == y.file && a.scope == b.scope && a.waived == b.waived &&
         a.waiver_reason == b.waiver_reason && a.waiver_until == b.waiver_until;
}

}  // namespace

Report run_each(const std::vector<ir::System>& systems, const RunOptions& options, diag::Sink& sink) {
  Report merged;
  bool first = true;
  for (const ir::System& system : systems) {
    infra::Model model = lower::lower(system, {});
    Report r = run(system, model, options, sink);
    if (first) {
      merged.packs = r.packs;
      merged.pack_sources = std::move(r.pack_sources);
      merged.custom_rules = r.custom_rules;
      first = false;
    }
    // Packs are the same in every environment (`packs` cannot vary): when
    // they fail, they fail once.
    if (!r.packs_ok) {
      merged.packs_ok = false;
      return merged;
    }
    for (Finding& f : r.findings) {
      auto it = std::find_if(merged.findings.begin(), merged.findings.end(),
                             [&](const Finding& m) { return same_finding(m, f); });
      if (it == merged.findings.end()) {
        merged.findings.push_back(std::move(f));
      } else {
        for (const std::string& e : f.environments) it->environments.push_back(e);
      }
    }
  }
  std::stable_sort(merged.findings.begin(), merged.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.diagnostic.range.begin != b.diagnostic.range.begin)
      return a.diagnostic.range.begin < b.diagnostic.range.begin;
    if (a.diagnostic.id != b.diagnostic.id) return a.diagnostic.id < b.diagnostic.id;
    return a.waived < b.waived;
  });
  return merged;
}

diag::Diagnostic presented(const Finding& f) {
  diag::Diagnostic d = f.diagnostic;
  if (f.waived) {
    d.message = fmt::format("waived: {}", d.message);
    d.severity = diag::Severity::Note;
    d.notes.push_back({fmt::format("waiver until {}: {}", f.waiver_until, f.waiver_reason), {}});
  }
  if (!f.environments.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& e : f.environments) quoted.push_back(fmt::format("`{}`", e));
    d.notes.push_back({fmt::format("in environment{} {}", quoted.size() == 1 ? "" : "s", fmt::join(quoted, ", ")), {}});
  }
  return d;
}

}  // namespace paydrc::policies

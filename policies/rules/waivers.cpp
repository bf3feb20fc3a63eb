// The waiver rules: raised by the engine while it applies the spec's waivers.
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& waiver_expired() {
  static const Rule rule{
      {"WAIVER-EXPIRED", "waivers are renewed or removed when they expire", Category::Waiver, diag::Severity::Error,
       "an expired waiver no longer waives anything; the finding it covered is reported again",
       "PCI DSS v4.0 12.5.2 (scope and exceptions reviewed)"},
      nullptr};
  return rule;
}

const Rule& waiver_unused() {
  static const Rule rule{{"WAIVER-UNUSED", "every waiver matches a finding", Category::Waiver, diag::Severity::Warning,
                          "a waiver that matches nothing hides nothing today and would silently hide a future "
                          "finding; remove it",
                          ""},
                         nullptr};
  return rule;
}

const Rule& waiver_unknown_rule() {
  static const Rule rule{{"WAIVER-UNKNOWN-RULE", "waivers name an existing rule", Category::Waiver,
                          diag::Severity::Error, "a waiver for a rule id that does not exist is a typo", ""},
                         nullptr};
  return rule;
}

const Rule& waiver_not_allowed() {
  static const Rule rule{{"WAIVER-NOT-ALLOWED", "waivers name only rules the packs let a spec waive",
                          Category::Waiver, diag::Severity::Error,
                          "a pack marks some rules `waivable: false` (a literal secret, for one, is never an accepted "
                          "risk), and the waiver rules themselves are never waived; such a waiver waives nothing and "
                          "the finding it names stays",
                          "PCI DSS v4.0 12.5.2 (scope and exceptions reviewed)"},
                         nullptr};
  return rule;
}

const Rule& waiver_too_long() {
  static const Rule rule{{"WAIVER-TOO-LONG", "waivers expire within the packs' longest term", Category::Waiver,
                          diag::Severity::Error,
                          "a waiver is an accepted risk that someone reviews again: one that runs for years is a "
                          "permanent exception nobody re-reads. `max_days` (default 365) bounds how far past today "
                          "its `until` may lie",
                          "PCI DSS v4.0 12.5.2 (reviewed at least once every 12 months)"},
                         nullptr};
  return rule;
}

const Rule& waiver_expiring() {
  static const Rule rule{{"WAIVER-EXPIRING", "waivers about to expire are renewed or fixed in time",
                          Category::Waiver, diag::Severity::Warning,
                          "a waiver that expires turns its finding back on, and a gate that was green fails on a "
                          "day nobody changed anything; `warn_days` (default 30) gives the team that warning ahead",
                          ""},
                         nullptr};
  return rule;
}

const Rule& waiver_reason() {
  static const Rule rule{{"WAIVER-REASON", "every waiver says why in words a reviewer can check", Category::Waiver,
                          diag::Severity::Error,
                          "`reason = \"ok\"` accepts a risk without saying which or why; `min_chars` (default 20) "
                          "asks for a sentence",
                          "PCI DSS v4.0 12.5.2 (scope and exceptions reviewed)"},
                         nullptr};
  return rule;
}

}  // namespace paydrc::policies::rules

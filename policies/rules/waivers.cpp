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

}  // namespace paydrc::policies::rules

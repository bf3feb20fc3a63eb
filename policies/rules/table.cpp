// The rule table: one line per rule. Adding a rule: write policies/rules/<id>.cpp,
// declare its accessor in rules.h, add its line here, enable it in a pack and add
// a passing and a failing case under golden/policies/ (tests/policies enforces it).
#include "rules/rules.h"

namespace paydrc::policies {

const std::vector<Rule>& all_rules() {
  static const std::vector<Rule> table = [] {
    std::vector<Rule> t;
    for (const Rule& (*rule)() : {
             rules::dr_rto,
             rules::dr_rpo,
             rules::dr_operator_response,
             rules::dr_lag_alarm,
             rules::dr_cross_region_copy,
             rules::dr_single_instance,
             rules::dr_runtime_lifecycle,
             rules::dr_events_archive,
             rules::cost_budget,
             rules::cost_nat_single,
             rules::waiver_expired,
             rules::waiver_unused,
             rules::waiver_unknown_rule,
         }) {
      t.push_back(rule());
    }
    return t;
  }();
  return table;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule& r : all_rules()) {
    if (r.info.id == id) return &r;
  }
  return nullptr;
}

}  // namespace paydrc::policies

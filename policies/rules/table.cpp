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
             rules::dr_measurement,
             rules::dr_failover_path,
             rules::dr_zone_delegation,
             rules::dr_zone_reserved,
             rules::dr_api_account_role,
             rules::cost_budget,
             rules::cost_nat_single,
             rules::sec_encryption_cmk,
             rules::sec_kms_rotation,
             rules::sec_secret_rotation,
             rules::sec_api_waf,
             rules::sec_db_tls,
             rules::sec_db_private,
             rules::sec_db_deletion_protection,
             rules::sec_db_iam_auth,
             rules::sec_db_audit_logs,
             rules::sec_db_monitoring,
             rules::sec_no_literal_secret,
             rules::sec_iam_least_privilege,
             rules::sec_iam_confused_deputy,
             rules::sec_sg_open_ingress,
             rules::sec_vpc_flow_logs,
             rules::sec_fn_vpc,
             rules::sec_fn_tracing,
             rules::sec_fn_concurrency,
             rules::sec_fn_dead_letter,
             rules::sec_messaging_tls,
             rules::sec_log_retention,
             rules::sec_table_pitr,
             rules::sec_backup_coverage,
             rules::sec_api_authorization,
             rules::sec_health_check_https,
             rules::waiver_expired,
             rules::waiver_unused,
             rules::waiver_not_allowed,
             rules::waiver_too_long,
             rules::waiver_expiring,
             rules::waiver_reason,
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

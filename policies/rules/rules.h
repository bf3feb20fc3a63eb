// Every rule, one accessor per rule file; policies/rules/table.cpp lists them.
#pragma once

#include "engine/rule.h"

namespace paydrc::policies::rules {

// Disaster recovery (over the IR)
const Rule& dr_rto();
const Rule& dr_rpo();
const Rule& dr_operator_response();
const Rule& dr_lag_alarm();
const Rule& dr_cross_region_copy();
const Rule& dr_single_instance();
const Rule& dr_runtime_lifecycle();
const Rule& dr_events_archive();
const Rule& dr_measurement();
const Rule& dr_failover_path();
const Rule& dr_zone_delegation();
const Rule& dr_zone_reserved();
// Cost
const Rule& cost_budget();
const Rule& cost_nat_single();
// Security (over the infra model)
const Rule& sec_encryption_cmk();
const Rule& sec_kms_rotation();
const Rule& sec_secret_rotation();
const Rule& sec_api_waf();
const Rule& dr_api_account_role();
const Rule& sec_db_tls();
const Rule& sec_db_private();
const Rule& sec_db_deletion_protection();
const Rule& sec_db_iam_auth();
const Rule& sec_db_audit_logs();
const Rule& sec_db_monitoring();
const Rule& sec_no_literal_secret();
const Rule& sec_iam_least_privilege();
const Rule& sec_iam_confused_deputy();
const Rule& sec_sg_open_ingress();
const Rule& sec_vpc_flow_logs();
const Rule& sec_fn_vpc();
const Rule& sec_fn_tracing();
const Rule& sec_fn_concurrency();
const Rule& sec_fn_dead_letter();
const Rule& sec_messaging_tls();
const Rule& sec_log_retention();
const Rule& sec_table_pitr();
const Rule& sec_backup_coverage();
const Rule& sec_api_authorization();
const Rule& sec_health_check_https();
// Waivers (raised by the engine)
const Rule& waiver_expired();
const Rule& waiver_unused();
const Rule& waiver_not_allowed();
const Rule& waiver_too_long();
const Rule& waiver_expiring();
const Rule& waiver_reason();
const Rule& waiver_unknown_rule();

}  // namespace paydrc::policies::rules

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
// Cost
const Rule& cost_budget();
const Rule& cost_nat_single();
// Waivers (raised by the engine)
const Rule& waiver_expired();
const Rule& waiver_unused();
const Rule& waiver_unknown_rule();

}  // namespace paydrc::policies::rules

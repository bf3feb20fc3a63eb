// Internal to policies/dr: what every scenario's terms share — the spec, the
// model lowering produced from it, the recovery facts with the spec's own
// measurements in place of planning figures — and the lookups that find, in the
// model, the resources that deliver a term.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dr/analysis.h"

namespace paydrc::policies::dr {

struct Inputs {
  const ir::System& system;
  const infra::Model& model;
  const RecoveryFacts& facts;
};

// Bound arithmetic.
void add_sum(Bound& b, Contributor c);
void add_max(Bound& b, Contributor c);
void mark_unbounded(Bound& b, std::string reason, SourceRange range, std::string hint = {});

// A recovery fact as a term: the spec's measurement of it when there is one
// (Basis::Measured, its source, its range), else the fact with its own basis.
Contributor fact_term(const Inputs& in, std::string_view name, std::string what, SourceRange range);

template <typename T>
Evidence evidence(infra::Kind kind, const T& resource, std::string role) {
  return {kind, resource.id, resource.region, std::move(role)};
}

// The alarms lowering generated from a spec alarm (one per region it is placed in).
std::vector<const infra::Alarm*> alarms_from(const infra::Model& m, std::string_view spec_alarm);
// The alarm on a Route 53 health check's status, if lowering generated one.
const infra::Alarm* health_check_alarm(const infra::Model& m, std::string_view health_check);
// Who an alarm pages: the subscriptions of its topic and the spec's existing
// topics, as evidence. Empty when the alarm notifies nobody.
std::vector<Evidence> paging_evidence(const infra::Model& m, const infra::Alarm& alarm);
// Period x evaluation periods: how long a breach lasts before the alarm fires.
ir::Seconds alarm_delay(const infra::Alarm& alarm);

template <typename T>
const T* find_id(const std::vector<T>& items, std::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

// The region role a region outage takes away: the primary of the first failover,
// else the first database's writer, else the first region.
std::string lost_region(const ir::System& s);

Bound region_outage_rto(const Inputs& in);
Bound region_outage_rpo(const Inputs& in);
Bound az_outage_rto(const Inputs& in, const Bound& region_rto);
Bound az_outage_rpo(const Inputs& in);
Bound logical_corruption_rto(const Inputs& in);
Bound logical_corruption_rpo(const Inputs& in);

}  // namespace paydrc::policies::dr

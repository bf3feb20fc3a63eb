// Finding, in the infra model, the resources that deliver a recovery term, and the
// arithmetic every scenario shares.
#include <algorithm>

#include "dr/terms.h"

namespace paydrc::policies::dr {

void add_sum(Bound& b, Contributor c) {
  b.total += c.seconds;
  b.contributors.push_back(std::move(c));
}

void add_max(Bound& b, Contributor c) {
  b.total = std::max(b.total, c.seconds);
  b.contributors.push_back(std::move(c));
}

void mark_unbounded(Bound& b, std::string reason, SourceRange range, std::string hint) {
  if (b.unbounded) return;  // the first reason is the one to fix first
  b.unbounded = true;
  b.unbounded_reason = std::move(reason);
  b.unbounded_hint = std::move(hint);
  b.unbounded_range = range;
}

Contributor fact_term(const Inputs& in, std::string_view name, std::string what, SourceRange range) {
  for (const ir::Measurement& m : in.system.measurements) {
    if (m.name != name) continue;
    return {std::move(what), m.seconds, m.origin.at("value"), "measured: " + m.source, Basis::Measured, {}};
  }
  const RecoveryFact& f = in.facts.at(name);
  return {std::move(what), f.seconds, range, f.source, f.planning ? Basis::Planning : Basis::Published, {}};
}

std::vector<const infra::Alarm*> alarms_from(const infra::Model& m, std::string_view spec_alarm) {
  std::vector<const infra::Alarm*> out;
  for (const infra::Alarm& a : m.alarms) {
    if (a.spec_alarm == spec_alarm) out.push_back(&a);
  }
  return out;
}

const infra::Alarm* health_check_alarm(const infra::Model& m, std::string_view health_check) {
  for (const infra::Alarm& a : m.alarms) {
    if (a.watches && a.watches->kind == infra::Kind::HealthCheck && a.watches->id == health_check) return &a;
  }
  return nullptr;
}

std::vector<Evidence> paging_evidence(const infra::Model& m, const infra::Alarm& alarm) {
  std::vector<Evidence> out;
  for (const infra::TopicSubscription& s : m.topic_subscriptions) {
    if (s.topic == alarm.topic) out.push_back(evidence(infra::Kind::TopicSubscription, s, "pages " + s.protocol));
  }
  if (!out.empty() || !alarm.external_topics.empty()) {
    if (const infra::Topic* t = find_id(m.topics, alarm.topic)) {
      out.insert(out.begin(), evidence(infra::Kind::Topic, *t, "notifies"));
    }
  }
  return out;
}

ir::Seconds alarm_delay(const infra::Alarm& alarm) {
  return static_cast<ir::Seconds>(alarm.period) * std::max(1, alarm.evaluation_periods);
}

std::string lost_region(const ir::System& s) {
  if (!s.failovers.empty()) return s.failovers.front().primary;
  if (!s.databases.empty()) return s.databases.front().active_writer();
  return s.regions.empty() ? std::string() : s.regions.front().role;
}

}  // namespace paydrc::policies::dr

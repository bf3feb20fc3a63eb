// EventBridge buses, and the cross-region rules with their targets.
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

void emit_events(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::EventBus& b : m.event_buses) {
    doc.resource("aws_cloudwatch_event_bus", b.id, b.region) = {
        {"provider", "aws." + b.region}, {"name", Document::text(b.name)}, {"tags", Document::name_tag(b.name)}};
    if (b.archive_retention_days > 0) {
      doc.resource("aws_cloudwatch_event_archive", b.id, b.region) = {
          {"provider", "aws." + b.region},
          {"name", Document::text(b.name)},
          {"event_source_arn", Document::ref(Kind::EventBus, b.id, Attr::Arn)},
          {"retention_days", b.archive_retention_days}};
    }
  }
  for (const infra::EventRule& r : m.event_rules) {
    doc.resource("aws_cloudwatch_event_rule", r.id, r.region) = {
        {"provider", "aws." + r.region},
        {"name", Document::text(r.name)},
        {"description", r.description},
        {"event_bus_name", Document::ref(Kind::EventBus, r.bus, Attr::Name)},
        {"event_pattern", Document::text(r.pattern)},
        {"tags", Document::name_tag(r.name)}};
    json& target = doc.resource("aws_cloudwatch_event_target", r.id, r.region);
    target = {{"provider", "aws." + r.region},
              {"rule", Document::ref(Kind::EventRule, r.id, Attr::Name)},
              {"event_bus_name", Document::ref(Kind::EventBus, r.bus, Attr::Name)},
              {"target_id", "replica"},
              {"arn", Document::text(r.target_bus)},
              {"role_arn", Document::ref(Kind::Role, r.role, Attr::Arn)},
              {"retry_policy", json::array({{{"maximum_event_age_in_seconds", r.max_event_age_seconds},
                                             {"maximum_retry_attempts", r.retry_attempts}}})}};
    if (!r.dead_letter_queue.empty()) {
      target["dead_letter_config"] =
          json::array({{{"arn", Document::ref(Kind::Queue, r.dead_letter_queue, Attr::Arn)}}});
    }
  }
}

}  // namespace paydrc::backends::terraform

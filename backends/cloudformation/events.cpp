// EventBridge buses, and the cross-region rules with their targets.
#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

void emit_events(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::EventBus& bus : m.event_buses) {
    b.begin(Kind::EventBus, bus.id);
    b.resource(Builder::logical(Kind::EventBus, bus.id), "AWS::Events::EventBus")["Properties"] = {
        {"Name", b.text(bus.name)}, {"Tags", b.name_tags(bus.name)}};
    if (bus.archive_retention_days > 0) {
      b.resource(Builder::logical(Kind::EventBus, bus.id) + "Archive", "AWS::Events::Archive")["Properties"] = {
          {"ArchiveName", b.text(bus.name)},
          {"SourceArn", b.ref(Kind::EventBus, bus.id, Attr::Arn)},
          {"RetentionDays", bus.archive_retention_days}};
    }
  }
  for (const infra::EventRule& r : m.event_rules) {
    b.begin(Kind::EventRule, r.id);
    // The target bus is in another region: its ARN comes from an earlier stack.
    json target = {{"Id", "replica"},
                   {"Arn", b.text(r.target_bus)},
                   {"RoleArn", b.ref(Kind::Role, r.role, Attr::Arn)},
                   {"RetryPolicy",
                    {{"MaximumEventAgeInSeconds", r.max_event_age_seconds},
                     {"MaximumRetryAttempts", r.retry_attempts}}}};
    if (!r.dead_letter_queue.empty()) {
      target["DeadLetterConfig"] = {{"Arn", b.ref(Kind::Queue, r.dead_letter_queue, Attr::Arn)}};
    }
    b.resource(Builder::logical(Kind::EventRule, r.id), "AWS::Events::Rule")["Properties"] = {
        {"Name", b.text(r.name)},
        {"Description", r.description},
        {"EventBusName", b.ref(Kind::EventBus, r.bus, Attr::Name)},
        {"EventPattern", b.text(r.pattern)},
        {"State", "ENABLED"},
        {"Targets", json::array({target})}};
  }
}

}  // namespace paydrc::backends::cloudformation

// EventBridge: a custom bus per region for each `events` block, and a rule on the
// source bus forwarding this account's events to each replica bus, with the role
// EventBridge assumes to put them there, a retry policy and a dead-letter queue
// for what it could not deliver.
#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {

using infra::Ref;
using infra::Text;

namespace {

// EventBridge encrypts what it sends to a queue with the queue's KMS key, so the
// key policy lets it (EventBridge User Guide, dead-letter queues: "if you use a
// customer managed key, grant EventBridge kms:Decrypt and kms:GenerateDataKey").
void allow_events_to_use_key(Context& cx, const std::string& role) {
  for (infra::Key& key : cx.model.keys) {
    if (key.id != Context::key_id(role)) continue;
    for (const infra::Statement& s : key.policy.statements) {
      if (s.sid == "EventBridgeSendsToEncryptedQueue") return;
    }
    infra::Statement use;
    use.sid = "EventBridgeSendsToEncryptedQueue";
    use.actions = {"kms:Decrypt", "kms:GenerateDataKey"};
    use.resources = {Text("*")};
    use.principals = {{"Service", {Text("events.amazonaws.com")}}};
    use.conditions = {{"StringEquals", "aws:SourceAccount", {Text(infra::AccountId{})}}};
    use.wildcard_reason = "in a key policy \"*\" means this key";
    key.policy.statements.push_back(std::move(use));
  }
}

}  // namespace

void lower_events(Context& cx) {
  infra::Model& m = cx.model;
  for (const ir::EventReplication& events : cx.system.events) {
    std::vector<std::string> roles{events.from};
    for (const std::string& to : events.to) roles.push_back(to);
    for (const std::string& role : roles) {
      if (!cx.has_region(role)) continue;
      infra::EventBus bus;
      bus.id = Context::bus_id(events.name, role);
      bus.region = role;
      bus.origin = events.origin.range;
      bus.name = cx.name({events.name, role});
      // EventBridge replays an archive only to the bus that created it (EventBridge
      // User Guide, "Archiving and replaying events"), so an archive in the lost
      // region cannot help there. Each receiving bus archives what reached it and
      // can replay it where it survives; the source bus archives too, since either
      // region publishes after a failover.
      if (events.archive) bus.archive_retention_days = 30;
      m.event_buses.push_back(std::move(bus));
    }

    for (const std::string& to : events.to) {
      if (!cx.has_region(to) || !cx.has_region(events.from)) continue;
      const std::string target_bus = Context::bus_id(events.name, to);

      infra::Role role;
      role.id = fmt::format("{}_to_{}", events.name, to);
      role.region = events.from;
      role.origin = events.origin.at("to");
      role.name = cx.name({events.name, "to", to});
      role.description = fmt::format("EventBridge forwards {} events from {} to {}", events.name, events.from, to);
      role.trusted_services = {"events.amazonaws.com"};
      // Confused deputy: only this rule (EventBridge User Guide, "Cross-service
      // confused deputy prevention": for event bus rule targets aws:SourceArn is the
      // rule's ARN). Written out, not referenced: the rule's target names the role.
      role.trust_conditions = {
          {"StringEquals", "aws:SourceAccount", {Text(infra::AccountId{})}},
          {"ArnEquals", "aws:SourceArn",
           {cx.arn("events", events.from,
                   Text("rule/") + cx.name({events.name, events.from}) + Text("/") +
                       cx.name({events.name, "to", to}))}}};
      infra::Statement put;
      put.sid = "PutEventsOnReplicaBus";
      put.actions = {"events:PutEvents"};
      put.resources = {Text(Ref{infra::Kind::EventBus, target_bus, infra::Attr::Arn})};
      role.policies.push_back({"forward-events", {{put}}});
      m.roles.push_back(role);

      // Events EventBridge could not deliver to the other region within the retry
      // policy land here instead of being dropped (EventBridge User Guide, "Using
      // dead-letter queues to process undelivered events"): an encrypted queue in
      // the source region that only this rule may send to.
      infra::Queue dlq;
      dlq.id = role.id + "_dlq";
      dlq.region = events.from;
      dlq.origin = events.origin.at("to");
      dlq.name = cx.name({events.name, "to", to, "dlq"});
      dlq.key = Context::key_id(events.from);
      infra::Statement send;
      send.sid = "EventBridgeRuleSendsUndelivered";
      send.actions = {"sqs:SendMessage"};
      send.resources = {Text(Ref{infra::Kind::Queue, dlq.id, infra::Attr::Arn})};
      send.principals = {{"Service", {Text("events.amazonaws.com")}}};
      send.conditions = {{"ArnEquals", "aws:SourceArn", {Text(Ref{infra::Kind::EventRule, role.id, infra::Attr::Arn})}}};
      dlq.policy.statements.push_back(std::move(send));
      m.queues.push_back(dlq);
      allow_events_to_use_key(cx, events.from);

      infra::EventRule rule;
      rule.id = role.id;
      rule.region = events.from;
      rule.origin = events.origin.at("to");
      rule.name = cx.name({events.name, "to", to});
      rule.description = fmt::format("replicate {} events to {}", events.name, cx.aws_region(to));
      rule.bus = Context::bus_id(events.name, events.from);
      // Every event this account puts on the bus.
      rule.pattern = Text("{\"account\":[\"") + infra::AccountId{} + Text("\"]}");
      rule.target_bus = Text(Ref{infra::Kind::EventBus, target_bus, infra::Attr::Arn});
      rule.role = role.id;
      rule.dead_letter_queue = dlq.id;
      // EventBridge's own maximums (PutTargets RetryPolicy): keep retrying a
      // region that is down for as long as AWS allows before dead-lettering.
      rule.retry_attempts = 185;
      rule.max_event_age_seconds = 86400;
      m.event_rules.push_back(std::move(rule));
    }
  }
}

}  // namespace paydrc::lower

// EventBridge: a custom bus per region for each `events` block, and a rule on the
// source bus forwarding this account's events to each replica bus, with the role
// EventBridge assumes to put them there.
#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {

using infra::Ref;
using infra::Text;

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
      // Every bus archives, since either region publishes after a failover: events
      // that were not forwarded when a region failed can be replayed once it returns.
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
      infra::Statement put;
      put.sid = "PutEventsOnReplicaBus";
      put.actions = {"events:PutEvents"};
      put.resources = {Text(Ref{infra::Kind::EventBus, target_bus, infra::Attr::Arn})};
      role.policies.push_back({"forward-events", {{put}}});
      m.roles.push_back(role);

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
      m.event_rules.push_back(std::move(rule));
    }
  }
}

}  // namespace paydrc::lower

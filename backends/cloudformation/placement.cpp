#include "cloudformation/placement.h"

#include "common/staging.h"

namespace paydrc::backends::cloudformation {

std::optional<Placement> place(const infra::Model& model, const Builder& discovered, std::string& error) {
  // The discovered units, numbered for the staging graph.
  std::map<Unit, std::size_t> number;
  std::vector<Unit> units;
  auto unit_number = [&](const Unit& u) {
    auto [it, added] = number.emplace(u, units.size());
    if (added) units.push_back(u);
    return it->second;
  };
  for (const auto& [u, region] : discovered.regions()) unit_number(u);
  std::vector<StageUnit> graph(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    graph[i].name = u.id;
    graph[i].region = discovered.regions().at(u);
    // Route 53 health checks and failover records deploy together and last: the
    // failover name answers once every region's front door does.
    // A REST front door's regional health name goes with the check that probes it.
    graph[i].cut_over = u.kind == infra::Kind::HealthCheck || u.kind == infra::Kind::FailoverRecord ||
                        u.kind == infra::Kind::ApiRecord;
  }
  for (const auto& [u, deps] : discovered.edges()) {
    for (const Unit& d : deps) {
      const std::size_t to = unit_number(d);
      if (to >= graph.size()) graph.push_back({d.id, "", false, {}});
      graph[number.at(u)].deps.insert(to);
    }
  }

  std::optional<Staging> staging = stage(model, graph, "stack", error);
  if (!staging) return std::nullopt;
  Placement placement;
  for (const StageSlot& slot : staging->slots) {
    Stack s;
    s.role = slot.role;
    s.aws_region = slot.aws_region;
    s.stage = slot.stage_name;
    s.purpose = slot.purpose;
    const bool plain = slot.stage == Stage::Main || slot.stage == Stage::Regional;
    s.name = model.system + "-" + slot.role + (plain ? "" : "-" + slot.stage_name);
    placement.stacks.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < units.size(); ++i) placement.stack_of[units[i]] = staging->slot_of[i];
  return placement;
}

}  // namespace paydrc::backends::cloudformation

#include "cloudformation/placement.h"

#include <functional>

namespace paydrc::backends::cloudformation {

namespace {

using infra::Kind;

enum class Stage { Foundation, Main, Regional, Failover, Watch };

// Route 53 health checks and failover records deploy together and last: the
// failover name answers once every region's front door does.
bool cut_over(const Unit& u) {
  return u.kind == Kind::HealthCheck || u.kind == Kind::FailoverRecord;
}

}  // namespace

std::optional<Placement> place(const infra::Model& model, const Builder& discovered, std::string& error) {
  const auto& regions = discovered.regions();
  const auto& edges = discovered.edges();
  const std::string home = model.regions.empty() ? std::string() : model.regions.front().role;
  auto region_of = [&](const Unit& u) {
    auto it = regions.find(u);
    return it == regions.end() || it->second.empty() ? home : it->second;
  };
  auto deps_of = [&](const Unit& u) -> const std::set<Unit>& {
    static const std::set<Unit> none;
    auto it = edges.find(u);
    return it == edges.end() ? none : it->second;
  };

  // Whether a unit in another region needs (transitively) anything of the home region.
  std::map<Unit, bool> needs_home;
  std::function<bool(const Unit&)> reaches_home = [&](const Unit& u) -> bool {
    if (region_of(u) == home) return true;
    if (auto it = needs_home.find(u); it != needs_home.end()) return it->second;
    needs_home[u] = false;  // the model's references form no cycle; guard anyway
    bool found = false;
    for (const Unit& d : deps_of(u)) found = found || reaches_home(d);
    return needs_home[u] = found;
  };

  // Foundation: what home units refer to in other regions, with its own needs.
  std::set<Unit> foundation;
  std::function<void(const Unit&)> add_foundation = [&](const Unit& u) {
    if (region_of(u) == home || !foundation.insert(u).second) return;
    for (const Unit& d : deps_of(u)) add_foundation(d);
  };
  for (const auto& [u, region] : regions) {
    if (region_of(u) != home) continue;
    for (const Unit& d : deps_of(u)) {
      if (region_of(d) != home && !reaches_home(d)) add_foundation(d);
    }
  }

  // Failover: home units that need a non-foundation unit of another region,
  // every cut-over unit once there is one, and whatever needs those.
  std::set<Unit> late;
  for (const auto& [u, region] : regions) {
    if (region_of(u) != home) continue;
    for (const Unit& d : deps_of(u)) {
      if (region_of(d) != home && !foundation.count(d)) late.insert(u);
    }
  }
  if (!late.empty()) {
    for (const auto& [u, region] : regions) {
      if (region_of(u) == home && cut_over(u)) late.insert(u);
    }
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [u, region] : regions) {
      if (region_of(u) != home || late.count(u)) continue;
      for (const Unit& d : deps_of(u)) {
        if (late.count(d)) {
          late.insert(u);
          grew = true;
          break;
        }
      }
    }
  }

  // Watch: units of other regions that read the failover stack (Route 53
  // publishes health-check metrics in us-east-1 only, so a health-check alarm
  // lives there even when us-east-1 is not the home region).
  std::set<Unit> watch;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [u, region] : regions) {
      if (region_of(u) == home || watch.count(u)) continue;
      for (const Unit& d : deps_of(u)) {
        if (late.count(d) || watch.count(d)) {
          watch.insert(u);
          grew = true;
          break;
        }
      }
    }
  }

  // The stacks, in deploy order; empty ones are left out.
  Placement placement;
  std::map<std::pair<std::string, Stage>, std::size_t> index;
  auto stage_of = [&](const Unit& u) {
    if (region_of(u) == home) return late.count(u) ? Stage::Failover : Stage::Main;
    if (watch.count(u)) return Stage::Watch;
    return foundation.count(u) ? Stage::Foundation : Stage::Regional;
  };
  std::set<std::pair<std::string, Stage>> used;
  for (const auto& [u, region] : regions) used.insert({region_of(u), stage_of(u)});
  used.insert({home, Stage::Main});
  auto add = [&](const infra::RegionInfo& r, Stage stage) {
    if (!used.count({r.role, stage})) return;
    Stack s;
    s.role = r.role;
    s.aws_region = r.aws_region;
    switch (stage) {
      case Stage::Foundation:
        s.name = model.system + "-" + r.role + "-foundation";
        s.stage = "foundation";
        s.purpose = "what the " + home + " stack's global resources point at in " + r.aws_region +
                    " (replica keys, replication targets), before anything refers to " + home;
        break;
      case Stage::Main:
        s.name = model.system + "-" + r.role;
        s.stage = "main";
        s.purpose = "the " + home + " region (" + r.aws_region + ") and the global resources it owns";
        break;
      case Stage::Regional:
        s.name = model.system + "-" + r.role;
        s.stage = "regional";
        s.purpose = "the " + r.role + " region (" + r.aws_region + "), joining the global resources of " + home;
        break;
      case Stage::Failover:
        s.name = model.system + "-" + r.role + "-failover";
        s.stage = "failover";
        s.purpose = "Route 53 health checks and failover records, and the " + home +
                    " resources that read values of the other regions" + (watch.empty() ? ": deployed last" : "");
        break;
      case Stage::Watch:
        s.name = model.system + "-" + r.role + "-watch";
        s.stage = "watch";
        s.purpose = "what " + r.aws_region + " watches of the failover stack (the Route 53 health-check alarms: " +
                    "Route 53 publishes their metrics in us-east-1): deployed last";
        break;
    }
    index[{r.role, stage}] = placement.stacks.size();
    placement.stacks.push_back(std::move(s));
  };
  for (const infra::RegionInfo& r : model.regions) {
    if (r.role != home) add(r, Stage::Foundation);
  }
  if (!model.regions.empty()) add(model.regions.front(), Stage::Main);
  for (const infra::RegionInfo& r : model.regions) {
    if (r.role != home) add(r, Stage::Regional);
  }
  if (!model.regions.empty()) add(model.regions.front(), Stage::Failover);
  for (const infra::RegionInfo& r : model.regions) {
    if (r.role != home) add(r, Stage::Watch);
  }

  for (const auto& [u, region] : regions) placement.stack_of[u] = index[{region_of(u), stage_of(u)}];
  for (const auto& [u, deps] : edges) {
    for (const Unit& d : deps) {
      if (placement.stack_of[d] > placement.stack_of[u]) {
        error = "cannot order the CloudFormation stacks: `" + u.id + "` (stack " +
                placement.stacks[placement.stack_of[u]].name + ") needs `" + d.id + "` of the later stack " +
                placement.stacks[placement.stack_of[d]].name;
        return std::nullopt;
      }
    }
  }
  return placement;
}

}  // namespace paydrc::backends::cloudformation

#include "common/staging.h"

#include <functional>
#include <map>

namespace paydrc::backends {

std::optional<Staging> stage(const infra::Model& model, const std::vector<StageUnit>& units, const std::string& noun,
                             std::string& error) {
  const std::string home = model.regions.empty() ? std::string() : model.regions.front().role;
  const std::size_t n = units.size();
  auto region_of = [&](std::size_t u) { return units[u].region.empty() ? home : units[u].region; };
  auto at_home = [&](std::size_t u) { return region_of(u) == home; };

  // Whether a unit in another region needs (transitively) anything of the home region.
  std::map<std::size_t, bool> needs_home;
  std::function<bool(std::size_t)> reaches_home = [&](std::size_t u) -> bool {
    if (at_home(u)) return true;
    if (auto it = needs_home.find(u); it != needs_home.end()) return it->second;
    needs_home[u] = false;  // the references form no cycle; guard anyway
    bool found = false;
    for (std::size_t d : units[u].deps) found = found || reaches_home(d);
    return needs_home[u] = found;
  };

  // Foundation: what home units refer to in other regions, with its own needs.
  std::set<std::size_t> foundation;
  std::function<void(std::size_t)> add_foundation = [&](std::size_t u) {
    if (at_home(u) || !foundation.insert(u).second) return;
    for (std::size_t d : units[u].deps) add_foundation(d);
  };
  for (std::size_t u = 0; u < n; ++u) {
    if (!at_home(u)) continue;
    for (std::size_t d : units[u].deps) {
      if (!at_home(d) && !reaches_home(d)) add_foundation(d);
    }
  }

  // Failover: home units that need a non-foundation unit of another region,
  // every cut-over unit once there is one, and whatever needs those.
  std::set<std::size_t> late;
  for (std::size_t u = 0; u < n; ++u) {
    if (!at_home(u)) continue;
    for (std::size_t d : units[u].deps) {
      if (!at_home(d) && !foundation.count(d)) late.insert(u);
    }
  }
  if (!late.empty()) {
    for (std::size_t u = 0; u < n; ++u) {
      if (at_home(u) && units[u].cut_over) late.insert(u);
    }
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t u = 0; u < n; ++u) {
      if (!at_home(u) || late.count(u)) continue;
      for (std::size_t d : units[u].deps) {
        if (late.count(d)) {
          late.insert(u);
          grew = true;
          break;
        }
      }
    }
  }

  // Watch: units of other regions that read the failover stage (Route 53
  // publishes health-check metrics in us-east-1 only, so a health-check alarm
  // lives there even when us-east-1 is not the home region).
  std::set<std::size_t> watch;
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t u = 0; u < n; ++u) {
      if (at_home(u) || watch.count(u)) continue;
      for (std::size_t d : units[u].deps) {
        if (late.count(d) || watch.count(d)) {
          watch.insert(u);
          grew = true;
          break;
        }
      }
    }
  }

  // The slots, in deploy order; empty ones are left out.
  auto stage_of = [&](std::size_t u) {
    if (at_home(u)) return late.count(u) ? Stage::Failover : Stage::Main;
    if (watch.count(u)) return Stage::Watch;
    return foundation.count(u) ? Stage::Foundation : Stage::Regional;
  };
  std::set<std::pair<std::string, Stage>> used;
  for (std::size_t u = 0; u < n; ++u) used.insert({region_of(u), stage_of(u)});
  used.insert({home, Stage::Main});

  Staging staging;
  std::map<std::pair<std::string, Stage>, std::size_t> index;
  auto add = [&](const infra::RegionInfo& r, Stage stage) {
    if (!used.count({r.role, stage})) return;
    StageSlot s{r.role, r.aws_region, stage, "", ""};
    switch (stage) {
      case Stage::Foundation:
        s.stage_name = "foundation";
        s.purpose = "what the " + home + " " + noun + "'s global resources point at in " + r.aws_region +
                    " (replica keys, replication targets), before anything refers to " + home;
        break;
      case Stage::Main:
        s.stage_name = "main";
        s.purpose = "the " + home + " region (" + r.aws_region + ") and the global resources it owns";
        break;
      case Stage::Regional:
        s.stage_name = "regional";
        s.purpose = "the " + r.role + " region (" + r.aws_region + "), joining the global resources of " + home;
        break;
      case Stage::Failover:
        s.stage_name = "failover";
        s.purpose = "Route 53 health checks and failover records, and the " + home +
                    " resources that read values of the other regions" + (watch.empty() ? ": deployed last" : "");
        break;
      case Stage::Watch:
        s.stage_name = "watch";
        s.purpose = "what " + r.aws_region + " watches of the failover " + noun +
                    " (the Route 53 health-check alarms: Route 53 publishes their metrics in us-east-1): deployed last";
        break;
    }
    index[{r.role, stage}] = staging.slots.size();
    staging.slots.push_back(std::move(s));
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

  staging.slot_of.resize(n);
  for (std::size_t u = 0; u < n; ++u) staging.slot_of[u] = index[{region_of(u), stage_of(u)}];
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t d : units[u].deps) {
      if (staging.slot_of[d] > staging.slot_of[u]) {
        const StageSlot& a = staging.slots[staging.slot_of[u]];
        const StageSlot& b = staging.slots[staging.slot_of[d]];
        error = "cannot order the " + noun + "s: `" + units[u].name + "` (" + a.role + " " + a.stage_name +
                ") needs `" + units[d].name + "` of the later " + noun + " " + b.role + " " + b.stage_name;
        return std::nullopt;
      }
    }
  }
  return staging;
}

}  // namespace paydrc::backends

#include "driver/recovery.h"

#include <fmt/format.h>

#include "backends/backend.h"
#include "check/values.h"

namespace paydrc::driver {
namespace {

using Json = nlohmann::ordered_json;

Json location(const ir::System& s, const SourceRange& r) {
  if (!r.valid()) return Json();
  return fmt::format("{}:{}:{}", s.spec_path, r.begin.line, r.begin.column);
}

Json evidence_json(const std::vector<policies::Evidence>& evidence) {
  Json out = Json::array();
  for (const policies::Evidence& e : evidence) {
    out.push_back({{"model_id", e.id},
                   {"region", e.region},
                   {"role", e.role},
                   {"terraform", backends::terraform_address(e.kind, e.id)},
                   {"cloudformation", backends::cloudformation_logical_id(e.kind, e.id)}});
  }
  return out;
}

Json bound_json(const ir::System& s, const policies::Bound& b, ir::Seconds objective) {
  Json terms = Json::array();
  for (const policies::Contributor& c : b.contributors) {
    terms.push_back({{"what", c.what},
                     {"seconds", c.seconds},
                     {"basis", policies::basis_name(c.basis)},
                     {"source", c.source.empty() ? Json() : Json(c.source)},
                     {"at", location(s, c.range)},
                     {"evidence", evidence_json(c.evidence)}});
  }
  Json caveats = Json::array();
  for (const policies::Caveat& c : b.caveats) {
    caveats.push_back({{"what", c.what}, {"at", location(s, c.range)}, {"evidence", evidence_json(c.evidence)}});
  }
  return {{"objective_seconds", objective},
          {"achieved_seconds", b.unbounded ? Json() : Json(b.total)},
          {"met", !b.unbounded && b.total <= objective},
          {"combine", b.combine == policies::Bound::Combine::Sum ? "sum" : "max"},
          {"unbounded_reason", b.unbounded ? Json(b.unbounded_reason) : Json()},
          {"unbounded_at", b.unbounded ? location(s, b.unbounded_range) : Json()},
          {"terms", terms},
          {"caveats", caveats}};
}

}  // namespace

std::string cite(const policies::Evidence& e) {
  return fmt::format("{} / {} in {}", backends::terraform_address(e.kind, e.id),
                     backends::cloudformation_logical_id(e.kind, e.id), e.region);
}

Json recovery_json(const ir::System& system, const std::vector<policies::ScenarioResult>& results) {
  Json scenarios = Json::array();
  for (const policies::ScenarioResult& r : results) {
    scenarios.push_back({{"scenario", ir::scenario_name(r.scenario)},
                         {"rto", bound_json(system, r.rto, r.objective->rto)},
                         {"rpo", bound_json(system, r.rpo, r.objective->rpo)}});
  }
  Json out = {{"system", system.name}};
  if (!system.environment.empty()) out["environment"] = system.environment;
  out["objectives_met"] = objectives_met(results);
  out["scenarios"] = scenarios;
  return out;
}

bool objectives_met(const std::vector<policies::ScenarioResult>& results) {
  for (const policies::ScenarioResult& r : results) {
    for (auto [b, objective] : {std::pair{&r.rto, r.objective->rto}, std::pair{&r.rpo, r.objective->rpo}}) {
      if (b->unbounded || b->total > objective) return false;
    }
  }
  return true;
}

}  // namespace paydrc::driver

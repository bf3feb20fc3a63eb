// The DR analysis: for each failure scenario, the achievable RTO and RPO computed
// from the spec's own parameters, each as a sum or a maximum of named
// contributors, compared with the objectives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dr/facts.h"
#include "ir/ir.h"

namespace paydrc::policies {

struct Contributor {
  std::string what;  // "detection: health check every 30s x 3 failures"
  ir::Seconds seconds = 0;
  SourceRange range;   // where in the spec the number comes from
  std::string source;  // the fact's source, when it is not the spec's own number
};

// A bound is either a sum (RTO: steps happen one after another) or a maximum
// (RPO: the worst data tier) of contributors; `unbounded` when some tier has no bound.
struct Bound {
  ir::Seconds total = 0;
  bool unbounded = false;
  std::string unbounded_reason;
  SourceRange unbounded_range;
  std::vector<Contributor> contributors;
  const Contributor* largest() const;
};

struct ScenarioResult {
  ir::Scenario scenario;
  Bound rto;
  Bound rpo;
  const ir::Objective* objective = nullptr;
};

std::vector<ScenarioResult> analyse(const ir::System& system, const RecoveryFacts& facts);

std::string describe(ir::Scenario s);  // "region outage"
// A text table of the analysis, for `paydrc dr` and `paydrc explain`.
std::string render_budget(const std::vector<ScenarioResult>& results);

}  // namespace paydrc::policies

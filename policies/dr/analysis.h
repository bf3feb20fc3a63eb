// The DR analysis: for each failure scenario, the achievable RTO and RPO computed
// from what lowering generated (the infra model), each as a sum or a maximum of
// named terms, compared with the objectives. A term is claimed only when the
// resources that make it true are in the model; each term names them, so `dr`
// and `explain` can cite the Terraform address and CloudFormation logical id that
// deliver it, and a test can check that they exist in both backends' output.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dr/facts.h"
#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::policies {

// Where a term's number comes from.
enum class Basis {
  Deployed,    // a number the spec sets and the generated output configures (health-check interval)
  Published,   // a figure AWS documents (Aurora unplanned failover: about a minute)
  Planning,    // a planning figure AWS does not bound (restore time); replace it with a measurement
  Measured,    // the spec's own measurement (`measured aurora_restore { ... }`)
  Declared,    // a human commitment the spec declares and nothing deploys (operator response)
  Assumption,  // an assumption about clients nothing deploys (DNS caching beyond the TTL)
};
std::string_view basis_name(Basis b);  // deployed, published, planning, measured, declared, assumption

// A resource in the infra model that delivers (part of) a term.
struct Evidence {
  infra::Kind kind;
  std::string id;      // the model id; backends derive their address from it
  std::string region;  // the region role it lives in
  std::string role;    // what it does for the term: "detects", "pages", "promotes", ...
};

struct Contributor {
  std::string what;  // "detection: health check every 30s x 3 failures"
  ir::Seconds seconds = 0;
  SourceRange range;   // where in the spec the number comes from
  std::string source;  // the fact's source, when it is not the spec's own number
  Basis basis = Basis::Deployed;
  std::vector<Evidence> evidence;
};

// Something true about the scenario that the bound does not count, said plainly
// (events in flight when a region is lost).
struct Caveat {
  std::string what;
  SourceRange range;
  std::vector<Evidence> evidence;
};

// A bound is either a sum (steps that happen one after another) or a maximum
// (the slowest of independent parts) of contributors; `unbounded` when some part
// has no bound the generated system delivers.
struct Bound {
  enum class Combine { Sum, Max };
  Combine combine = Combine::Sum;
  ir::Seconds total = 0;
  bool unbounded = false;
  std::string unbounded_reason;
  std::string unbounded_hint;  // what to add so the bound exists; empty: the generic hint
  SourceRange unbounded_range;
  std::vector<Contributor> contributors;
  std::vector<Caveat> caveats;
  const Contributor* largest() const;
};

struct ScenarioResult {
  ir::Scenario scenario;
  Bound rto;
  Bound rpo;
  const ir::Objective* objective = nullptr;
};

std::vector<ScenarioResult> analyse(const ir::System& system, const infra::Model& model, const RecoveryFacts& facts);

std::string describe(ir::Scenario s);  // "region outage"

// How a renderer names a resource: "aws_route53_health_check.api_primary" and the like.
using Cite = std::function<std::string(const Evidence&)>;
// A text table of the analysis, for `paydrc dr` and `paydrc explain`; with `cite`,
// each term lists the resources that deliver it.
std::string render_budget(const std::vector<ScenarioResult>& results, const Cite& cite = {});

}  // namespace paydrc::policies

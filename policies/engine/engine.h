// The policy engine: runs the packs' rules over the IR and the infra model,
// applies the spec's waivers, and reports findings.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cost/estimate.h"
#include "diagnostics/diagnostic.h"
#include "dr/analysis.h"
#include "engine/custom_rules.h"
#include "engine/pack.h"
#include "engine/rule.h"
#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::policies {

struct RunOptions {
  std::string spec_dir;
  ir::Date today;
  // Overrides the spec's `packs` when not empty (paydrc check --pack).
  std::vector<std::string> packs;
};

struct Report {
  std::vector<Finding> findings;  // sorted by position; waived ones included
  std::vector<std::string> packs;
  std::vector<std::unique_ptr<SourceFile>> pack_sources;
  std::vector<CustomRule> custom_rules;  // the packs' YAML rules, for listings (SARIF)
  bool packs_ok = true;

  std::size_t unwaived_errors() const;
  std::size_t count(diag::Severity s, bool waived) const;
};

// Pack errors go to `sink` (and the report has packs_ok = false).
Report run(const ir::System& system, const infra::Model& model, const RunOptions& options, diag::Sink& sink);

}  // namespace paydrc::policies

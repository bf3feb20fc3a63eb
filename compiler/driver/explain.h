// `paydrc explain`: a Markdown review summary for pull requests — what the spec
// deploys, the recovery budget per scenario, the policy findings, the cost
// estimate, and the outage runbook and drill derived from the same model.
#pragma once

#include <string>

#include "backends/backend.h"
#include "cost/estimate.h"
#include "dr/analysis.h"
#include "engine/engine.h"
#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::driver {

struct ExplainInput {
  const ir::System& system;
  const infra::Model& model;
  const policies::Report& report;
  const std::vector<policies::ScenarioResult>& recovery;
  const policies::Estimate& estimate;
  std::string environment_suffix;
  // The target's files, when `--target` was given: the deploy section lists them.
  std::string target;
  const std::vector<backends::OutputFile>* files = nullptr;
  std::string runbook_markdown;  // `paydrc runbook`'s Markdown; empty: no runbook section
};

std::string explain_markdown(const ExplainInput& in);

}  // namespace paydrc::driver

// Shared by DR-RTO and DR-RPO: turns one bound of the analysis into a finding
// that points at the objective, with the budget in its notes.
#pragma once

#include "dr/analysis.h"
#include "engine/rule.h"

namespace paydrc::policies::rules {

enum class Measure { Rto, Rpo };

void check_objective(const Context& ctx, Findings& out, Measure measure);

}  // namespace paydrc::policies::rules

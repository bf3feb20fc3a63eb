// `paydrc check` judges every environment a spec declares: the rules run over
// each environment's system and model, and the findings are merged so that one
// finding says which environments it holds in. A prod-only violation is thus
// reported even when the compile at hand is dev's, and a waiver limited to
// some environments leaves the finding standing in the others.
#pragma once

#include <vector>

#include "engine/engine.h"

namespace paydrc::policies {

// Runs the packs over each system (one per environment, as the front end
// checked them) and merges the findings: equal findings (rule, place,
// message, waiver) become one listing its environments.
Report run_each(const std::vector<ir::System>& systems, const RunOptions& options, diag::Sink& sink);

// A finding as shown: a waived one as a note saying who accepted it until
// when; with environments, a note naming them.
diag::Diagnostic presented(const Finding& f);

}  // namespace paydrc::policies

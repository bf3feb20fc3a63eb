// The runbook of a checked spec for `paydrc runbook` and `paydrc explain`: the
// model, its recovery budget and where the backends put each output (runbook/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "dr/analysis.h"
#include "runbook/runbook.h"

namespace paydrc::driver {

// Nothing, with `error` set, when the deployment layout cannot be computed.
std::optional<runbook::Runbook> make_runbook(const ir::System& system, const std::vector<policies::ScenarioResult>& recovery,
                                             const backends::EmitOptions& options, const std::string& target,
                                             std::string& error);

}  // namespace paydrc::driver

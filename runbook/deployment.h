// Which CloudFormation stack and which Terraform root hold each model output.
// The one place the runbook asks the backends where things live: it reads each
// backend's own render of the model (CloudFormation's templates and deploy
// manifest, Terraform's manifest.json), so it follows the backends' placement
// rather than repeating it.
#pragma once

#include <optional>
#include <string>

#include "backends/backend.h"
#include "runbook/runbook.h"

namespace paydrc::runbook {

// Nothing, with `error` set, when the backend cannot order the stacks.
std::optional<Layout> deployment_layout(const infra::Model& model, const backends::EmitOptions& options,
                                        std::string& error);

}  // namespace paydrc::runbook

// Which stack each model resource goes to: the units the discovery pass
// recorded (a model resource and the ones it refers to), staged by
// backends/common/staging.h (foundation, main, regional, failover, watch), one
// stack `<system>-<role>[-<stage>]` per region and stage (docs/cloudformation.md,
// "Stacks"). Internal to backends/cloudformation.
#pragma once

#include <optional>
#include <string>

#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

// From what the discovery pass recorded. Returns nothing and sets `error` when a
// reference would point at a later stack (a dependency this layout cannot order).
std::optional<Placement> place(const infra::Model& model, const Builder& discovered, std::string& error);

}  // namespace paydrc::backends::cloudformation

// Which stack each model resource goes to. A stack lives in one region, and a
// value can only come from a stack deployed earlier, so the cross-region
// references decide the layout (docs/cloudformation.md, "Stacks"):
//
//   1. `<system>-<role>-foundation`, per other region: what the home region's
//      global pieces point at there and that needs nothing from the home region
//      (the replica's KMS key, the replica event bus, the copy backup vault);
//   2. `<system>-<home>`: the home region and the global pieces it owns (the
//      Aurora global cluster and writer, the DynamoDB global tables, the zone);
//   3. `<system>-<role>`, per other region: the rest of that region (the reader
//      cluster joins the global cluster, its certificate validates in the zone);
//   4. `<system>-<home>-failover`: the Route 53 health checks and failover
//      records, and whatever else in the home region reads a value from step 3.
//
// Internal to backends/cloudformation.
#pragma once

#include <optional>
#include <string>

#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

// From what the discovery pass recorded. Returns nothing and sets `error` when a
// reference would point at a later stack (a dependency this layout cannot order).
std::optional<Placement> place(const infra::Model& model, const Builder& discovered, std::string& error);

}  // namespace paydrc::backends::cloudformation

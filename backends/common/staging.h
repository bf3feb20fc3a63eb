// Which deployment unit (a CloudFormation stack, a Terraform root module) each
// resource goes to. A stack or root lives in one region, and a value can only
// come from one deployed earlier, so the cross-region references decide the
// layout (docs/cloudformation.md, "Stacks"; README, "Terraform output"):
//
//   1. foundation, per other region: what the home region's global pieces point
//      at there and that needs nothing from the home region (the replica's KMS
//      key, the replica event bus, the copy backup vault);
//   2. main: the home region and the global pieces it owns (the Aurora global
//      cluster and writer, the DynamoDB global tables, the zone);
//   3. regional, per other region: the rest of that region (the reader cluster
//      joins the global cluster, its certificate validates in the zone);
//   4. failover, home region: the Route 53 health checks and failover records,
//      and whatever else in the home region reads a value from step 3;
//   5. watch, per other region: what reads the failover stage (the Route 53
//      health-check alarms: Route 53 publishes their metrics in us-east-1).
//
// Both backends describe their resources as a graph of units (a unit: a region
// role and the units it refers to) and share this one staging.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lower/infra.h"

namespace paydrc::backends {

enum class Stage { Foundation, Main, Regional, Failover, Watch };

// One resource (or group of resources deployed together).
struct StageUnit {
  std::string name;           // for error messages
  std::string region;         // region role; empty: the home region
  bool cut_over = false;      // a Route 53 health check or failover record
  std::set<std::size_t> deps; // indices of the units it refers to
};

// A stage of one region, in deploy order.
struct StageSlot {
  std::string role;        // region role
  std::string aws_region;  // us-west-2
  Stage stage;
  std::string stage_name;  // foundation | main | regional | failover | watch
  // One sentence for a manifest; `noun` ("stack", "root") names the unit kind.
  std::string purpose;
};

struct Staging {
  std::vector<StageSlot> slots;      // deploy order; empty ones left out
  std::vector<std::size_t> slot_of;  // per unit: index into slots
};

// Returns nothing and sets `error` when a reference would point at a later slot
// (a dependency this layout cannot order). `noun` goes into purposes and errors.
std::optional<Staging> stage(const infra::Model& model, const std::vector<StageUnit>& units, const std::string& noun,
                             std::string& error);

}  // namespace paydrc::backends

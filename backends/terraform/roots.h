// The one rendered Terraform document split into root modules, one per region
// and stage (backends/common/staging.h, the same staging as the CloudFormation
// stacks), so that the roots of a surviving region plan and apply with another
// region's API unreachable. Internal to backends/terraform.
//
// Units are the document's resource, data and ephemeral blocks, each in the
// region of its provider alias; edges are the references in their bodies and
// their depends_on. Region-independent lookups that refer to no unit (the
// caller identity, an existing hosted zone, policy documents of literals) are
// copied into each root that reads them, with that root's provider. A value of
// another root is read from that root's state (`data.terraform_remote_state`),
// never through another region's API; the producer gets an `output` for it. A
// depends_on across roots is dropped: the apply order stands in for it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "lower/infra.h"

namespace paydrc::backends::terraform {

struct Root {
  std::string dir;         // secondary-foundation, primary, ...
  std::string role;        // region role: the one provider alias of the root
  std::string aws_region;  // us-west-2
  std::string stage;       // foundation | main | regional | failover | watch
  std::string purpose;
  std::vector<std::string> reads;    // dirs of the roots whose state it reads
  std::vector<std::string> outputs;  // its output names, sorted
  nlohmann::json document = nlohmann::json::object();
};

// Roots in apply order. Returns nothing and sets `error` on a layout this split
// cannot express (an ephemeral value or a whole resource object used across roots).
std::optional<std::vector<Root>> split(const nlohmann::json& whole, const infra::Model& model,
                                       const EmitOptions& options, std::string& error);

// OUT/manifest.json: the roots in apply order.
nlohmann::json manifest(const std::vector<Root>& roots, const infra::Model& model, const EmitOptions& options);

// The S3 key of a root's state: paydrc/<system>/<env>/<dir>/terraform.tfstate.
std::string state_key(const std::string& system, const std::string& environment_suffix, const std::string& dir);

}  // namespace paydrc::backends::terraform

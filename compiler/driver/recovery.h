// `paydrc dr`: the recovery budget per failure scenario, each term with the
// generated resources that deliver it (Terraform address and CloudFormation
// logical id), as text or JSON; and the cost estimate.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dr/analysis.h"
#include "ir/ir.h"

namespace paydrc::driver {

// "aws_route53_health_check.api_primary / ApiPrimaryHealthCheck (us-east-1)".
std::string cite(const policies::Evidence& e);

// The analysis as JSON: every scenario, both measures, every term with its basis,
// source, spec location and evidence in both backends.
nlohmann::ordered_json recovery_json(const ir::System& system, const std::vector<policies::ScenarioResult>& results);

// Whether every objective is met (no unbounded measure, no total over its objective).
bool objectives_met(const std::vector<policies::ScenarioResult>& results);

}  // namespace paydrc::driver

// `paydrc runbook`: the recovery procedure for a spec, one step per action, each
// with the exact command (this spec's names), how to check it worked, and the
// seconds the DR budget (policies/dr) charges to it, so the steps of a scenario
// add up to the budget `paydrc dr` reports. The machine form is JSON
// (`--format json`); people read the Markdown, which `paydrc explain` embeds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dr/analysis.h"
#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::runbook {

// Where a deployment puts things, from the backends' staging (a
// Terraform root per CloudFormation stack). See deployment.h.
struct StackInfo {
  std::string name;   // payment-secondary (deployed as payment-secondary-<env>)
  std::string dir;    // the Terraform root: secondary
  std::string role;   // region role
  std::string aws_region;
  std::string stage;  // foundation | main | regional | failover | watch
  std::string template_file;
  bool large_template = false;   // over 51,200 bytes: `deploy` must upload it (--s3-bucket)
  bool creates_iam = false;      // CAPABILITY_NAMED_IAM
  bool uses_artifact_bucket = false;
  std::vector<std::string> outputs;  // model output names
};

struct Layout {
  std::vector<StackInfo> stacks;  // CloudFormation stacks, deploy order
  std::vector<StackInfo> roots;   // Terraform roots (only dir, role, aws_region, stage, outputs), apply order
  const StackInfo* stack_of_output(const std::string& output) const;
  const StackInfo* root_of_output(const std::string& output) const;
};

struct Variable {
  std::string name;
  std::string description;
  std::string output;  // the model output it is read from; empty for operator inputs
  std::string stack;   // the stack / root holding it
  std::string dir;
  bool operator_input = false;
};

struct Verify {
  std::string command;
  std::optional<std::string> expect;
};

enum class StepKind { Command, Terraform, SpecEdit, Automatic, Manual };

struct Step {
  std::string id;
  std::string title;
  std::string does;
  StepKind kind = StepKind::Command;
  std::string command;
  std::optional<Verify> verify;
  ir::Seconds seconds = 0;
  std::optional<std::string> budget_term;  // the DR budget term's `what`; none: outside the budget
  // spec_edit: the block and its attribute values (null: remove the attribute).
  std::string edit_block;
  std::vector<std::pair<std::string, std::optional<std::string>>> edit_set;
};

struct Scenario {
  std::string id;  // region_outage | switchover | failback | zone_outage | logical_corruption
  std::string title;
  std::string from_region, to_region;  // role labels; empty where not relevant
  const ir::Objective* objective = nullptr;
  std::optional<ir::Seconds> budget;  // the DR budget's figure; none: not budgeted or unbounded
  std::vector<Step> steps;
};

struct Runbook {
  std::string system;
  std::string environment;
  std::string target;  // terraform | cloudformation
  std::vector<Variable> variables;
  std::vector<Scenario> scenarios;
};

struct Input {
  const ir::System& system;
  const infra::Model& model;
  const std::vector<policies::ScenarioResult>& recovery;
  const Layout& layout;
  std::string environment;  // the suffix
  std::string target = "terraform";
};

Runbook build(const Input& in);

nlohmann::ordered_json to_json(const Runbook& rb);
std::string to_markdown(const Runbook& rb);
std::string_view kind_name(StepKind k);

}  // namespace paydrc::runbook

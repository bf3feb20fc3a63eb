// Internal to runbook/: what every scenario builder shares — the spec's names as
// deployed, the variables commands use, the AWS CLI and Terraform command lines,
// and the bookkeeping that charges each DR budget term to exactly one step.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "runbook/runbook.h"

namespace paydrc::runbook {

class Context {
 public:
  Context(const Input& in) : in_(in) {}  // NOLINT

  const Input& in() const { return in_; }
  const ir::System& system() const { return in_.system; }
  const infra::Model& model() const { return in_.model; }

  // A model name as deployed in this environment (`payment-ledger-secondary-dev`).
  std::string name(const infra::Text& text) const;
  const std::string& aws_region(const std::string& role) const;
  const policies::ScenarioResult* result(ir::Scenario s) const;

  // `"$NAME"`, declaring NAME as read from model output `output`.
  std::string output_var(const std::string& name, const std::string& output, const std::string& description);
  // `"$NAME"` for a value the operator supplies.
  std::string operator_var(const std::string& name, const std::string& description);
  std::vector<Variable> variables() const;

  // Commands shared by several scenarios.
  std::string cluster_arn_var(const infra::DbCluster& c);
  Verify writer_is(const infra::GlobalCluster& g, const std::string& aws_region, const std::string& arn_var) const;
  Step wait_cluster(const infra::DbCluster& c, const std::string& id) const;
  // Plan and apply (Terraform) or deploy (CloudFormation) each stack, in order.
  void apply(std::vector<Step>& steps, const std::vector<const StackInfo*>& stacks, const std::string& why);
  std::vector<const StackInfo*> stacks_in(const std::string& role) const;  // empty role: all
  const infra::DbCluster* cluster_in(const infra::GlobalCluster& g, const std::string& role) const;

 private:
  const Input& in_;
  std::map<std::string, Variable> variables_;
};

// Charges a bound's terms to steps: a sum charges each term's seconds once; a
// maximum charges only its largest term (the others run alongside it), so the
// charged seconds add up to the bound's total either way.
class Charges {
 public:
  explicit Charges(const policies::Bound* bound) : bound_(bound) {}
  // The term whose `what` starts with `label:` (detection, DNS, paging, ...), if any;
  // with `evidence_id`, the one citing that model id.
  const policies::Contributor* term(std::string_view label, std::string_view evidence_id = {}) const;
  // Charges `term` to `step` (nothing when term is null).
  void charge(Step& step, const policies::Contributor* term);
  // A step for each term no step was charged with, so nothing in the budget is missing.
  void settle(std::vector<Step>& steps);

 private:
  const policies::Bound* bound_;
  std::set<const policies::Contributor*> charged_;
};

std::string shell_word(const std::string& s);  // single-quoted unless plainly safe
std::string upper_id(const std::string& s);     // api_primary -> API_PRIMARY

void region_scenarios(Context& cx, Runbook& rb);
void local_scenarios(Context& cx, Runbook& rb);

}  // namespace paydrc::runbook

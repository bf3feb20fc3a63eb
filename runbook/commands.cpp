// The command lines every scenario shares. Each AWS CLI command and flag here is
// checked against the CLI's own service models by tests/runbook/runbook_test.py;
// the references:
//  - rds describe-global-clusters, wait db-cluster-available:
//    https://docs.aws.amazon.com/cli/latest/reference/rds/wait/db-cluster-available.html
//    (polls describe-db-clusters until DBClusters[].Status is `available`)
//  - cloudformation deploy (`--no-fail-on-empty-changeset`, `--s3-bucket` for
//    templates over 51,200 bytes; parameters not overridden keep their values):
//    https://docs.aws.amazon.com/cli/latest/reference/cloudformation/deploy/
#include <fmt/format.h>

#include <algorithm>

#include "runbook/context.h"

namespace paydrc::runbook {

std::string shell_word(const std::string& s) {
  const bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' ||
           c == '=' || c == ',';
  });
  if (safe) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string upper_id(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Context::name(const infra::Text& text) const {
  return infra::evaluate(text, in_.environment);
}

const std::string& Context::aws_region(const std::string& role) const {
  const infra::RegionInfo* r = in_.model.region(role);
  if (r == nullptr) throw std::logic_error("runbook: unknown region role `" + role + "`");
  return r->aws_region;
}

const policies::ScenarioResult* Context::result(ir::Scenario s) const {
  for (const policies::ScenarioResult& r : in_.recovery) {
    if (r.scenario == s) return &r;
  }
  return nullptr;
}

std::string Context::output_var(const std::string& name, const std::string& output, const std::string& description) {
  const StackInfo* stack = in_.layout.stack_of_output(output);
  const StackInfo* root = in_.layout.root_of_output(output);
  if (stack == nullptr || root == nullptr)
    throw std::logic_error("runbook: no stack or no Terraform root holds output `" + output + "`");
  variables_[name] = {name, description, output, stack->name, root->dir, false};
  return "\"$" + name + "\"";
}

std::string Context::operator_var(const std::string& name, const std::string& description) {
  variables_[name] = {name, description, "", "", "", true};
  return "\"$" + name + "\"";
}

std::vector<Variable> Context::variables() const {
  std::vector<Variable> out;
  for (const auto& [name, v] : variables_) {
    if (!v.operator_input) out.push_back(v);
  }
  for (const auto& [name, v] : variables_) {
    if (v.operator_input) out.push_back(v);
  }
  return out;
}

std::string Context::cluster_arn_var(const infra::DbCluster& c) {
  return output_var(upper_id(c.id) + "_ARN", c.id + "_cluster_arn",
                    fmt::format("ARN of the {} cluster in {} ({})", c.global_cluster, c.region, aws_region(c.region)));
}

const infra::DbCluster* Context::cluster_in(const infra::GlobalCluster& g, const std::string& role) const {
  for (const infra::DbCluster& c : in_.model.db_clusters) {
    if (c.global_cluster == g.id && c.region == role) return &c;
  }
  return nullptr;
}

// Which member writes: describe-global-clusters lists the members with IsWriter
// (RDS API reference, GlobalClusterMember). Any member region answers it.
Verify Context::writer_is(const infra::GlobalCluster& g, const std::string& region, const std::string& arn_var) const {
  return {fmt::format("aws rds describe-global-clusters --region {} --global-cluster-identifier {} --query "
                      "'GlobalClusters[0].GlobalClusterMembers[?IsWriter].DBClusterArn | [0]' --output text",
                      region, shell_word(name(g.identifier))),
          arn_var.substr(1, arn_var.size() - 2)};
}

Step Context::wait_cluster(const infra::DbCluster& c, const std::string& id) const {
  const std::string region = aws_region(c.region);
  const std::string identifier = shell_word(name(c.identifier));
  Step s;
  s.id = id;
  s.title = fmt::format("Wait for `{}` to be available", name(c.identifier));
  s.does = fmt::format("Polls the cluster in {} every 30 seconds until its status is `available`.", region);
  s.kind = StepKind::Command;
  s.command = fmt::format("aws rds wait db-cluster-available --region {} --db-cluster-identifier {}", region, identifier);
  s.verify = Verify{fmt::format("aws rds describe-db-clusters --region {} --db-cluster-identifier {} --query "
                                "'DBClusters[0].Status' --output text",
                                region, identifier),
                    "available"};
  return s;
}

std::vector<const StackInfo*> Context::stacks_in(const std::string& role) const {
  std::vector<const StackInfo*> out;
  for (const StackInfo& s : in_.target == "cloudformation" ? in_.layout.stacks : in_.layout.roots) {
    if (role.empty() || s.role == role) out.push_back(&s);
  }
  return out;
}

void Context::apply(std::vector<Step>& steps, const std::vector<const StackInfo*>& stacks, const std::string& why) {
  for (const StackInfo* s : stacks) {
    std::string key = s->dir;
    std::replace(key.begin(), key.end(), '-', '_');
    if (in_.target == "cloudformation") {
      const std::string stack = s->name + "-" + in_.environment;
      std::string command = fmt::format("aws cloudformation deploy --region {} --stack-name {} --template-file {}/{}",
                                        s->aws_region, stack, operator_var("CFN_DIR", "directory paydrc wrote the "
                                                                                      "CloudFormation templates to"),
                                        s->template_file);
      if (s->large_template) {
        command += " --s3-bucket " + operator_var("ARTIFACT_BUCKET_" + upper_id(s->role),
                                                  "the S3 bucket in " + s->aws_region +
                                                      " the manifest's artifacts were uploaded to");
      }
      if (s->creates_iam) command += " --capabilities CAPABILITY_NAMED_IAM";
      command += " --no-fail-on-empty-changeset";
      Step deploy;
      deploy.id = "deploy_" + key;
      deploy.title = fmt::format("Update stack `{}`", stack);
      deploy.does = fmt::format("Deploys the recompiled template of `{}` in {} ({}); parameters keep their values.",
                                stack, s->aws_region, why);
      deploy.kind = StepKind::Command;
      deploy.command = command;
      deploy.verify = Verify{fmt::format("aws cloudformation describe-stacks --region {} --stack-name {} --query "
                                         "'contains(`[\"CREATE_COMPLETE\", \"UPDATE_COMPLETE\"]`, "
                                         "Stacks[0].StackStatus)' --output text",
                                         s->aws_region, stack),
                             "True"};
      steps.push_back(std::move(deploy));
      continue;
    }
    operator_var("TF_DIR", "directory paydrc wrote the Terraform roots to");
    const std::string dir = fmt::format("-chdir=\"$TF_DIR/{}\"", s->dir);
    Step plan;
    plan.id = "plan_" + key;
    plan.title = fmt::format("Plan root `{}`", s->dir);
    plan.does = fmt::format("Plans the recompiled root `{}` ({}, {}) and saves the plan; review it: {}.", s->dir,
                            s->aws_region, s->stage, why);
    plan.kind = StepKind::Terraform;
    plan.command = fmt::format("terraform {} plan -input=false -out=runbook.tfplan", dir);
    steps.push_back(std::move(plan));
    Step apply;
    apply.id = "apply_" + key;
    apply.title = fmt::format("Apply root `{}`", s->dir);
    apply.does = fmt::format("Applies exactly the reviewed plan of `{}`; a plan afterwards has nothing to do.", s->dir);
    apply.kind = StepKind::Terraform;
    apply.command = fmt::format("terraform {} apply -input=false runbook.tfplan", dir);
    apply.verify = Verify{fmt::format("terraform {} plan -input=false -detailed-exitcode", dir), std::nullopt};
    steps.push_back(std::move(apply));
  }
}

const policies::Contributor* Charges::term(std::string_view label, std::string_view evidence_id) const {
  if (bound_ == nullptr) return nullptr;
  for (const policies::Contributor& c : bound_->contributors) {
    if (!c.what.starts_with(std::string(label) + ":")) continue;
    if (evidence_id.empty()) return &c;
    for (const policies::Evidence& e : c.evidence) {
      if (e.id == evidence_id) return &c;
    }
  }
  return nullptr;
}

void Charges::charge(Step& step, const policies::Contributor* term) {
  if (term == nullptr) return;
  step.budget_term = term->what;
  const bool counts = bound_->combine == policies::Bound::Combine::Sum || term == bound_->largest();
  step.seconds = counts && charged_.insert(term).second ? term->seconds : 0;
  charged_.insert(term);
}

void Charges::settle(std::vector<Step>& steps) {
  if (bound_ == nullptr) return;
  for (const policies::Contributor& c : bound_->contributors) {
    if (charged_.count(&c)) continue;
    if (bound_->combine == policies::Bound::Combine::Max && &c != bound_->largest()) continue;
    Step s;
    s.id = fmt::format("term_{}", steps.size() + 1);
    s.title = c.what.substr(0, c.what.find(':'));
    s.does = c.what + ".";
    s.kind = StepKind::Automatic;
    charge(s, &c);
    steps.push_back(std::move(s));
  }
}

}  // namespace paydrc::runbook

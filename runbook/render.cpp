// The runbook as JSON (`--format json`) and as Markdown for people.
#include <fmt/format.h>

#include "check/values.h"
#include "lower/naming.h"
#include "runbook/context.h"

namespace paydrc::runbook {
namespace {

using Json = nlohmann::ordered_json;

std::string stack_name(const Runbook& rb, const Variable& v) {
  return v.stack + "-" + rb.environment;
}

}  // namespace

Json to_json(const Runbook& rb) {
  Json variables = Json::array();
  for (const Variable& v : rb.variables) {
    Json j = {{"name", v.name}, {"description", v.description}};
    if (v.operator_input) {
      j["operator"] = true;
    } else {
      j["terraform"] = {{"root", v.dir}, {"output", v.output}};
      j["cloudformation"] = {{"stack", stack_name(rb, v)}, {"output", lower::camel_case(v.output)}};
    }
    variables.push_back(std::move(j));
  }
  Json scenarios = Json::array();
  for (const Scenario& sc : rb.scenarios) {
    Json s = {{"id", sc.id}, {"title", sc.title}};
    if (!sc.from_region.empty()) s["from_region"] = sc.from_region;
    if (!sc.to_region.empty()) s["to_region"] = sc.to_region;
    if (sc.objective != nullptr) s["objective"] = {{"rto_seconds", sc.objective->rto}, {"rpo_seconds", sc.objective->rpo}};
    s["budget_seconds"] = sc.budget ? Json(*sc.budget) : Json();
    Json steps = Json::array();
    for (const Step& st : sc.steps) {
      Json j = {{"id", st.id}, {"title", st.title}, {"does", st.does}, {"kind", kind_name(st.kind)}};
      if (!st.command.empty()) j["command"] = st.command;
      if (st.verify) {
        Json v = {{"command", st.verify->command}};
        if (st.verify->expect) v["expect"] = *st.verify->expect;
        j["verify"] = std::move(v);
      }
      j["duration_seconds"] = st.seconds;
      j["budget_term"] = st.budget_term ? Json(*st.budget_term) : Json();
      if (st.kind == StepKind::SpecEdit) {
        Json set = Json::object();
        for (const auto& [attribute, value] : st.edit_set) set[attribute] = value ? Json(*value) : Json();
        j["edit"] = {{"block", st.edit_block}, {"set", set}};
      }
      steps.push_back(std::move(j));
    }
    s["steps"] = std::move(steps);
    scenarios.push_back(std::move(s));
  }
  return {{"format", 1},        {"system", rb.system},       {"environment", rb.environment},
          {"target", rb.target}, {"variables", variables}, {"scenarios", scenarios}};
}

std::string to_markdown(const Runbook& rb) {
  using check::format_duration;
  std::string out = fmt::format("# Runbook: `{}` ({}, {})\n\n", rb.system, rb.environment, rb.target);
  out += "Every command is one shell line for the AWS CLI (v1 or v2) or Terraform. Set these variables first:\n\n";
  out += "| variable | what | from |\n|---|---|---|\n";
  for (const Variable& v : rb.variables) {
    std::string from = v.operator_input
                           ? std::string("you")
                           : fmt::format("`terraform -chdir=\"$TF_DIR/{}\" output -raw {}` / output `{}` of stack `{}`",
                                         v.dir, v.output, lower::camel_case(v.output), stack_name(rb, v));
    out += fmt::format("| `{}` | {} | {} |\n", v.name, v.description, from);
  }
  for (const Scenario& sc : rb.scenarios) {
    out += fmt::format("\n## {}\n\n", sc.title);
    std::string budget = sc.budget ? fmt::format("the steps add up to the DR budget's {}", format_duration(*sc.budget))
                                   : std::string("not part of the DR budget");
    if (sc.objective != nullptr)
      out += fmt::format("Scenario `{}`: RTO objective {}, RPO objective {}; {}.\n\n", sc.id,
                         format_duration(sc.objective->rto), format_duration(sc.objective->rpo), budget);
    else
      out += fmt::format("Scenario `{}`: {}.\n\n", sc.id, budget);
    int n = 1;
    for (const Step& st : sc.steps) {
      std::string charged = st.budget_term ? fmt::format(" — {} of *{}*", format_duration(st.seconds), *st.budget_term)
                                           : std::string();
      out += fmt::format("{}. **{}** ({}){}\n\n   {}\n\n", n++, st.title, kind_name(st.kind), charged, st.does);
      if (!st.command.empty()) out += fmt::format("   ```sh\n   {}\n   ```\n\n", st.command);
      if (st.kind == StepKind::SpecEdit) {
        std::vector<std::string> set;
        for (const auto& [attribute, value] : st.edit_set)
          set.push_back(value ? fmt::format("`{} = {}`", attribute, *value) : fmt::format("remove `{}`", attribute));
        out += fmt::format("   In `{}`: {}; then compile again.\n\n", st.edit_block, fmt::join(set, ", "));
      }
      if (st.verify) {
        out += fmt::format("   Check{}:\n\n   ```sh\n   {}\n   ```\n\n",
                           st.verify->expect ? fmt::format(" (prints `{}`)", *st.verify->expect)
                                             : std::string(" (succeeds)"),
                           st.verify->command);
      }
    }
  }
  return out;
}

}  // namespace paydrc::runbook

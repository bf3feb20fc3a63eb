#include "runbook/runbook.h"

#include "runbook/context.h"

namespace paydrc::runbook {

std::string_view kind_name(StepKind k) {
  switch (k) {
    case StepKind::Command:
      return "command";
    case StepKind::Terraform:
      return "terraform";
    case StepKind::SpecEdit:
      return "spec_edit";
    case StepKind::Automatic:
      return "automatic";
    case StepKind::Manual:
      return "manual";
  }
  return "manual";
}

Runbook build(const Input& in) {
  Runbook rb;
  rb.system = in.system.name;
  rb.environment = in.environment;
  rb.target = in.target;
  Context cx(in);
  region_scenarios(cx, rb);
  local_scenarios(cx, rb);
  rb.variables = cx.variables();
  return rb;
}

}  // namespace paydrc::runbook

#include "backends/backend.h"

#include <stdexcept>

#include "backends/cloudformation/builder.h"
#include "backends/cloudformation/cloudformation.h"
#include "backends/terraform/document.h"
#include "backends/terraform/terraform.h"

namespace paydrc::backends {

const std::vector<Backend>& all_backends() {
  static const std::vector<Backend> table = {
      {"terraform", "Terraform JSON (a root module per region stage, manifest.json) for the hashicorp/aws provider 5.x", terraform::emit},
      {"cloudformation", "CloudFormation: one template per region plus a deploy manifest", cloudformation::emit,
       cloudformation::validate_templates},
  };
  return table;
}

EmitOptions options_for(const ir::System& system, const EmitOptions& options) {
  EmitOptions out = options;
  out.spec_environment = system.environment;
  if (!system.environment.empty() && system.environment != options.environment_suffix) {
    throw std::logic_error("environment `" + system.environment + "` of the spec emitted with the suffix `" +
                           options.environment_suffix + "`");
  }
  return out;
}

const Backend* find_backend(std::string_view name) {
  for (const Backend& b : all_backends()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string terraform_address(infra::Kind kind, const std::string& id) {
  return std::string(terraform::type_name(kind)) + "." + id;
}

std::string cloudformation_logical_id(infra::Kind kind, const std::string& id) {
  return cloudformation::Builder::logical(kind, id);
}

}  // namespace paydrc::backends

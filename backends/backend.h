// The backend interface: one entry per target in one explicit table
// (backends/backend.cpp). A backend turns the IR (through the shared lowering)
// into files held in memory; the driver writes them atomically, or nothing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"
#include "lower/infra.h"
#include "support/environment.h"

namespace paydrc::backends {

// The environment suffix rule lives in support/environment.h (the checker
// applies it to `environment` names too).
using paydrc::kEnvironmentSuffixPattern;
using paydrc::kEnvironmentSuffixRule;
using paydrc::valid_environment_suffix;

struct EmitOptions {
  // ENVIRONMENT_SUFFIX at compile time, else "dev": the default of the suffix
  // variable and, with a state bucket, part of the state key. The driver has
  // checked it against kEnvironmentSuffixPattern.
  std::string environment_suffix = "dev";
  // The spec environment the IR was checked for (its `environment` block
  // applied; ir::System::environment), set by the backends' emit from the IR:
  // empty when the spec declares none. When set, it equals
  // environment_suffix, and the output refuses to be planned or deployed as
  // another environment.
  std::string spec_environment;
  // TERRAFORM_STATE_BUCKET / TERRAFORM_STATE_BUCKET_REGION, when set.
  std::optional<std::string> state_bucket;
  std::optional<std::string> state_bucket_region;
  // Directory of the spec file; function sources are resolved against it.
  std::filesystem::path spec_dir;
  // The project root: function sources must stay inside it.
  std::filesystem::path project_root;
};

struct OutputFile {
  std::string name;   // relative path inside the output directory
  std::string bytes;  // exact contents
};

// Returns the files to write, or nothing after reporting errors to `sink`.
using EmitFn = std::optional<std::vector<OutputFile>> (*)(const ir::System&, const EmitOptions&, diag::Sink&);

// Reports what this target alone would have AWS refuse (CloudFormation's
// per-template limits), without writing or packaging anything: `paydrc check`.
using ValidateFn = void (*)(const ir::System&, const EmitOptions&, diag::Sink&);

struct Backend {
  std::string_view name;  // the --target value
  std::string_view description;
  EmitFn emit;              // nullptr: not implemented yet
  ValidateFn validate = nullptr;  // nullptr: nothing beyond the model-level checks
};

const std::vector<Backend>& all_backends();

// How each backend names a model resource, so reports can cite what delivers a
// claim: `aws_route53_health_check.api_primary` and `ApiPrimaryHealthCheck`.
std::string terraform_address(infra::Kind kind, const std::string& id);
std::string cloudformation_logical_id(infra::Kind kind, const std::string& id);
const Backend* find_backend(std::string_view name);

// `options` with spec_environment taken from `system`; a system checked for
// one environment emitted as another is a bug in the caller (std::logic_error).
EmitOptions options_for(const ir::System& system, const EmitOptions& options);

}  // namespace paydrc::backends

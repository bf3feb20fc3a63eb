// The CloudFormation backend: the infra model as one template per stack (a stack
// lives in one region; placement.h says which stacks and why), a deploy manifest
// (`manifest.json`: order, parameters, values read across stacks, artifacts) and
// each function's zip named by its content hash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "lower/infra.h"
#include "validate/validate.h"

namespace paydrc::backends::cloudformation {

// The registry entry (backends/backend.cpp): package, lower, place, render.
std::optional<std::vector<OutputFile>> emit(const ir::System& system, const EmitOptions& options, diag::Sink& sink);

// The templates and the manifest for a lowered model: pretty-printed (2 spaces),
// keys sorted. Returns nothing and sets `error` when the stacks cannot be ordered.
// With `usage`, also what each template holds (compiler/validate checks it).
std::optional<std::vector<OutputFile>> render(const infra::Model& model, const EmitOptions& options,
                                              std::string& error, std::vector<validate::StackUsage>* usage = nullptr);

// CloudFormation's per-template limits for a spec, without packaging its
// functions (`paydrc check`); `emit` checks the same on what it writes.
void validate_templates(const ir::System& system, const EmitOptions& options, diag::Sink& sink);

}  // namespace paydrc::backends::cloudformation

// The Terraform backend: the infra model as one `main.tf.json` for the
// hashicorp/aws provider 5.x, plus each function's zip beside it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "lower/infra.h"

namespace paydrc::backends::terraform {

// The registry entry (backends/backend.cpp): package, lower, render.
std::optional<std::vector<OutputFile>> emit(const ir::System& system, const EmitOptions& options, diag::Sink& sink);

// `main.tf.json` for a lowered model: pretty-printed (2 spaces), keys sorted.
std::string render(const infra::Model& model, const EmitOptions& options);

}  // namespace paydrc::backends::terraform

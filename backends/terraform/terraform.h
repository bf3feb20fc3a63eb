// The Terraform backend: the infra model as one root module per region and
// stage (`<dir>/main.tf.json`, roots.h) for the hashicorp/aws provider 5.x,
// `manifest.json` listing them in apply order, and each function's zip.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "lower/infra.h"

namespace paydrc::backends::terraform {

// The registry entry (backends/backend.cpp): package, lower, render.
std::optional<std::vector<OutputFile>> emit(const ir::System& system, const EmitOptions& options, diag::Sink& sink);

// `manifest.json` and each root's `<dir>/main.tf.json` for a lowered model:
// pretty-printed (2 spaces), keys sorted. Nothing, with `error` set, when the
// model cannot be split into roots (roots.h).
std::optional<std::vector<OutputFile>> render(const infra::Model& model, const EmitOptions& options,
                                              std::string& error);

}  // namespace paydrc::backends::terraform

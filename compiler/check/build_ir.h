// Typed instances -> IR, with the AWS domain checks that need whole values.
#pragma once

#include <optional>

#include "check/check.h"
#include "check/typed.h"

namespace paydrc::check {

std::optional<ir::System> build_ir(const Instance& system, const Options& options, diag::Sink& sink);

}  // namespace paydrc::check

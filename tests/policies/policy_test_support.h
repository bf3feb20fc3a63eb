// Shared by the policy tests: the reference spec loaded and lowered, one rule run
// over a (possibly mutated) model, and the whole engine run over a spec file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "frontend.h"
#include "lower/infra.h"

namespace paydrc::policies::testing {

// A spec read, checked and lowered; REQUIREs that the front end accepted it.
struct LoadedSpec {
  frontend::Loaded loaded;
  infra::Model model;
  const ir::System& system() const { return *loaded.ir; }
};
LoadedSpec load_spec(const std::string& path);

// The reference system (specs/payment.pdr).
const LoadedSpec& reference();

// The findings of one built-in rule over `model`, with the given parameters.
std::vector<Finding> run_rule(std::string_view id, const ir::System& system, const infra::Model& model,
                              const Params& params = {});

// The whole engine over a spec with its own packs (or `packs`); pack errors go to `sink`.
Report run_engine(const LoadedSpec& spec, diag::Sink& sink, const std::vector<std::string>& packs = {});

// Findings of `id`, unwaived unless `waived`.
std::vector<Finding> of(const std::vector<Finding>& findings, std::string_view id, bool waived = false);

}  // namespace paydrc::policies::testing

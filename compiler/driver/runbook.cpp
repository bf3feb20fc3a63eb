#include "driver/runbook.h"

#include "lower/lower.h"
#include "package/package.h"
#include "runbook/deployment.h"

namespace paydrc::driver {

std::optional<runbook::Runbook> make_runbook(const ir::System& system, const std::vector<policies::ScenarioResult>& recovery,
                                             const backends::EmitOptions& given, const std::string& target,
                                             std::string& error) {
  // As `paydrc check` sizes templates without packaging: each function gets an
  // artifact name of the real length, so the layout (and which templates are too
  // large to deploy inline) is the compile's.
  lower::LowerOptions lower_options;
  for (const ir::Function& fn : system.functions)
    lower_options.archives[fn.name] = {fn.name + ".zip", std::string(43, 'A') + "="};
  for (const package::BuiltinArchive& b : package::builtin_archives()) {
    lower_options.archives[b.key] = {b.archive.file_name, b.archive.sha256_base64};
  }
  const infra::Model model = lower::lower(system, lower_options);
  const backends::EmitOptions options = backends::options_for(system, given);
  std::optional<runbook::Layout> layout = runbook::deployment_layout(model, options, error);
  if (!layout) return std::nullopt;
  return runbook::build({system, model, recovery, *layout, options.environment_suffix, target});
}

}  // namespace paydrc::driver

// SARIF 2.1.0 output for GitHub code scanning: the whole rule set in
// tool.driver.rules, results located in the .pdr, waived findings as suppressions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostics/diagnostic.h"
#include "engine/custom_rules.h"
#include "engine/rule.h"

namespace paydrc::policies {

struct SarifFile {
  std::string path;                           // as given; made relative URIs
  std::vector<diag::Diagnostic> diagnostics;  // front-end errors and pack errors
  std::vector<Finding> findings;
  std::vector<CustomRule> custom_rules;  // the packs' YAML rules, listed beside the built-in ones
};

nlohmann::ordered_json to_sarif(const std::vector<SarifFile>& files, const std::string& version);

}  // namespace paydrc::policies

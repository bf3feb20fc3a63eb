// Policy packs (policies/*.yaml): which rules run, at what severity, with which
// parameters. A spec names its packs; later packs override earlier ones.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "engine/custom_rules.h"
#include "engine/rule.h"
#include "support/source.h"

namespace paydrc::policies {

struct RuleSetting {
  diag::Severity severity;
  Params params;
  // `waivable: false`: a spec may not waive the rule (WAIVER-NOT-ALLOWED); a later
  // pack that says nothing keeps what an earlier one said.
  std::optional<bool> waivable;
};

struct Pack {
  std::string name;
  std::string description;
  std::map<std::string, RuleSetting, std::less<>> rules;  // enabled rules by id
  std::vector<CustomRule> custom_rules;                   // declared by `custom_rules`; enabled in `rules` too
};

struct LoadedPacks {
  bool ok = true;                                    // false after any error
  Pack merged;                                       // what runs
  std::vector<std::string> names;                    // in order
  std::vector<std::unique_ptr<SourceFile>> sources;  // for rendering pack errors
};

// Resolves pack names: a bare name (`baseline`, `pci-dss`) is a built-in pack;
// anything ending in `.yaml` is a file relative to the spec's directory.
// Errors (unknown pack, malformed YAML, unknown rule ids) go to `sink` with the
// pack file's line and column.
LoadedPacks load_packs(const std::vector<std::string>& names, SourceRange names_range, const std::string& spec_dir,
                       diag::Sink& sink);

std::vector<std::string> builtin_pack_names();

}  // namespace paydrc::policies

// The recovery facts (policies/data/recovery.yaml) as typed values.
#pragma once

#include <map>
#include <string>

#include "ir/ir.h"

namespace paydrc::policies {

struct RecoveryFact {
  ir::Seconds seconds = 0;
  std::string what;
  std::string source;
  // A planning figure AWS does not bound (`planning: true`): a spec replaces it
  // with its own measurement (`measured <name> { ... }`).
  bool planning = false;
};

struct RecoveryFacts {
  std::map<std::string, RecoveryFact, std::less<>> facts;
  // Throws std::out_of_range naming the missing fact: the data file and the code disagree.
  const RecoveryFact& at(std::string_view name) const;
};

// Parses the embedded data file; throws std::runtime_error on a malformed file.
RecoveryFacts load_recovery_facts();

}  // namespace paydrc::policies

#include "dr/facts.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "engine/embedded.h"

namespace paydrc::policies {

const RecoveryFact& RecoveryFacts::at(std::string_view name) const {
  auto it = facts.find(name);
  if (it == facts.end())
    throw std::out_of_range("recovery fact `" + std::string(name) + "` missing from data/recovery.yaml");
  return it->second;
}

RecoveryFacts load_recovery_facts() {
  const EmbeddedFile* file = find_embedded("data/recovery.yaml");
  if (file == nullptr) throw std::runtime_error("data/recovery.yaml is not embedded");
  YAML::Node root = YAML::Load(std::string(file->text));
  RecoveryFacts out;
  for (const auto& item : root) {
    RecoveryFact f;
    f.seconds = item.second["seconds"].as<ir::Seconds>();
    f.what = item.second["what"].as<std::string>();
    f.source = item.second["source"].as<std::string>();
    if (item.second["planning"]) f.planning = item.second["planning"].as<bool>();
    out.facts[item.first.as<std::string>()] = f;
  }
  return out;
}

}  // namespace paydrc::policies

// The policy data files compiled into the binary (packs, prices, recovery facts),
// by their path under policies/.
#pragma once

#include <string_view>
#include <vector>

namespace paydrc::policies {

struct EmbeddedFile {
  std::string_view path;  // baseline.yaml, prices/aws.yaml, data/recovery.yaml
  std::string_view text;
};

const std::vector<EmbeddedFile>& embedded_files();
const EmbeddedFile* find_embedded(std::string_view path);

}  // namespace paydrc::policies

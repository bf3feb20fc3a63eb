#include "engine/sarif.h"

#include <fmt/format.h>

#include <map>

namespace paydrc::policies {
namespace {

using Json = nlohmann::ordered_json;

std::string level(diag::Severity s) {
  switch (s) {
    case diag::Severity::Error:
      return "error";
    case diag::Severity::Warning:
      return "warning";
    case diag::Severity::Note:
      return "note";
  }
  return "error";
}

Json region(const SourceRange& r) {
  Json j{{"startLine", std::max<std::uint32_t>(1, r.begin.line)},
         {"startColumn", std::max<std::uint32_t>(1, r.begin.column)}};
  if (r.end.line >= r.begin.line && r.end.line != 0) {
    j["endLine"] = r.end.line;
    j["endColumn"] = std::max<std::uint32_t>(1, r.end.column);
  }
  return j;
}

std::string uri(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ')
      out += "%20";
    else if (c == '%')
      out += "%25";
    else
      out += c;
  }
  while (out.starts_with("./")) out = out.substr(2);
  return out;
}

Json location(const std::string& file, const SourceRange& r) {
  return Json{{"physicalLocation", {{"artifactLocation", {{"uri", uri(file)}}}, {"region", region(r)}}}};
}

Json result(const diag::Diagnostic& d, const std::map<std::string, std::size_t>& index, const Finding* finding) {
  Json j;
  j["ruleId"] = d.id;
  if (auto it = index.find(d.id); it != index.end()) j["ruleIndex"] = it->second;
  j["level"] = level(d.severity);
  std::string text = d.message;
  // Each environment's verdict is its own result: a finding waived in dev and
  // standing in prod must not read as one.
  if (finding != nullptr && !finding->environments.empty())
    text += fmt::format(" (environment{}: {})", finding->environments.size() == 1 ? "" : "s",
                        fmt::join(finding->environments, ", "));
  if (!d.hint.empty()) text += fmt::format(" (hint: {})", d.hint);
  j["message"] = {{"text", text}};
  j["locations"] = Json::array({location(d.file, d.range)});
  Json related = Json::array();
  Json notes = Json::array();
  int id = 0;
  for (const diag::Note& n : d.notes) {
    notes.push_back(n.message);
    if (!n.range.valid()) continue;
    Json loc = location(d.file, n.range);
    loc["id"] = id++;
    loc["message"] = {{"text", n.message}};
    related.push_back(loc);
  }
  if (!related.empty()) j["relatedLocations"] = related;
  if (finding != nullptr && finding->waived) {
    j["suppressions"] =
        Json::array({{{"kind", "inSource"},
                      {"status", "accepted"},
                      {"justification", fmt::format("{} (until {})", finding->waiver_reason, finding->waiver_until)}}});
  }
  if (!notes.empty()) j["properties"] = {{"notes", notes}};
  if (finding != nullptr && !finding->environments.empty()) j["properties"]["environments"] = finding->environments;
  return j;
}

}  // namespace

Json to_sarif(const std::vector<SarifFile>& files, const std::string& version) {
  Json rules = Json::array();
  std::map<std::string, std::size_t> index;
  for (const Rule& r : all_rules()) {
    index[std::string(r.info.id)] = rules.size();
    std::string help = fmt::format("{}\n\nWhy: {}", r.info.title, r.info.rationale);
    if (!r.info.references.empty()) help += fmt::format("\n\nReferences: {}", r.info.references);
    rules.push_back(
        {{"id", r.info.id},
         {"name", r.info.id},
         {"shortDescription", {{"text", r.info.title}}},
         {"fullDescription", {{"text", r.info.rationale}}},
         {"help", {{"text", help}, {"markdown", help}}},
         {"defaultConfiguration", {{"level", level(r.info.default_severity)}}},
         {"properties",
          {{"category", category_name(r.info.category)}, {"tags", Json::array({category_name(r.info.category)})}}}});
  }
  // Custom rules from the packs: listed once even when several files use the same pack.
  for (const SarifFile& f : files) {
    for (const CustomRule& c : f.custom_rules) {
      if (index.contains(c.id)) continue;
      index[c.id] = rules.size();
      std::string help = fmt::format("{}\n\nWhy: {}\n\nCondition: {} (custom rule of pack `{}`)", c.title,
                                     c.rationale.empty() ? c.title : c.rationale, c.condition(), c.pack);
      rules.push_back(
          {{"id", c.id},
           {"name", c.id},
           {"shortDescription", {{"text", c.title}}},
           {"fullDescription", {{"text", c.rationale.empty() ? c.title : c.rationale}}},
           {"help", {{"text", help}, {"markdown", help}}},
           {"defaultConfiguration", {{"level", level(c.severity)}}},
           {"properties", {{"category", category_name(c.category)}, {"tags", Json::array({"custom", c.pack})}}}});
    }
  }
  for (const auto& k : diag::all_kinds()) {
    index[std::string(k.id)] = rules.size();
    rules.push_back({{"id", k.id},
                     {"name", k.id},
                     {"shortDescription", {{"text", fmt::format("spec error: {}", k.id)}}},
                     {"help", {{"text", "see docs/language.md"}}},
                     {"defaultConfiguration", {{"level", level(k.severity)}}},
                     {"properties", {{"category", "spec"}, {"tags", Json::array({"spec"})}}}});
  }
  Json results = Json::array();
  Json artifacts = Json::array();
  for (const SarifFile& f : files) {
    artifacts.push_back({{"location", {{"uri", uri(f.path)}}}});
    for (const diag::Diagnostic& d : f.diagnostics) results.push_back(result(d, index, nullptr));
    for (const Finding& finding : f.findings) results.push_back(result(finding.diagnostic, index, &finding));
  }
  Json run{{"tool",
            {{"driver",
              {{"name", "paydrc"},
               {"version", version},
               {"informationUri", "https://github.com/paydrc/paydrc"},
               {"rules", rules}}}}},
           {"artifacts", artifacts},
           {"columnKind", "unicodeCodePoints"},
           {"results", results}};
  return Json{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", Json::array({run})}};
}

}  // namespace paydrc::policies

#include "engine/pack.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "check/suggest.h"
#include "engine/embedded.h"

namespace paydrc::policies {
namespace {

SourceRange mark_range(const YAML::Mark& m, std::size_t width = 1) {
  if (m.line < 0) return {};
  SourceRange r;
  r.begin = {static_cast<std::uint32_t>(m.line + 1), static_cast<std::uint32_t>(m.column + 1)};
  r.end = {r.begin.line, r.begin.column + static_cast<std::uint32_t>(width)};
  return r;
}

std::optional<diag::Severity> parse_severity(const std::string& s) {
  if (s == "error") return diag::Severity::Error;
  if (s == "warning") return diag::Severity::Warning;
  if (s == "note") return diag::Severity::Note;
  return std::nullopt;
}

class PackParser {
 public:
  // `base` holds the packs loaded before this one, whose custom rules this one may configure.
  PackParser(const std::string& file, diag::Sink& sink, const Pack* base = nullptr)
      : file_(file), sink_(sink), base_(base) {}

  void error(const YAML::Node& at, std::string message, std::string hint = {}) {
    std::size_t width = at.IsScalar() ? at.Scalar().size() : 1;
    diag::Diagnostic d;
    d.id = std::string(diag::info(diag::Kind::InvalidPack).id);
    d.severity = diag::Severity::Error;
    d.message = std::move(message);
    d.hint = std::move(hint);
    d.file = file_;
    d.range = mark_range(at.Mark(), width);
    sink_.add(std::move(d));
    ok_ = false;
  }

  std::optional<Pack> parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      diag::Diagnostic d;
      d.id = std::string(diag::info(diag::Kind::InvalidPack).id);
      d.message = fmt::format("malformed YAML: {}", e.msg);
      d.file = file_;
      d.range = mark_range(e.mark);
      sink_.add(std::move(d));
      return std::nullopt;
    }
    if (!root.IsMap()) {
      error(root, "a pack is a YAML mapping with `name`, `description` and `rules`");
      return std::nullopt;
    }
    Pack pack;
    static const std::set<std::string> top_keys = {"name", "description", "extends", "rules", "custom_rules"};
    for (const auto& item : root) {
      std::string key = item.first.Scalar();
      if (!top_keys.contains(key)) {
        error(item.first, fmt::format("unknown key `{}` in a pack", key),
              "keys: `name`, `description`, `extends`, `rules`, `custom_rules`");
      }
    }
    if (root["name"] && root["name"].IsScalar())
      pack.name = root["name"].Scalar();
    else
      error(root, "the pack has no `name`");
    if (root["description"] && root["description"].IsScalar()) pack.description = root["description"].Scalar();
    if (const YAML::Node custom = root["custom_rules"]) parse_custom(custom, pack);
    const YAML::Node rules = root["rules"];
    // A pack may declare custom rules and configure nothing else.
    if (!rules && root["custom_rules"]) return ok_ ? std::optional<Pack>(pack) : std::nullopt;
    if (!rules || !rules.IsMap()) {
      error(root, "the pack has no `rules` mapping", "rules: { DR-RTO: {}, SEC-KMS-CMK: { severity: error } }");
      return ok_ ? std::optional<Pack>(pack) : std::nullopt;
    }
    std::vector<std::string> ids;
    for (const Rule& r : all_rules()) ids.emplace_back(r.info.id);
    for (const CustomRule& c : pack.custom_rules) ids.push_back(c.id);
    if (base_ != nullptr) {
      for (const CustomRule& c : base_->custom_rules) ids.push_back(c.id);
    }
    for (const auto& item : rules) {
      std::string id = item.first.Scalar();
      const Rule* rule = find_rule(id);
      const CustomRule* custom = rule != nullptr ? nullptr : known_custom_rule(pack, id);
      if (rule == nullptr && custom == nullptr) {
        std::string hint = check::did_you_mean(id, ids);
        error(item.first, fmt::format("unknown rule `{}`", id),
              hint.empty() ? "`paydrc rules` lists the rule ids" : hint);
        continue;
      }
      RuleSetting setting{rule != nullptr ? rule->info.default_severity : custom->severity, {}, std::nullopt};
      const YAML::Node& body = item.second;
      if (body.IsNull()) {
        pack.rules[id] = setting;
        continue;
      }
      if (!body.IsMap()) {
        error(body, fmt::format("the settings of `{}` are a mapping", id), "such as `{ severity: warning }`");
        continue;
      }
      for (const auto& s : body) {
        std::string key = s.first.Scalar();
        if (key == "severity") {
          auto sev = s.second.IsScalar() ? parse_severity(s.second.Scalar()) : std::nullopt;
          if (!sev)
            error(s.second, "severity is `error`, `warning` or `note`");
          else
            setting.severity = *sev;
        } else if (key == "params") {
          if (!s.second.IsMap()) {
            error(s.second, "`params` is a mapping of names to values");
            continue;
          }
          for (const auto& p : s.second) {
            if (!p.second.IsScalar()) {
              error(p.second, "parameter values are scalars");
              continue;
            }
            setting.params[p.first.Scalar()] = p.second.Scalar();
          }
        } else if (key == "waivable") {
          bool value = true;
          if (!s.second.IsScalar() || !YAML::convert<bool>::decode(s.second, value))
            error(s.second, "`waivable` is `true` or `false`");
          else
            setting.waivable = value;
        } else {
          error(s.first, fmt::format("unknown setting `{}`", key), "settings: `severity`, `params`, `waivable`");
        }
      }
      pack.rules[id] = setting;
    }
    if (!ok_) return std::nullopt;
    return pack;
  }

 private:
  // Custom rules are enabled where they are declared, at their own severity.
  void parse_custom(const YAML::Node& custom, Pack& pack) {
    auto owner = [&](std::string_view id) -> std::string {
      if (find_rule(id) != nullptr) return "a built-in rule";
      if (base_ != nullptr) {
        if (const CustomRule* c = find_custom_rule(base_->custom_rules, id)) return fmt::format("pack `{}`", c->pack);
      }
      return {};
    };
    pack.custom_rules =
        parse_custom_rules(custom, pack.name, owner, [&](const YAML::Node& at, std::string message, std::string hint) {
          error(at, std::move(message), std::move(hint));
        });
    for (const CustomRule& c : pack.custom_rules) pack.rules[c.id] = RuleSetting{c.severity, {}, std::nullopt};
  }

  const CustomRule* known_custom_rule(const Pack& pack, std::string_view id) const {
    if (const CustomRule* c = find_custom_rule(pack.custom_rules, id)) return c;
    return base_ != nullptr ? find_custom_rule(base_->custom_rules, id) : nullptr;
  }

  std::string file_;
  diag::Sink& sink_;
  const Pack* base_ = nullptr;
  bool ok_ = true;
};

}  // namespace

std::vector<std::string> builtin_pack_names() {
  std::vector<std::string> names;
  for (const EmbeddedFile& f : embedded_files()) {
    if (f.path.find('/') == std::string_view::npos && f.path.ends_with(".yaml")) {
      names.emplace_back(f.path.substr(0, f.path.size() - 5));
    }
  }
  return names;
}

LoadedPacks load_packs(const std::vector<std::string>& names, SourceRange names_range, const std::string& spec_dir,
                       diag::Sink& sink) {
  LoadedPacks out;
  bool ok = true;
  std::set<std::string> loading;
  // `extends` is followed before the pack itself so the pack overrides its base.
  std::function<void(const std::string&, SourceRange)> load = [&](const std::string& name, SourceRange at) {
    if (loading.contains(name)) return;
    loading.insert(name);
    std::string text;
    std::string display;
    if (name.ends_with(".yaml")) {
      std::filesystem::path p = std::filesystem::path(spec_dir) / name;
      std::ifstream in(p, std::ios::binary);
      if (!in) {
        sink.report(diag::Kind::UnknownReference, at, fmt::format("policy pack file `{}` cannot be read", name),
                    "pack files are relative to the spec's directory");
        ok = false;
        return;
      }
      std::ostringstream s;
      s << in.rdbuf();
      text = s.str();
      display = p.lexically_normal().generic_string();
    } else {
      const EmbeddedFile* f = find_embedded(name + ".yaml");
      if (f == nullptr) {
        std::string hint = check::did_you_mean(name, builtin_pack_names());
        sink.report(diag::Kind::UnknownReference, at, fmt::format("unknown policy pack `{}`", name),
                    hint.empty() ? fmt::format("built-in packs: `{}`; or a `.yaml` file path",
                                               fmt::join(builtin_pack_names(), "`, `"))
                                 : hint);
        ok = false;
        return;
      }
      text = std::string(f->text);
      display = "policies/" + std::string(f->path);
    }
    // The base first: the pack may configure the base's custom rules.
    try {
      YAML::Node root = YAML::Load(text);
      if (root.IsMap() && root["extends"] && root["extends"].IsScalar()) load(root["extends"].Scalar(), at);
    } catch (const YAML::Exception&) {
    }
    out.sources.push_back(std::make_unique<SourceFile>(display, text));
    PackParser parser(display, sink, &out.merged);
    auto pack = parser.parse(text);
    if (!pack) {
      ok = false;
      return;
    }
    for (CustomRule& c : pack->custom_rules) out.merged.custom_rules.push_back(std::move(c));
    for (auto& [id, setting] : pack->rules) {
      auto it = out.merged.rules.find(id);
      if (it == out.merged.rules.end()) {
        out.merged.rules.emplace(id, setting);
      } else {
        it->second.severity = setting.severity;
        for (auto& [k, v] : setting.params) it->second.params[k] = v;
        if (setting.waivable) it->second.waivable = setting.waivable;
      }
    }
    out.names.push_back(pack->name);
  };
  for (const std::string& name : names) load(name, names_range);
  out.ok = ok;
  return out;
}

}  // namespace paydrc::policies

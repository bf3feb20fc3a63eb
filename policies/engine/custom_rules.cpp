#include "engine/custom_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <regex>
#include <set>
#include <span>

#include "check/suggest.h"

namespace paydrc::policies {
namespace {

using Json = nlohmann::ordered_json;

struct OpName {
  CustomOp op;
  std::string_view name;
};

constexpr OpName kOps[] = {
    {CustomOp::Eq, "=="},
    {CustomOp::Ne, "!="},
    {CustomOp::Lt, "<"},
    {CustomOp::Le, "<="},
    {CustomOp::Gt, ">"},
    {CustomOp::Ge, ">="},
    {CustomOp::In, "in"},
    {CustomOp::NotIn, "not_in"},
    {CustomOp::Exists, "exists"},
    {CustomOp::Matches, "matches"},
    {CustomOp::Contains, "contains"},
};

std::string_view op_name(CustomOp op) {
  for (const OpName& o : kOps) {
    if (o.op == op) return o.name;
  }
  return "==";
}

std::optional<CustomOp> parse_op(std::string_view s) {
  for (const OpName& o : kOps) {
    if (o.name == s) return o.op;
  }
  return std::nullopt;
}

std::vector<std::string> op_names() {
  std::vector<std::string> out;
  for (const OpName& o : kOps) out.emplace_back(o.name);
  return out;
}

bool is_ordering(CustomOp op) {
  return op == CustomOp::Lt || op == CustomOp::Le || op == CustomOp::Gt || op == CustomOp::Ge;
}

// Built-in rule families: a custom id there could collide with a future rule.
constexpr std::string_view kReservedPrefixes[] = {"SEC-", "DR-", "COST-", "WAIVER-"};

bool valid_id(std::string_view id) {
  // ORG-FN-MEMORY: upper-case words of letters and digits joined by dashes.
  if (id.empty() || std::isupper(static_cast<unsigned char>(id.front())) == 0 || id.back() == '-') return false;
  bool dash = false;
  char previous = 0;
  for (char c : id) {
    const bool word =
        std::isupper(static_cast<unsigned char>(c)) != 0 || std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (c == '-') {
      if (previous == '-') return false;
      dash = true;
    } else if (!word) {
      return false;
    }
    previous = c;
  }
  return dash;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    out.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::optional<Json> parse_number(const std::string& s) {
  long long integer = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), integer);
  if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return Json(integer);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() + s.size()) return Json(d);
  return std::nullopt;
}

std::optional<bool> parse_bool(const std::string& s) {
  static const std::set<std::string> yes = {"true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES"};
  static const std::set<std::string> no = {"false", "False", "FALSE", "off", "Off", "OFF", "no", "No", "NO"};
  if (yes.contains(s)) return true;
  if (no.contains(s)) return false;
  return std::nullopt;
}

std::string_view json_kind(const Json& j) {
  if (j.is_number()) return "a number";
  if (j.is_boolean()) return "a boolean";
  if (j.is_string()) return "text";
  if (j.is_array()) return "a list";
  if (j.is_object()) return "a mapping";
  return "optional";
}

// A YAML scalar as the JSON value it is compared with: typed by the attribute
// when the attribute's type is known, else by its YAML form (quoted = text).
std::optional<Json> scalar_value(const YAML::Node& node, const Json* field, std::string& why) {
  const std::string& s = node.Scalar();
  if (field != nullptr && field->is_number()) {
    if (auto n = parse_number(s)) return n;
    why = fmt::format("the attribute is a number; `{}` is not", s);
    return std::nullopt;
  }
  if (field != nullptr && field->is_boolean()) {
    if (auto b = parse_bool(s)) return Json(*b);
    why = fmt::format("the attribute is a boolean (`true` or `false`); `{}` is not", s);
    return std::nullopt;
  }
  if (field != nullptr && field->is_string()) return Json(s);
  if (node.Tag() != "!") {  // plain (unquoted) scalar
    if (auto n = parse_number(s)) return n;
    if (auto b = parse_bool(s)) return Json(*b);
  }
  return Json(s);
}

// The value at `path`; through a list, the values of every element, flattened.
std::optional<Json> lookup(const Json& node, std::span<const std::string> path) {
  if (path.empty()) return node;
  if (node.is_object()) {
    auto it = node.find(path.front());
    if (it == node.end()) return std::nullopt;
    return lookup(*it, path.subspan(1));
  }
  if (node.is_array()) {
    Json out = Json::array();
    for (const Json& element : node) {
      std::optional<Json> v = lookup(element, path);
      if (!v) {
        out.push_back(nullptr);
      } else if (v->is_array()) {
        for (const Json& inner : *v) out.push_back(inner);
      } else {
        out.push_back(std::move(*v));
      }
    }
    return out;
  }
  return std::nullopt;
}

bool equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

std::string as_text(const Json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

bool scalar_holds(CustomOp op, const Json& actual, const Json& value) {
  switch (op) {
    case CustomOp::Eq:
      return equal(actual, value);
    case CustomOp::Ne:
      return !equal(actual, value);
    case CustomOp::Lt:
      return actual.is_number() && actual.get<double>() < value.get<double>();
    case CustomOp::Le:
      return actual.is_number() && actual.get<double>() <= value.get<double>();
    case CustomOp::Gt:
      return actual.is_number() && actual.get<double>() > value.get<double>();
    case CustomOp::Ge:
      return actual.is_number() && actual.get<double>() >= value.get<double>();
    case CustomOp::In:
    case CustomOp::NotIn: {
      const bool found = std::any_of(value.begin(), value.end(), [&](const Json& v) { return equal(actual, v); });
      return op == CustomOp::In ? found : !found;
    }
    case CustomOp::Matches:
      if (actual.is_null() || actual.is_object() || actual.is_array()) return false;
      return std::regex_match(as_text(actual), std::regex(value.get<std::string>(), std::regex::ECMAScript));
    case CustomOp::Contains:
      if (actual.is_string() && value.is_string())
        return actual.get<std::string>().find(value.get<std::string>()) != std::string::npos;
      if (actual.is_object() && value.is_string()) return actual.contains(value.get<std::string>());
      return false;
    case CustomOp::Exists:
      return !actual.is_null();
  }
  return false;
}

bool present(const Json* actual) {
  if (actual == nullptr || actual->is_null()) return false;
  if (actual->is_string()) return !actual->get<std::string>().empty();
  if (actual->is_array() || actual->is_object()) return !actual->empty();
  return true;
}

std::string shown(const Json* actual) {
  if (actual == nullptr || actual->is_null()) return "absent";
  std::string text = actual->dump();
  return text.size() > 120 ? text.substr(0, 117) + "..." : text;
}

// Reads one `custom_rules` item; reports and returns nothing when it is invalid.
class ItemParser {
 public:
  ItemParser(const YAML::Node& item, const PackErrorFn& error) : item_(item), error_(error) {}

  void fail(const YAML::Node& at, std::string message, std::string hint = {}) {
    error_(at, std::move(message), std::move(hint));
    ok_ = false;
  }

  // A scalar setting; reports it when it is required and missing.
  std::optional<std::string> scalar(const char* key, bool required) {
    const YAML::Node node = item_[key];
    if (!node) {
      if (required) fail(item_, fmt::format("the custom rule has no `{}`", key), kShape);
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      fail(node, fmt::format("`{}` is a single value", key));
      return std::nullopt;
    }
    return node.Scalar();
  }

  bool ok() const { return ok_; }

  static constexpr const char* kShape =
      "a custom rule has `id`, `title`, `resource`, `attribute`, `op`, `value` and optionally `severity`, "
      "`category`, `rationale`, `references`, `hint`";

 private:
  const YAML::Node& item_;
  const PackErrorFn& error_;
  bool ok_ = true;
};

std::optional<CustomRule> parse_item(const YAML::Node& item, const std::string& pack_name, const RuleOwnerFn& owner,
                                     const std::set<std::string>& earlier, const PackErrorFn& error) {
  ItemParser p(item, error);
  if (!item.IsMap()) {
    p.fail(item, "a custom rule is a mapping", ItemParser::kShape);
    return std::nullopt;
  }
  static const std::vector<std::string> keys = {"id",   "title",    "severity",  "category", "rationale", "references",
                                                "hint", "resource", "attribute", "op",       "value"};
  for (const auto& kv : item) {
    std::string key = kv.first.Scalar();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string hint = check::did_you_mean(key, keys);
      p.fail(kv.first, fmt::format("unknown key `{}` in a custom rule", key), hint.empty() ? ItemParser::kShape : hint);
    }
  }

  CustomRule rule;
  rule.pack = pack_name;
  if (auto id = p.scalar("id", true)) {
    rule.id = *id;
    const YAML::Node at = item["id"];
    auto reserved = std::find_if(std::begin(kReservedPrefixes), std::end(kReservedPrefixes),
                                 [&](std::string_view prefix) { return rule.id.starts_with(prefix); });
    if (!valid_id(rule.id)) {
      p.fail(at, fmt::format("custom rule id `{}` is not upper-case words joined by dashes", rule.id),
             "such as `ORG-FN-MEMORY`");
    } else if (reserved != std::end(kReservedPrefixes)) {
      p.fail(at,
             fmt::format("custom rule ids cannot start with `{}`: that family belongs to built-in rules", *reserved),
             "use your organisation's prefix, such as `ORG-`");
    } else if (std::string taken = owner(rule.id); !taken.empty()) {
      p.fail(at, fmt::format("custom rule `{}` is already defined by {}", rule.id, taken), "choose another id");
    } else if (earlier.contains(rule.id)) {
      p.fail(at, fmt::format("custom rule `{}` is defined twice in this pack", rule.id), "choose another id");
    }
  }
  if (auto title = p.scalar("title", true)) rule.title = *title;
  if (auto rationale = p.scalar("rationale", false)) rule.rationale = *rationale;
  if (auto references = p.scalar("references", false)) rule.references = *references;
  if (auto hint = p.scalar("hint", false)) rule.hint = *hint;
  if (auto severity = p.scalar("severity", false)) {
    if (*severity == "error")
      rule.severity = diag::Severity::Error;
    else if (*severity == "warning")
      rule.severity = diag::Severity::Warning;
    else if (*severity == "note")
      rule.severity = diag::Severity::Note;
    else
      p.fail(item["severity"], "severity is `error`, `warning` or `note`");
  }
  if (auto category = p.scalar("category", false)) {
    if (*category == "security")
      rule.category = Category::Security;
    else if (*category == "dr")
      rule.category = Category::DisasterRecovery;
    else if (*category == "cost")
      rule.category = Category::Cost;
    else
      p.fail(item["category"], "category is `security`, `dr` or `cost`");
  }

  // The resource type, then the attribute's first segment against that type's fields.
  const Json* field = nullptr;
  bool typed = false;  // `field` describes the value compared (a top-level attribute)
  if (auto resource = p.scalar("resource", true)) {
    rule.resource = *resource;
    const auto& types = resource_types();
    if (std::find(types.begin(), types.end(), rule.resource) == types.end()) {
      std::vector<std::string> names(types.begin(), types.end());
      std::string hint = check::did_you_mean(rule.resource, names);
      p.fail(item["resource"], fmt::format("unknown resource type `{}`", rule.resource),
             hint.empty() ? fmt::format("resource types: `{}`", fmt::join(names, "`, `")) : hint);
    } else if (auto attribute = p.scalar("attribute", true)) {
      rule.attribute = *attribute;
      const Json& exemplar = attribute_exemplar(rule.resource);
      std::vector<std::string> path = split_path(rule.attribute);
      auto it = exemplar.find(path.front());
      if (it == exemplar.end() ||
          std::any_of(path.begin(), path.end(), [](const std::string& s) { return s.empty(); })) {
        std::vector<std::string> names;
        for (const auto& kv : exemplar.items()) names.push_back(kv.key());
        std::string hint = check::did_you_mean(path.front(), names);
        p.fail(item["attribute"], fmt::format("`{}` has no attribute `{}`", rule.resource, rule.attribute),
               hint.empty() ? fmt::format("attributes of `{}`: `{}`", rule.resource, fmt::join(names, "`, `")) : hint);
      } else {
        field = &*it;
        typed = path.size() == 1 && !it->is_array() && !it->is_null();
      }
    }
  } else {
    p.scalar("attribute", true);
  }

  std::optional<CustomOp> op;
  if (auto name = p.scalar("op", true)) {
    op = parse_op(*name);
    if (!op) {
      std::string hint = check::did_you_mean(*name, op_names());
      p.fail(item["op"], fmt::format("unknown operator `{}`", *name),
             hint.empty() ? fmt::format("operators: `{}`", fmt::join(op_names(), "`, `")) : hint);
    } else {
      rule.op = *op;
    }
  }
  if (!op || !p.ok()) return std::nullopt;

  // The value, by operator; `typed` lets the attribute's own type check it.
  const Json* compare_as = typed ? field : nullptr;
  const YAML::Node value = item["value"];
  const YAML::Node& value_at = value ? value : item;
  const std::string attr = rule.attribute;
  if (field != nullptr && typed) {
    if (is_ordering(*op) && !field->is_number()) {
      p.fail(item["op"], fmt::format("`{}` compares numbers; `{}` is {}", op_name(*op), attr, json_kind(*field)),
             "use `==`, `!=`, `in`, `not_in` or `matches`");
    } else if (*op == CustomOp::Matches && !field->is_string()) {
      p.fail(item["op"], fmt::format("`matches` reads text; `{}` is {}", attr, json_kind(*field)),
             "use `==` or a comparison");
    } else if (*op == CustomOp::Contains && !field->is_string() && !field->is_object()) {
      p.fail(item["op"], fmt::format("`contains` reads lists, text and mappings; `{}` is {}", attr, json_kind(*field)),
             "use `==`");
    }
  }
  if (!p.ok()) return std::nullopt;
  std::string why;
  switch (*op) {
    case CustomOp::Exists:
      if (!value) {
        rule.value = true;
      } else if (auto b = value.IsScalar() ? parse_bool(value.Scalar()) : std::nullopt) {
        rule.value = *b;
      } else {
        p.fail(value, "the value of `exists` is `true` or `false`");
      }
      break;
    case CustomOp::In:
    case CustomOp::NotIn:
      if (!value || !value.IsSequence()) {
        p.fail(value_at, fmt::format("`{}` needs a list of values", op_name(*op)),
               "such as `value: [python3.12, python3.13]`");
        break;
      }
      rule.value = Json::array();
      for (const YAML::Node& v : value) {
        if (!v.IsScalar()) {
          p.fail(v, "list values are scalars");
          continue;
        }
        if (auto j = scalar_value(v, compare_as, why))
          rule.value.push_back(*j);
        else
          p.fail(v, why);
      }
      break;
    default:
      if (!value || !value.IsScalar()) {
        p.fail(value_at, fmt::format("`{}` needs a single `value`", op_name(*op)));
        break;
      }
      if (auto j = scalar_value(value, compare_as, why)) {
        rule.value = *j;
      } else {
        p.fail(value, why);
        break;
      }
      if (is_ordering(*op) && !rule.value.is_number()) {
        p.fail(value, fmt::format("`{}` compares numbers; `{}` is not one", op_name(*op), value.Scalar()));
      } else if (*op == CustomOp::Matches) {
        rule.value = value.Scalar();
        try {
          std::regex check(value.Scalar(), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          p.fail(value, fmt::format("invalid regular expression: {}", e.what()),
                 "ECMAScript syntax, matched against the whole value");
        }
      }
      break;
  }
  if (!p.ok()) return std::nullopt;
  return rule;
}

}  // namespace

RuleInfo CustomRule::info() const {
  return RuleInfo{id, title, category, severity, rationale, references};
}

std::string CustomRule::condition() const {
  if (op == CustomOp::Exists)
    return value.get<bool>() ? fmt::format("{} exists", attribute) : fmt::format("{} is absent", attribute);
  return fmt::format("{} {} {}", attribute, op_name(op), value.dump());
}

std::vector<CustomRule> parse_custom_rules(const YAML::Node& rules, const std::string& pack_name,
                                           const RuleOwnerFn& owner, const PackErrorFn& error) {
  std::vector<CustomRule> out;
  if (!rules.IsSequence()) {
    error(rules, "`custom_rules` is a list of rules", ItemParser::kShape);
    return out;
  }
  std::set<std::string> ids;
  for (const YAML::Node& item : rules) {
    if (auto rule = parse_item(item, pack_name, owner, ids, error)) {
      ids.insert(rule->id);
      out.push_back(std::move(*rule));
    }
  }
  return out;
}

const CustomRule* find_custom_rule(const std::vector<CustomRule>& rules, std::string_view id) {
  for (const CustomRule& r : rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool custom_condition_holds(CustomOp op, const Json* actual, const Json& value) {
  if (op == CustomOp::Exists) return present(actual) == value.get<bool>();
  if (actual == nullptr || actual->is_null()) return op == CustomOp::Ne || op == CustomOp::NotIn;
  if (actual->is_array()) {
    if (op == CustomOp::Contains) {
      return std::any_of(actual->begin(), actual->end(), [&](const Json& e) { return equal(e, value); });
    }
    return std::all_of(actual->begin(), actual->end(), [&](const Json& e) { return scalar_holds(op, e, value); });
  }
  return scalar_holds(op, *actual, value);
}

void check_custom_rule(const CustomRule& rule, const ir::System& system, const std::vector<ResourceView>& views,
                       Findings& out) {
  const std::vector<std::string> path = split_path(rule.attribute);
  for (const ResourceView& view : views) {
    if (view.type != rule.resource) continue;
    std::optional<Json> actual = lookup(view.attributes, path);
    const Json* value = actual ? &*actual : nullptr;
    if (custom_condition_holds(rule.op, value, rule.value)) continue;
    out.add(view.origin,
            fmt::format("{} `{}`: `{}` is {}, but the rule wants `{}`", rule.resource, view.id, rule.attribute,
                        shown(value), rule.condition()),
            rule.hint.empty() ? rule.title : rule.hint, block_scope(system, view.origin));
  }
}

}  // namespace paydrc::policies

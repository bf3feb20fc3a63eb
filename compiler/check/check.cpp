// The schema-driven half of the checker: block structure, attribute types,
// defaults and references. build_ir.cpp turns the typed instances into IR and
// applies AWS's rules.
#include "check/check.h"

#include <cctype>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "check/build_ir.h"
#include "check/environments.h"
#include "check/suggest.h"
#include "check/typed.h"
#include "check/values.h"
#include "diagnostics/render.h"
#include "support/environment.h"

namespace paydrc::check {

const TypedValue* Instance::get(std::string_view name) const {
  auto it = attributes.find(name);
  return it == attributes.end() ? nullptr : &it->second;
}

bool Instance::failed_attribute(std::string_view name) const {
  return std::find(failed.begin(), failed.end(), name) != failed.end();
}

SourceRange Instance::range_of(std::string_view name) const {
  const TypedValue* v = get(name);
  return (v != nullptr && !v->from_default) ? v->range : entry->name_range;
}

ir::Origin Instance::origin() const {
  ir::Origin o;
  o.range = entry->range;
  for (const auto& [name, value] : attributes) {
    o.attributes[name] = value.from_default ? entry->name_range : value.range;
  }
  return o;
}

const Instance* Instance::child(std::string_view kind) const {
  for (const Instance& c : children) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

namespace {

// Blocks whose labels name things other blocks refer to; they share one namespace.
bool is_referenceable(std::string_view kind) {
  static const std::set<std::string_view> kinds = {"region",   "database", "table", "function",
                                                   "failover", "events",   "backup"};
  return kinds.contains(kind);
}

struct Symbol {
  std::string kind;
  SourceRange range;
};

std::string article(std::string_view word) {
  return (word.empty() || std::string_view("aeiou").find(word[0]) == std::string_view::npos) ? "a" : "an";
}

std::string describe_value(const ast::Value& v) {
  switch (v.kind) {
    case ast::ValueKind::String:
      return "a string";
    case ast::ValueKind::Number:
      return fmt::format("the number `{}`", v.text);
    case ast::ValueKind::Quantity:
      return fmt::format("the quantity `{}`", v.text);
    case ast::ValueKind::Money:
      return fmt::format("the amount `{}`", v.text);
    case ast::ValueKind::Cidr:
      return fmt::format("the CIDR block `{}`", v.text);
    case ast::ValueKind::Date:
      return fmt::format("the date `{}`", v.text);
    case ast::ValueKind::Reference:
      return fmt::format("the name `{}`", v.text);
    case ast::ValueKind::List:
      return "a list";
    case ast::ValueKind::Map:
      return "a map";
  }
  return "a value";
}

std::string example_of(Type t) {
  switch (t) {
    case Type::String:
      return "\"text\"";
    case Type::Integer:
      return "3";
    case Type::Duration:
      return "30s";
    case Type::Size:
      return "1GB";
    case Type::Cidr:
      return "10.0.0.0/16";
    case Type::Money:
      return "$1000";
    case Type::Bool:
      return "on";
    case Type::Date:
      return "2027-06-30";
    case Type::Enum:
      return "<keyword>";
    case Type::Ref:
      return "<name>";
    case Type::RefList:
      return "[<name>, <name>]";
    case Type::StringList:
      return "[\"a\", \"b\"]";
    case Type::StringMap:
      return "{ KEY: \"value\" }";
    case Type::AccessMap:
      return "{ <name>: read }";
    case Type::OutputRef:
      return "<name>.<output>";
    case Type::Threshold:
      return "0";
  }
  return "...";
}

std::vector<std::string> split_choices(std::string_view choices) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= choices.size()) {
    std::size_t end = choices.find('|', start);
    if (end == std::string_view::npos) end = choices.size();
    if (end > start) out.emplace_back(choices.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::vector<std::string> q;
  for (const auto& i : items) q.push_back(fmt::format("`{}`", i));
  return fmt::format("{}", fmt::join(q, ", "));
}

// Builds an AST value from a default written in the schema table (a tiny
// subset of the language: strings, quantities, numbers, names, `[]`, `["x"]`, `{}`).
ast::Value default_literal(std::string_view text, SourceRange range) {
  ast::Value v;
  v.range = range;
  if (text.starts_with('"')) {
    v.kind = ast::ValueKind::String;
    v.text = std::string(text.substr(1, text.size() - 2));
  } else if (text.starts_with('[')) {
    v.kind = ast::ValueKind::List;
    std::string_view inner = text.substr(1, text.size() - 2);
    if (!inner.empty()) v.items.push_back(default_literal(inner, range));
  } else if (text.starts_with('{')) {
    v.kind = ast::ValueKind::Map;
  } else if (std::isdigit(static_cast<unsigned char>(text[0])) != 0) {
    bool letters =
        std::any_of(text.begin(), text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
    v.kind = letters ? ast::ValueKind::Quantity : ast::ValueKind::Number;
    v.text = std::string(text);
  } else {
    v.kind = ast::ValueKind::Reference;
    v.text = std::string(text);
  }
  return v;
}

class Checker {
 public:
  Checker(const Options& options, diag::Sink& sink) : options_(options), sink_(sink) {}

  // The spec's one `system` block, after reporting any other top-level block.
  const ast::Entry* find_system(const ast::File& file) {
    const ast::Entry* system = nullptr;
    for (const ast::Entry& block : file.blocks) {
      if (block.name != "system") {
        const BlockSpec* spec = find_block(block.name);
        std::string hint = spec != nullptr ? fmt::format("`{}` blocks go inside `system {{ ... }}`", block.name)
                                           : did_you_mean(block.name, {"system"});
        sink_.report(diag::Kind::UnknownBlock, block.name_range,
                     fmt::format("unknown top-level block `{}`", block.name),
                     hint.empty() ? "a spec is one `system <name> { ... }` block" : hint);
        continue;
      }
      if (system != nullptr) {
        auto& d = sink_.report(diag::Kind::DuplicateBlock, block.name_range, "a spec holds one `system` block",
                               "split the systems into separate .pdr files");
        d.notes.push_back({"the first `system` block is here", system->name_range});
        continue;
      }
      system = &block;
    }
    if (system == nullptr && !sink_.has_errors()) {
      sink_.report(diag::Kind::MissingSystem, SourceRange{{1, 1}, {1, 1}}, "the spec has no `system` block",
                   "a spec is one `system <name> { ... }` block");
    }
    return system;
  }

  // Checks one configuration: a system block without `environment` blocks
  // (the base, or the base with one environment applied).
  std::optional<ir::System> check_system(const ast::Entry& system) {
    collect_symbols(system);
    Instance root = check_block(system, *find_block("system"));
    // Domain checks run even after typing errors (ill-typed attributes are
    // skipped), so one run reports everything.
    auto system_ir = build_ir(root, options_, sink_);
    if (sink_.has_errors()) return std::nullopt;
    return system_ir;
  }

  // Checks the `environment` blocks of `system` against the base (`base`, the
  // system without them): names, and that each override names a block the
  // base declares and an attribute that may vary. Returns the names of the
  // well-named environments, in order; the overrides that pass are the ones
  // apply_environment() applies.
  std::vector<std::string> check_environments(const ast::Entry& system, const ast::Entry& base) {
    std::vector<std::string> names;
    std::map<std::string, SourceRange> seen;
    for (const ast::Entry& env : system.body) {
      if (!env.is_block() || env.name != "environment") continue;
      Instance ignored;
      ignored.entry = &env;
      check_label(env, *find_block("environment"), ignored);
      if (!env.label) continue;
      if (!valid_environment_suffix(*env.label)) {
        sink_.report(diag::Kind::InvalidValue, env.label_range,
                     fmt::format("`{}` is not an environment name", diag::printable(env.label->substr(0, 80))),
                     fmt::format("the name is the environment's `ENVIRONMENT_SUFFIX`: {}", kEnvironmentSuffixRule));
        continue;
      }
      auto [it, inserted] = seen.try_emplace(*env.label, env.label_range);
      if (!inserted) {
        auto& d = sink_.report(diag::Kind::DuplicateName, env.label_range,
                               fmt::format("environment `{}` is declared twice", *env.label),
                               "merge the two `environment` blocks");
        d.notes.push_back({"first declared here", it->second});
        continue;
      }
      names.push_back(*env.label);
      check_overrides(env, base, *find_block("system"), *env.label);
    }
    return names;
  }

 private:
  // `overlay` changes attributes of `base`, a block of kind `spec`.
  void check_overrides(const ast::Entry& overlay, const ast::Entry& base, const BlockSpec& spec,
                       const std::string& env) {
    std::map<std::string, SourceRange> attributes;
    std::map<std::string, SourceRange> blocks;
    for (const ast::Entry& item : overlay.body) {
      if (!item.is_block()) {
        if (find_attribute(spec.kind, item.name) == nullptr) {
          report_unknown_attribute(item, spec);
          continue;
        }
        auto [it, inserted] = attributes.try_emplace(item.name, item.name_range);
        if (!inserted) {
          auto& d = sink_.report(diag::Kind::DuplicateAttribute, item.name_range,
                                 fmt::format("`{}` is set more than once", item.name), "keep one of them");
          d.notes.push_back({"first set here", it->second});
          continue;
        }
        if (!varies_per_environment(spec.kind, item.name)) report_fixed(item, spec, base, env);
        continue;
      }
      const BlockSpec* child = find_block(item.name);
      if (child == nullptr || child->parent != spec.kind || child->kind == "environment") {
        if (child != nullptr && child->kind == "environment") {
          sink_.report(diag::Kind::UnknownBlock, item.name_range, "an `environment` block cannot hold another",
                       "declare each environment directly in `system`");
        } else {
          report_unknown_block(item, spec);
        }
        continue;
      }
      if (child->kind == "waive") {
        sink_.report(diag::Kind::FixedAcrossEnvironments, item.name_range,
                     "a waiver cannot be declared inside an environment",
                     fmt::format("declare it in `system` with `environments = [\"{}\"]`: it then holds in `{}` "
                                 "only and the finding stays in the others",
                                 env, env));
        continue;
      }
      if (child->label == LabelRule::None && item.label) {
        sink_.report(diag::Kind::UnexpectedLabel, item.label_range, fmt::format("`{}` blocks take no name", item.name),
                     fmt::format("write `{} {{ ... }}`", item.name));
        continue;
      }
      if (child->label != LabelRule::None && !item.label) {
        sink_.report(diag::Kind::MissingLabel, item.name_range,
                     fmt::format("an override of a `{}` block names it", item.name),
                     fmt::format("write `{} <name> {{ ... }}` with the name the system gives it", item.name));
        continue;
      }
      std::string key = item.name + (item.label ? " " + *item.label : "");
      auto [it, inserted] = blocks.try_emplace(key, item.name_range);
      if (!inserted) {
        auto& d = sink_.report(diag::Kind::DuplicateBlock, item.name_range,
                               fmt::format("`{}` is overridden twice in environment `{}`", key, env),
                               "merge the two blocks");
        d.notes.push_back({"first given here", it->second});
        continue;
      }
      const ast::Entry* target = find_overridden(base, item);
      if (target == nullptr) {
        report_missing_target(item, base, spec, env);
        continue;
      }
      check_overrides(item, *target, *child, env);
    }
  }

  void report_fixed(const ast::Entry& item, const BlockSpec& spec, const ast::Entry& base, const std::string& env) {
    const AttributeSpec* a = find_attribute(spec.kind, item.name);
    std::string why;
    if (a->type == Type::Ref || a->type == Type::RefList || a->type == Type::AccessMap || a->type == Type::OutputRef)
      why = "it names other blocks, and every environment deploys the same topology";
    else if (item.name == "kind" || item.name == "engine" || item.name == "engine_version" || item.name == "runtime")
      why = "every environment runs the same kind of resource and software, so what is tested in one is what runs in "
            "the others";
    else if (spec.kind == "region" && item.name == "name")
      why = "the region's AWS region is part of what the system is; declare another region role instead";
    else
      why = "it names or shapes resources, so changing it per environment would make the environments different "
            "systems";
    std::vector<std::string> variable;
    for (const PerEnvironment& p : per_environment_attributes()) {
      if (p.block == spec.kind) variable.emplace_back(p.name);
    }
    auto& d = sink_.report(
        diag::Kind::FixedAcrossEnvironments, item.name_range,
        fmt::format("`{}` of `{}{}` cannot vary per environment", item.name, spec.kind,
                    base.label ? " " + *base.label : ""),
        fmt::format("{}; {}", why,
                    variable.empty() ? fmt::format("nothing in `{}` varies per environment", spec.kind)
                                     : fmt::format("per environment: {}", quoted_list(variable))));
    (void)env;
    for (const ast::Entry& b : base.body) {
      if (!b.is_block() && b.name == item.name) {
        d.notes.push_back({"the system sets it here", b.name_range});
        break;
      }
    }
  }

  void report_missing_target(const ast::Entry& item, const ast::Entry& base, const BlockSpec& spec,
                             const std::string& env) {
    std::vector<std::string> labels;
    for (const ast::Entry& b : base.body) {
      if (b.is_block() && b.name == item.name && b.label) labels.push_back(*b.label);
    }
    std::string what = item.label ? fmt::format("{} `{}`", item.name, *item.label) : fmt::format("`{}`", item.name);
    std::string hint = item.label ? did_you_mean(*item.label, labels) : "";
    if (hint.empty()) {
      hint = labels.empty()
                 ? fmt::format("declare it in `{}` first: an environment changes attributes of blocks the system "
                               "declares, it adds none",
                               spec.kind)
                 : fmt::format("`{}` blocks in `{}`: {}", item.name, spec.kind, quoted_list(labels));
    }
    sink_.report(diag::Kind::UnknownOverrideTarget, item.label ? item.label_range : item.name_range,
                 fmt::format("environment `{}` overrides {}, which `{}` does not declare", env, what, spec.kind),
                 hint);
  }

  // Generated names drop case and the difference between `-` and `_`
  // (`order_items` and `order-items` both become the CloudFormation logical
  // id `OrderItemsTable` and the AWS name `payment-order-items-<env>`), so two
  // labels spelled alike would compile to one resource.
  void check_spelling(const std::string& label, SourceRange range, const std::string& name_space,
                      const std::string& why) {
    std::string key = name_space + "\x1f";
    for (char c : label) {
      if (c == '-' || c == '_') continue;
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto [it, inserted] = spellings_.try_emplace(key, Spelling{label, range});
    if (inserted) return;
    auto& d = sink_.report(diag::Kind::DuplicateName, range,
                           fmt::format("the name `{}` differs from `{}` only in case or in `-` and `_`", label,
                                       it->second.label),
                           fmt::format("{}, and generated names ignore case and `-`/`_`, so both would become "
                                       "the same resources; rename one of them",
                                       why));
    d.notes.push_back({"spelled like this", it->second.range});
  }

  void collect_symbols(const ast::Entry& system) {
    for (const ast::Entry& e : system.body) {
      if (!e.is_block() || !e.label || !is_referenceable(e.name)) continue;
      auto [it, inserted] = symbols_.try_emplace(*e.label, Symbol{e.name, e.label_range});
      if (inserted) {
        check_spelling(*e.label, e.label_range, "", "names of regions, databases, tables, functions, failovers, "
                                                    "events and backups share one namespace");
      } else {
        auto& d = sink_.report(diag::Kind::DuplicateName, e.label_range,
                               fmt::format("the name `{}` is already used by {} `{}` block", *e.label,
                                           article(it->second.kind), it->second.kind),
                               "names of regions, databases, tables, functions, failovers, events and backups "
                               "share one namespace; rename one of them");
        d.notes.push_back({"first used here", it->second.range});
      }
    }
  }

  Instance check_block(const ast::Entry& e, const BlockSpec& spec) {
    Instance inst;
    inst.entry = &e;
    inst.kind = e.name;
    check_label(e, spec, inst);

    std::map<std::string, const ast::Entry*> seen_blocks;
    std::set<std::string> seen_parameter_names;
    for (const ast::Entry& item : e.body) {
      if (item.is_block()) {
        const BlockSpec* child = find_block(item.name);
        if (child == nullptr || child->parent != spec.kind) {
          report_unknown_block(item, spec);
          continue;
        }
        if (!child->repeatable) {
          auto [it, inserted] = seen_blocks.try_emplace(item.name, &item);
          if (!inserted) {
            auto& d = sink_.report(diag::Kind::DuplicateBlock, item.name_range,
                                   fmt::format("`{}` appears more than once in `{}`", item.name, spec.kind),
                                   "merge the two blocks");
            d.notes.push_back({"first given here", it->second->name_range});
            continue;
          }
        } else if (item.label && !is_referenceable(item.name) && item.name != "waive") {
          // alarms and parameters have their own namespaces per kind
          std::string key = item.name + "\x1f" + *item.label;
          auto [it, inserted] = local_names_.try_emplace(key, item.label_range);
          if (inserted) {
            check_spelling(*item.label, item.label_range, item.name,
                           fmt::format("each {} has its own namespace", item.name));
          } else {
            auto& d = sink_.report(
                diag::Kind::DuplicateName, item.label_range,
                fmt::format("there is already {} `{}` named `{}`", article(item.name), item.name, *item.label),
                "rename one of them");
            d.notes.push_back({"first used here", it->second});
          }
        }
        inst.children.push_back(check_block(item, *child));
      } else {
        check_attribute(item, spec, inst);
      }
    }

    for (const AttributeSpec* a : attributes_of(spec.kind)) {
      if (inst.attributes.contains(a->name) || inst.failed_attribute(a->name)) continue;
      if (a->presence == Presence::Required) {
        sink_.report(diag::Kind::MissingAttribute, e.name_range,
                     fmt::format("`{}` block{} is missing the required attribute `{}`", spec.kind,
                                 e.label ? fmt::format(" `{}`", *e.label) : "", a->name),
                     fmt::format("add `{} = {}`: {}", a->name, example_of(a->type), lower_first(a->doc)));
      } else if (!a->default_value.empty()) {
        ast::Value literal = default_literal(a->default_value, e.name_range);
        auto typed = convert(literal, *a, /*report=*/true);
        if (typed) {
          typed->from_default = true;
          inst.attributes.emplace(std::string(a->name), std::move(*typed));
        }
      }
    }
    for (const BlockSpec* child : children_of(spec.kind)) {
      if (!child->required) continue;
      bool present = std::any_of(inst.children.begin(), inst.children.end(),
                                 [&](const Instance& c) { return c.kind == child->kind; });
      bool mentioned = std::any_of(e.body.begin(), e.body.end(),
                                   [&](const ast::Entry& c) { return c.is_block() && c.name == child->kind; });
      if (!present && !mentioned) {
        sink_.report(diag::Kind::MissingBlock, e.name_range,
                     fmt::format("`{}` block is missing {} `{}` block", spec.kind, article(child->kind), child->kind),
                     fmt::format("add `{} {}{{ ... }}`: {}", child->kind,
                                 child->label == LabelRule::None ? "" : "<name> ", lower_first(child->doc)));
      }
    }
    return inst;
  }

  static std::string lower_first(std::string_view s) {
    std::string out(s);
    if (!out.empty() && out.size() > 1 && std::isupper(static_cast<unsigned char>(out[0])) != 0 &&
        std::islower(static_cast<unsigned char>(out[1])) != 0) {
      out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
    }
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
  }

  void check_label(const ast::Entry& e, const BlockSpec& spec, Instance& inst) {
    switch (spec.label) {
      case LabelRule::None:
        if (e.label) {
          sink_.report(diag::Kind::UnexpectedLabel, e.label_range, fmt::format("`{}` blocks take no name", spec.kind),
                       fmt::format("write `{} {{ ... }}`", spec.kind));
        }
        return;
      case LabelRule::Name:
        if (!e.label) {
          sink_.report(diag::Kind::MissingLabel, e.name_range, fmt::format("`{}` block needs a name", spec.kind),
                       fmt::format("write `{} <name> {{ ... }}`", spec.kind));
          inst.label = "<unnamed>";
          return;
        }
        if (e.label_quoted) {
          sink_.report(diag::Kind::InvalidValue, e.label_range,
                       fmt::format("the name of a `{}` block is an identifier, not a string", spec.kind),
                       fmt::format("write `{} {} {{ ... }}` without quotes", spec.kind, sanitize_name(*e.label)));
        }
        break;
      case LabelRule::RuleId:
        if (!e.label) {
          sink_.report(diag::Kind::MissingLabel, e.name_range, "`waive` needs the id of the rule it waives",
                       "write `waive COST-NAT-SINGLE { reason = \"...\" until = 2027-06-30 }`");
          return;
        }
        break;
    }
    inst.label = *e.label;
    inst.label_range = e.label_range;
  }

  static std::string sanitize_name(const std::string& s) {
    std::string out;
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) != 0) out = "_" + out;
    return out;
  }

  void report_unknown_block(const ast::Entry& item, const BlockSpec& parent) {
    std::vector<std::string> candidates;
    for (const BlockSpec* c : children_of(parent.kind)) candidates.emplace_back(c->kind);
    std::string hint;
    if (find_attribute(parent.kind, item.name) != nullptr) {
      hint = fmt::format("`{}` is an attribute here: write `{} = ...`", item.name, item.name);
    } else if (const BlockSpec* elsewhere = find_block(item.name)) {
      hint = fmt::format("`{}` blocks belong in {}", item.name,
                         elsewhere->parent.empty() ? "the top level" : fmt::format("`{}`", elsewhere->parent));
    } else {
      hint = did_you_mean(item.name, candidates);
      if (hint.empty()) {
        hint = candidates.empty() ? fmt::format("`{}` blocks contain attributes only", parent.kind)
                                  : fmt::format("blocks allowed in `{}`: {}", parent.kind, quoted_list(candidates));
      }
    }
    sink_.report(diag::Kind::UnknownBlock, item.name_range,
                 fmt::format("unknown block `{}` in `{}`", item.name, parent.kind), hint);
  }

  void report_unknown_attribute(const ast::Entry& item, const BlockSpec& block) {
    std::vector<std::string> candidates;
    for (const AttributeSpec* a : attributes_of(block.kind)) candidates.emplace_back(a->name);
    std::string hint;
    const BlockSpec* nested = find_block(item.name);
    if (nested != nullptr && nested->parent == block.kind) {
      hint = fmt::format("`{}` is a block: write `{} {{ ... }}`", item.name, item.name);
    } else {
      hint = did_you_mean(item.name, candidates);
      if (hint.empty() && !candidates.empty()) {
        hint = fmt::format("attributes of `{}`: {}", block.kind, quoted_list(candidates));
      }
    }
    sink_.report(diag::Kind::UnknownAttribute, item.name_range,
                 fmt::format("unknown attribute `{}` in `{}`", item.name, block.kind), hint);
  }

  void check_attribute(const ast::Entry& item, const BlockSpec& block, Instance& inst) {
    const AttributeSpec* spec = find_attribute(block.kind, item.name);
    if (spec == nullptr) {
      report_unknown_attribute(item, block);
      return;
    }
    if (inst.attributes.contains(item.name) || inst.failed_attribute(item.name)) {
      auto& d = sink_.report(diag::Kind::DuplicateAttribute, item.name_range,
                             fmt::format("`{}` is set more than once", item.name), "keep one of them");
      for (const ast::Entry& other : inst.entry->body) {
        if (!other.is_block() && other.name == item.name) {
          d.notes.push_back({"first set here", other.name_range});
          break;
        }
      }
      return;
    }
    auto typed = convert(item.value, *spec, true);
    if (typed) {
      inst.attributes.emplace(item.name, std::move(*typed));
    } else {
      inst.failed.push_back(item.name);
    }
  }

  void mismatch(const ast::Value& v, const AttributeSpec& spec, std::string hint = {}) {
    if (hint.empty())
      hint = fmt::format("write it as {} {}, such as `{}`", article(type_name(spec.type)), type_name(spec.type),
                         example_of(spec.type));
    sink_.report(diag::Kind::TypeMismatch, v.range,
                 fmt::format("`{}` expects {} {}, found {}", spec.name, article(type_name(spec.type)),
                             type_name(spec.type), describe_value(v)),
                 std::move(hint));
  }

  template <typename T>
  bool fail(const Parsed<T>& p, const ast::Value& v) {
    if (p.value) return false;
    sink_.report(p.unknown_unit ? diag::Kind::UnknownUnit : diag::Kind::InvalidValue, v.range, p.error, p.hint);
    return true;
  }

  std::optional<TypedValue> convert(const ast::Value& v, const AttributeSpec& spec, bool /*report*/) {
    TypedValue out;
    out.type = spec.type;
    out.range = v.range;
    using K = ast::ValueKind;
    switch (spec.type) {
      case Type::String:
        if (v.kind != K::String) return mismatch(v, spec), std::nullopt;
        out.text = v.text;
        return out;
      case Type::Integer: {
        if (v.kind != K::Number) {
          std::string hint;
          if (v.kind == K::Quantity) hint = "drop the unit: this attribute is a plain count";
          return mismatch(v, spec, hint), std::nullopt;
        }
        auto p = parse_integer(v.text);
        if (fail(p, v)) return std::nullopt;
        out.number = *p.value;
        return out;
      }
      case Type::Duration: {
        if (v.kind != K::Quantity) {
          std::string hint =
              v.kind == K::Number ? fmt::format("add a unit, such as `{}s` or `{}m`", v.text, v.text) : "";
          return mismatch(v, spec, hint), std::nullopt;
        }
        auto p = parse_duration(v.text);
        if (fail(p, v)) return std::nullopt;
        out.number = *p.value;
        return out;
      }
      case Type::Size: {
        if (v.kind != K::Quantity) {
          std::string hint = v.kind == K::Number ? fmt::format("add a unit, such as `{}MB`", v.text) : "";
          return mismatch(v, spec, hint), std::nullopt;
        }
        auto p = parse_size(v.text);
        if (fail(p, v)) return std::nullopt;
        out.number = *p.value;
        return out;
      }
      case Type::Threshold: {
        if (v.kind == K::Number) {
          auto p = parse_integer(v.text);
          if (fail(p, v)) return std::nullopt;
          out.number = *p.value;
          return out;
        }
        if (v.kind == K::Quantity) {
          auto p = parse_duration(v.text);
          if (fail(p, v)) return std::nullopt;
          out.number = *p.value;
          out.threshold_is_duration = true;
          return out;
        }
        return mismatch(v, spec), std::nullopt;
      }
      case Type::Cidr: {
        if (v.kind != K::Cidr) {
          std::string hint = v.kind == K::String ? fmt::format("drop the quotes: `{}`", v.text) : "";
          return mismatch(v, spec, hint), std::nullopt;
        }
        auto p = parse_cidr(v.text);
        if (p.value) {
          out.cidr = *p.value;
          return out;
        }
        sink_.report(diag::Kind::InvalidCidr, v.range, p.error, p.hint);
        return std::nullopt;
      }
      case Type::Money: {
        if (v.kind != K::Money) return mismatch(v, spec), std::nullopt;
        auto p = parse_money(v.text);
        if (fail(p, v)) return std::nullopt;
        out.number = *p.value;
        return out;
      }
      case Type::Date: {
        if (v.kind != K::Date) {
          std::string hint = v.kind == K::String ? fmt::format("drop the quotes: `{}`", v.text) : "";
          return mismatch(v, spec, hint), std::nullopt;
        }
        auto p = parse_date(v.text);
        if (fail(p, v)) return std::nullopt;
        out.date = *p.value;
        return out;
      }
      case Type::Bool: {
        static const std::set<std::string, std::less<>> yes = {"on", "true"}, no = {"off", "false"};
        if (v.kind == K::Reference && (yes.contains(v.text) || no.contains(v.text))) {
          out.flag = yes.contains(v.text);
          return out;
        }
        return mismatch(v, spec, "write `on` or `off` (or `true` / `false`)"), std::nullopt;
      }
      case Type::Enum: {
        auto choices = split_choices(spec.choices);
        std::string word = v.kind == K::String ? v.text : (v.kind == K::Reference ? v.text : std::string());
        if (v.kind != K::Reference && v.kind != K::String) {
          return mismatch(v, spec, fmt::format("one of {}", quoted_list(choices))), std::nullopt;
        }
        if (std::find(choices.begin(), choices.end(), word) == choices.end()) {
          std::string hint = did_you_mean(word, choices);
          if (spec.block == "failover" && spec.name == "authorization" &&
              (word == "on" || word == "off" || word == "true" || word == "false")) {
            // `authorization` was a boolean that meant IAM (SigV4), which fails after failover.
            hint = "`authorization` names the scheme now: `on` meant IAM (SigV4), which another region refuses after "
                   "failover; use `authorization = jwt` with `jwt_issuer` and `jwt_audience` (or `none`)";
          }
          if (hint.empty()) hint = fmt::format("one of {}", quoted_list(choices));
          sink_.report(diag::Kind::InvalidValue, v.range,
                       fmt::format("`{}` is not a valid `{}`", diag::printable(word.substr(0, 80)), spec.name), hint);
          return std::nullopt;
        }
        out.text = word;
        return out;
      }
      case Type::Ref: {
        if (v.kind != K::Reference || v.text.find('.') != std::string::npos) {
          return mismatch(v, spec, fmt::format("name a `{}` block, without quotes", spec.choices)), std::nullopt;
        }
        if (!resolve(v.text, v.range, spec.choices, spec.name)) return std::nullopt;
        out.text = v.text;
        return out;
      }
      case Type::RefList:
      case Type::StringList: {
        if (v.kind != K::List) {
          std::string hint =
              v.kind == K::Reference || v.kind == K::String
                  ? fmt::format("put it in a list: `[{}]`", v.kind == K::String ? "\"" + v.text + "\"" : v.text)
                  : std::string();
          return mismatch(v, spec, hint), std::nullopt;
        }
        bool ok = true;
        std::set<std::string> seen;
        for (const ast::Value& item : v.items) {
          bool is_ref = spec.type == Type::RefList;
          if (is_ref ? (item.kind != K::Reference || item.text.find('.') != std::string::npos)
                     : item.kind != K::String) {
            sink_.report(diag::Kind::TypeMismatch, item.range,
                         fmt::format("`{}` expects {}, found {}", spec.name, is_ref ? "names of blocks" : "strings",
                                     describe_value(item)),
                         is_ref ? fmt::format("name `{}` blocks, without quotes", spec.choices) : "quote each item");
            ok = false;
            continue;
          }
          if (is_ref && !resolve(item.text, item.range, spec.choices, spec.name)) {
            ok = false;
            continue;
          }
          if (!seen.insert(item.text).second) {
            sink_.report(diag::Kind::InvalidValue, item.range, fmt::format("`{}` is listed twice", item.text),
                         "remove the repetition");
            ok = false;
            continue;
          }
          out.items.push_back({item.text, item.range});
        }
        if (!ok) return std::nullopt;
        return out;
      }
      case Type::StringMap:
      case Type::AccessMap: {
        if (v.kind != K::Map) return mismatch(v, spec), std::nullopt;
        bool ok = true;
        std::set<std::string> seen;
        for (const ast::MapEntry& entry : v.entries) {
          if (!seen.insert(entry.key).second) {
            sink_.report(diag::Kind::InvalidValue, entry.key_range,
                         fmt::format("`{}` appears twice in the map", entry.key), "keep one entry");
            ok = false;
            continue;
          }
          if (spec.type == Type::StringMap) {
            if (entry.value.kind != K::String) {
              sink_.report(diag::Kind::TypeMismatch, entry.value.range,
                           fmt::format("`{}` values are strings, found {}", spec.name, describe_value(entry.value)),
                           "quote the value");
              ok = false;
              continue;
            }
          } else if (!check_access_entry(entry)) {
            ok = false;
            continue;
          }
          out.entries.push_back({{entry.key, entry.key_range}, {entry.value.text, entry.value.range}});
        }
        if (!ok) return std::nullopt;
        return out;
      }
      case Type::OutputRef: {
        if (v.kind != K::Reference) return mismatch(v, spec), std::nullopt;
        if (!check_output_ref(v)) return std::nullopt;
        out.text = v.text;
        return out;
      }
    }
    return std::nullopt;
  }

  bool resolve(const std::string& name, SourceRange range, std::string_view kinds, std::string_view attribute) {
    auto allowed = split_choices(kinds);
    auto it = symbols_.find(name);
    if (it == symbols_.end()) {
      std::vector<std::string> candidates;
      for (const auto& [n, s] : symbols_) {
        if (std::find(allowed.begin(), allowed.end(), s.kind) != allowed.end()) candidates.push_back(n);
      }
      std::string hint = did_you_mean(name, candidates);
      if (hint.empty()) {
        hint = candidates.empty() ? fmt::format("declare a `{}` block named `{}`", allowed.front(), name)
                                  : fmt::format("known: {}", quoted_list(candidates));
      }
      sink_.report(diag::Kind::UnknownReference, range,
                   fmt::format("`{}` refers to `{}`, which is not declared", attribute, name), hint);
      return false;
    }
    if (std::find(allowed.begin(), allowed.end(), it->second.kind) == allowed.end()) {
      auto& d =
          sink_.report(diag::Kind::WrongReferenceKind, range,
                       fmt::format("`{}` is {} `{}`, but `{}` needs {} `{}`", name, article(it->second.kind),
                                   it->second.kind, attribute, article(allowed.front()), fmt::join(allowed, "` or `")),
                       "");
      d.notes.push_back({fmt::format("`{}` is declared here", name), it->second.range});
      return false;
    }
    return true;
  }

  bool check_access_entry(const ast::MapEntry& entry) {
    std::string kind;
    if (entry.key == "parameters") {
      kind = "parameters";
    } else if (!resolve(entry.key, entry.key_range, "table|database|events", "access")) {
      return false;
    } else {
      kind = symbols_.at(entry.key).kind;
    }
    static const std::map<std::string, std::vector<std::string>> levels = {
        {"table", {"read", "write", "read_write", "read_write_delete"}},
        {"database", {"connect", "write"}},
        {"events", {"publish"}},
        {"parameters", {"read"}},
    };
    const auto& allowed = levels.at(kind);
    if (entry.value.kind != ast::ValueKind::Reference ||
        std::find(allowed.begin(), allowed.end(), entry.value.text) == allowed.end()) {
      sink_.report(diag::Kind::InvalidValue, entry.value.range,
                   fmt::format("`{}` is not an access level for {} {}", entry.value.text.substr(0, 80),
                               kind == "parameters" ? "the" : article(kind), kind),
                   fmt::format("use {}", quoted_list(allowed)));
      return false;
    }
    return true;
  }

  bool check_output_ref(const ast::Value& v) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      std::size_t dot = v.text.find('.', start);
      parts.push_back(v.text.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (parts.size() < 2 || parts.size() > 3) {
      sink_.report(diag::Kind::InvalidValue, v.range, fmt::format("`{}` is not an output reference", v.text),
                   "write `<block>.<output>` or `<block>.<output>.<region>`, such as `ledger.endpoint.primary`");
      return false;
    }
    if (!resolve(parts[0], v.range, "database|table|events", "value")) return false;
    const std::string& kind = symbols_.at(parts[0]).kind;
    static const std::map<std::string, std::vector<std::string>> outputs = {
        {"database", {"endpoint", "reader_endpoint"}},
        {"table", {"name", "arn"}},
        {"events", {"bus"}},
    };
    const auto& allowed = outputs.at(kind);
    if (std::find(allowed.begin(), allowed.end(), parts[1]) == allowed.end()) {
      std::string hint = did_you_mean(parts[1], allowed);
      sink_.report(diag::Kind::InvalidValue, v.range,
                   fmt::format("{} {} has no output `{}`", article(kind), kind, parts[1]),
                   hint.empty() ? fmt::format("outputs: {}", quoted_list(allowed)) : hint);
      return false;
    }
    bool per_region = kind == "database";
    if (per_region && parts.size() != 3) {
      sink_.report(diag::Kind::InvalidValue, v.range, fmt::format("`{}.{}` exists once per region", parts[0], parts[1]),
                   fmt::format("name the region: `{}.{}.<region>`", parts[0], parts[1]));
      return false;
    }
    if (parts.size() == 3 && !resolve(parts[2], v.range, "region", "value")) return false;
    return true;
  }

  const Options& options_;
  diag::Sink& sink_;
  std::map<std::string, Symbol> symbols_;
  struct Spelling {
    std::string label;
    SourceRange range;
  };
  std::map<std::string, Spelling> spellings_;  // see check_spelling
  std::map<std::string, SourceRange> local_names_;
};

}  // namespace

namespace {

struct Occurrence {
  diag::Diagnostic diagnostic;
  std::vector<std::string> environments;
};

bool same_diagnostic(const diag::Diagnostic& a, const diag::Diagnostic& b) {
  return a.id == b.id && a.range.begin == b.range.begin && a.range.end == b.range.end && a.message == b.message;
}

}  // namespace

std::optional<Checked> check_all(const ast::File& file, const Options& options, diag::Sink& sink) {
  Checker base_checker(options, sink);
  const ast::Entry* system = base_checker.find_system(file);
  if (system == nullptr) {
    sink.sort();
    return std::nullopt;
  }
  Checked out;
  ast::Entry base = without_environments(*system);
  out.environments = base_checker.check_environments(*system, base);
  Options with_names = options;
  with_names.environments = out.environments;
  auto base_ir = Checker(with_names, sink).check_system(base);

  // Each environment is checked as a whole system (the base with its
  // overrides applied), so an override is held to every rule the base is.
  // What the base already reported is said once; what only some environments
  // get says which.
  std::vector<Occurrence> only_in_environments;
  for (const ast::Entry& env : system->body) {
    if (!env.is_block() || env.name != "environment" || !env.label) continue;
    const std::string& name = *env.label;
    if (std::find(out.environments.begin(), out.environments.end(), name) == out.environments.end()) continue;
    // A second block with an already declared name was reported; only the first counts.
    if (std::any_of(out.systems.begin(), out.systems.end(), [&](const ir::System& s) { return s.environment == name; }))
      continue;
    ast::Entry merged = apply_environment(base, env);
    diag::Sink env_sink(sink.file());
    auto env_ir = Checker(with_names, env_sink).check_system(merged);
    for (const diag::Diagnostic& d : env_sink.diagnostics()) {
      bool in_base = std::any_of(sink.diagnostics().begin(), sink.diagnostics().end(),
                                 [&](const diag::Diagnostic& b) { return same_diagnostic(b, d); });
      if (in_base) continue;
      auto it = std::find_if(only_in_environments.begin(), only_in_environments.end(),
                             [&](const Occurrence& o) { return same_diagnostic(o.diagnostic, d); });
      if (it == only_in_environments.end()) {
        only_in_environments.push_back({d, {name}});
      } else if (std::find(it->environments.begin(), it->environments.end(), name) == it->environments.end()) {
        it->environments.push_back(name);
      }
    }
    if (env_ir) {
      env_ir->environment = name;
      env_ir->environments = out.environments;
      out.systems.push_back(std::move(*env_ir));
    }
  }
  for (Occurrence& o : only_in_environments) {
    std::vector<std::string> quoted;
    for (const std::string& e : o.environments) quoted.push_back(fmt::format("`{}`", e));
    o.diagnostic.notes.push_back(
        {fmt::format("in environment{} {}", quoted.size() == 1 ? "" : "s", fmt::join(quoted, ", ")), {}});
    sink.add(std::move(o.diagnostic));
  }
  sink.sort();
  if (sink.has_errors() || !base_ir) return std::nullopt;
  if (out.environments.empty()) out.systems.push_back(std::move(*base_ir));
  return out;
}

std::optional<ir::System> check(const ast::File& file, const Options& options, diag::Sink& sink) {
  auto checked = check_all(file, options, sink);
  if (!checked) return std::nullopt;
  // Without a selection, the first configuration (tests of specs that declare environments).
  if (options.environment.empty()) return std::move(checked->systems.front());
  for (ir::System& s : checked->systems) {
    if (s.environment == options.environment) return std::move(s);
  }
  return std::nullopt;
}

}  // namespace paydrc::check

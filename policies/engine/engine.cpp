#include "engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "check/suggest.h"
#include "check/values.h"
#include "dr/facts.h"
#include "engine/custom_rules.h"
#include "engine/embedded.h"
#include "engine/resource_view.h"
#include "rules/rules.h"

namespace paydrc::policies {

std::string_view category_name(Category c) {
  switch (c) {
    case Category::Security:
      return "security";
    case Category::DisasterRecovery:
      return "dr";
    case Category::Cost:
      return "cost";
    case Category::Waiver:
      return "waiver";
  }
  return "security";
}

const EmbeddedFile* find_embedded(std::string_view path) {
  for (const EmbeddedFile& f : embedded_files()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::string Context::param(std::string_view name, std::string_view fallback) const {
  if (params != nullptr) {
    if (auto it = params->find(name); it != params->end()) return it->second;
  }
  return std::string(fallback);
}

long long Context::int_param(std::string_view name, long long fallback) const {
  std::string v = param(name, "");
  long long out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return (ec == std::errc() && ptr == v.data() + v.size() && !v.empty()) ? out : fallback;
}

diag::Diagnostic& Findings::add(SourceRange range, std::string message, std::string hint, std::string scope) {
  Finding f;
  f.diagnostic.id = std::string(rule_.id);
  f.diagnostic.severity = severity_;
  f.diagnostic.message = std::move(message);
  f.diagnostic.hint = std::move(hint);
  f.diagnostic.range = range;
  f.scope = std::move(scope);
  out_.push_back(std::move(f));
  return out_.back().diagnostic;
}

std::size_t Report::unwaived_errors() const {
  return count(diag::Severity::Error, false);
}

std::size_t Report::count(diag::Severity s, bool waived) const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
    return f.diagnostic.severity == s && f.waived == waived;
  }));
}

namespace {

void apply_waivers(const ir::System& system, const Pack& pack, ir::Date today, std::vector<Finding>& findings) {
  std::vector<Finding> raised;
  auto raise = [&](const Rule& rule, SourceRange range, std::string message, std::string hint) {
    auto it = pack.rules.find(rule.info.id);
    diag::Severity severity = it != pack.rules.end() ? it->second.severity : rule.info.default_severity;
    Findings(rule.info, severity, raised).add(range, std::move(message), std::move(hint));
  };
  std::vector<std::string> ids;
  for (const Rule& r : all_rules()) ids.emplace_back(r.info.id);
  for (const CustomRule& c : pack.custom_rules) ids.push_back(c.id);
  // The governance rules' parameters, from the pack that enables them.
  auto param = [&](const Rule& rule, const std::string& name, long long fallback) {
    auto it = pack.rules.find(rule.info.id);
    if (it == pack.rules.end()) return fallback;
    auto p = it->second.params.find(name);
    long long value = fallback;
    if (p != it->second.params.end()) std::from_chars(p->second.data(), p->second.data() + p->second.size(), value);
    return value;
  };
  const std::int64_t today_days = check::days_from_civil(today);
  for (const ir::Waiver& w : system.waivers) {
    if (find_rule(w.rule) == nullptr && find_custom_rule(pack.custom_rules, w.rule) == nullptr) {
      std::string hint = check::did_you_mean(w.rule, ids);
      raise(rules::waiver_unknown_rule(), w.origin.range, fmt::format("waiver for unknown rule `{}`", w.rule),
            hint.empty() ? "`paydrc rules` lists the rule ids" : hint);
      continue;
    }
    const Rule* waived_rule = find_rule(w.rule);
    auto setting = pack.rules.find(w.rule);
    const bool locked_by_pack = setting != pack.rules.end() && setting->second.waivable == false;
    if (locked_by_pack || (waived_rule != nullptr && waived_rule->info.category == Category::Waiver)) {
      raise(rules::waiver_not_allowed(), w.origin.range,
            locked_by_pack ? fmt::format("`{}` may not be waived: the packs mark it `waivable: false`", w.rule)
                           : fmt::format("`{}` governs waivers and may not be waived itself", w.rule),
            "fix what the rule finds; this waiver waives nothing");
      continue;
    }
    if (w.until < today) {
      raise(rules::waiver_expired(), w.origin.at("until"),
            fmt::format("waiver of `{}` expired on {}", w.rule, w.until.text()),
            "fix the finding, or renew the waiver with a new date and a reason that still holds");
      continue;
    }
    const std::int64_t days_left = check::days_from_civil(w.until) - today_days;
    const long long max_days = param(rules::waiver_too_long(), "max_days", 365);
    const long long warn_days = param(rules::waiver_expiring(), "warn_days", 30);
    const long long min_chars = param(rules::waiver_reason(), "min_chars", 20);
    if (days_left > max_days) {
      raise(rules::waiver_too_long(), w.origin.at("until"),
            fmt::format("waiver of `{}` runs until {}, {} days from today; the packs allow at most {}", w.rule,
                        w.until.text(), days_left, max_days),
            fmt::format("set `until` to {} days or fewer from today, and review it then", max_days));
    } else if (days_left <= warn_days) {
      raise(rules::waiver_expiring(), w.origin.at("until"),
            fmt::format("waiver of `{}` expires on {}, in {} day{}", w.rule, w.until.text(), days_left,
                        days_left == 1 ? "" : "s"),
            "fix the finding before then, or renew the waiver with a reason that still holds");
    }
    if (static_cast<long long>(w.reason.size()) < min_chars) {
      raise(rules::waiver_reason(), w.origin.at("reason"),
            fmt::format("the reason for waiving `{}` is {} characters; the packs ask for at least {}", w.rule,
                        w.reason.size(), min_chars),
            "say which risk is accepted and why it is acceptable here, in a sentence a reviewer can check");
    }
    // A waiver limited to other environments does not apply here: the
    // finding stays, and the waiver is not unused either.
    if (!w.environments.empty() &&
        std::find(w.environments.begin(), w.environments.end(), system.environment) == w.environments.end())
      continue;
    bool used = false;
    for (Finding& f : findings) {
      if (f.diagnostic.id != w.rule || f.waived) continue;
      if (w.scope && *w.scope != f.scope) continue;
      f.waived = true;
      f.waiver_reason = w.reason;
      f.waiver_until = w.until.text();
      used = true;
    }
    if (!used) {
      raise(
          rules::waiver_unused(), w.origin.range,
          fmt::format("waiver of `{}`{} matches no finding", w.rule, w.scope ? fmt::format(" for `{}`", *w.scope) : ""),
          "remove it: a stale waiver would hide a future finding");
    }
  }
  for (Finding& f : raised) {
    if (pack.rules.contains(f.diagnostic.id)) findings.push_back(std::move(f));
  }
}

}  // namespace

Report run(const ir::System& system, const infra::Model& model, const RunOptions& options, diag::Sink& sink) {
  Report report;
  std::vector<std::string> names = options.packs.empty() ? system.packs : options.packs;
  auto packs = load_packs(names, system.origin.at("packs"), options.spec_dir, sink);
  report.pack_sources = std::move(packs.sources);
  if (!packs.ok) {
    report.packs_ok = false;
    return report;
  }
  report.packs = packs.names;

  static const RecoveryFacts facts = load_recovery_facts();
  static const PriceTable prices = load_prices();
  Context ctx{system, model, facts, prices, options.today, nullptr};
  for (const Rule& rule : all_rules()) {
    auto it = packs.merged.rules.find(rule.info.id);
    if (it == packs.merged.rules.end() || rule.check == nullptr) continue;
    ctx.params = &it->second.params;
    Findings out(rule.info, it->second.severity, report.findings);
    rule.check(ctx, out);
  }
  // Custom rules from the packs, at the severity the packs give them.
  if (!packs.merged.custom_rules.empty()) {
    const std::vector<ResourceView> views = resource_views(model);
    for (const CustomRule& custom : packs.merged.custom_rules) {
      auto it = packs.merged.rules.find(custom.id);
      const RuleInfo info = custom.info();
      Findings out(info, it != packs.merged.rules.end() ? it->second.severity : custom.severity, report.findings);
      check_custom_rule(custom, system, views, out);
    }
  }
  report.custom_rules = packs.merged.custom_rules;
  apply_waivers(system, packs.merged, options.today, report.findings);
  for (Finding& f : report.findings) {
    if (f.diagnostic.file.empty()) f.diagnostic.file = system.spec_path;
    if (!system.environment.empty()) f.environments = {system.environment};
  }
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.diagnostic.range.begin != b.diagnostic.range.begin)
      return a.diagnostic.range.begin < b.diagnostic.range.begin;
    return a.diagnostic.id < b.diagnostic.id;
  });
  return report;
}

}  // namespace paydrc::policies

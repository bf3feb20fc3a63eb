#include "validate/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "validate/limits.h"

namespace paydrc::validate {
namespace {

using infra::Kind;

// One name a resource of the model gives AWS.
struct Named {
  Kind kind;
  std::string_view field;
  const infra::Base* base;
  infra::Text text;
};

template <typename T, typename Get>
void collect(std::vector<Named>& out, const std::vector<T>& items, Kind kind, std::string_view field, Get get) {
  for (const T& item : items) out.push_back({kind, field, &item, get(item)});
}

// Every name in the model that a row of name_rules() limits.
std::vector<Named> names_of(const infra::Model& m) {
  std::vector<Named> out;
  auto name = [](const auto& r) { return r.name; };
  auto identifier = [](const auto& r) { return r.identifier; };
  collect(out, m.functions, Kind::Function, "name", name);
  collect(out, m.roles, Kind::Role, "name", name);
  for (const infra::Role& r : m.roles) {
    for (const infra::RolePolicy& p : r.policies) out.push_back({Kind::Role, "policy", &r, infra::policy_name(r, p)});
  }
  collect(out, m.log_groups, Kind::LogGroup, "name", name);
  collect(out, m.topics, Kind::Topic, "name", name);
  collect(out, m.queues, Kind::Queue, "name", name);
  collect(out, m.secrets, Kind::Secret, "name", name);
  collect(out, m.db_subnet_groups, Kind::DbSubnetGroup, "name", name);
  collect(out, m.db_parameter_groups, Kind::DbClusterParameterGroup, "name", name);
  collect(out, m.global_clusters, Kind::GlobalCluster, "identifier", identifier);
  collect(out, m.db_clusters, Kind::DbCluster, "identifier", identifier);
  collect(out, m.db_clusters, Kind::DbCluster, "final_snapshot_identifier",
          [](const infra::DbCluster& c) { return c.final_snapshot_identifier; });
  collect(out, m.db_instances, Kind::DbInstance, "identifier", identifier);
  collect(out, m.tables, Kind::Table, "name", name);
  collect(out, m.event_buses, Kind::EventBus, "name", name);
  collect(out, m.event_rules, Kind::EventRule, "name", name);
  collect(out, m.backup_vaults, Kind::BackupVault, "name", name);
  collect(out, m.backup_plans, Kind::BackupPlan, "name", name);
  collect(out, m.backup_selections, Kind::BackupSelection, "name", name);
  collect(out, m.alarms, Kind::Alarm, "name", name);
  collect(out, m.dashboards, Kind::Dashboard, "name", name);
  collect(out, m.parameters, Kind::Parameter, "name", name);
  collect(out, m.security_groups, Kind::SecurityGroup, "name", name);
  collect(out, m.security_groups, Kind::SecurityGroup, "description",
          [](const infra::SecurityGroup& g) { return infra::Text(g.description); });
  for (const infra::SecurityGroup& g : m.security_groups) {
    for (const infra::SecurityRule& r : g.rules) {
      out.push_back({Kind::SecurityGroup, "rule description", &g, infra::Text(r.description)});
    }
  }
  collect(out, m.keys, Kind::Key, "alias", [](const infra::Key& k) { return k.alias; });
  return out;
}

// A text's length with the longest suffix; nothing when a part is another
// resource's attribute, known only at deployment.
std::optional<std::size_t> longest_length(const infra::Text& text) {
  std::size_t n = 0;
  for (const infra::Text::Part& part : text.parts) {
    if (const auto* s = std::get_if<std::string>(&part)) {
      n += s->size();
    } else if (std::holds_alternative<infra::EnvSuffix>(part)) {
      n += kLongestEnvironmentSuffix;
    } else if (std::holds_alternative<infra::AccountId>(part)) {
      n += 12;
    } else {
      return std::nullopt;
    }
  }
  return n;
}

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 && static_cast<unsigned char>(c) < 0x80;
}

// The first character the rule refuses, if any.
std::optional<char> refused_character(const NameRule& rule, std::string_view name) {
  if (rule.any_character) return std::nullopt;
  for (char c : name) {
    if (!alnum(c) && rule.allowed.find(c) == std::string_view::npos) return c;
  }
  return std::nullopt;
}

std::string allowed_text(const NameRule& rule) {
  std::string out = "ASCII letters, digits";
  std::vector<std::string> extra;
  for (char c : rule.allowed) extra.push_back(c == ' ' ? std::string("spaces") : fmt::format("`{}`", c));
  if (!extra.empty()) out += " and " + fmt::format("{}", fmt::join(extra, " "));
  return out;
}

// Shape rules; an empty string when the name satisfies them.
std::string shape_problem(const NameRule& rule, std::string_view name) {
  switch (rule.shape) {
    case Shape::None:
      return {};
    case Shape::RdsIdentifier:
      if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front())))
        return "must start with a letter";
      if (name.find("--") != std::string_view::npos) return "must not contain two consecutive hyphens";
      if (name.back() == '-') return "must not end with a hyphen";
      return {};
    case Shape::KmsAlias:
      if (!name.starts_with("alias/")) return "must start with `alias/`";
      if (name.starts_with("alias/aws/")) return "must not start with `alias/aws/` (reserved for AWS managed keys)";
      return {};
  }
  return {};
}

void check_name(const Named& n, const NameRule& rule, const Options& options, diag::Sink& sink) {
  const std::string shown = shown_text(n.text, options.environment_suffix);
  const SourceRange where = n.base->origin;
  if (std::optional<std::size_t> longest = longest_length(n.text)) {
    const std::size_t max = static_cast<std::size_t>(rule.max_length);
    if (shown.size() > max) {
      sink.report(diag::Kind::AwsNameInvalid, where,
                  fmt::format("{} `{}` is {} characters long; AWS allows at most {}", rule.what, shown, shown.size(),
                              max),
                  fmt::format("shorten the names it is built from (system, block, region role) by {} "
                              "character{}, {} more to leave room for a {}-character environment suffix",
                              shown.size() - max, shown.size() - max == 1 ? "" : "s", *longest - shown.size(),
                              kLongestEnvironmentSuffix));
    } else if (*longest > max) {
      sink.report(diag::Kind::AwsNameInvalid, where,
                  fmt::format("{} `{}` is {} characters long with a {}-character environment suffix, the longest "
                              "`environment_suffix` accepts; AWS allows at most {}",
                              rule.what, shown, *longest, kLongestEnvironmentSuffix, max),
                  fmt::format("shorten the names it is built from (system, block, region role) by {} "
                              "character{}: one artifact serves every environment, so names must fit the longest "
                              "suffix",
                              *longest - max, *longest - max == 1 ? "" : "s"));
    }
    if (shown.size() < static_cast<std::size_t>(rule.min_length)) {
      sink.report(diag::Kind::AwsNameInvalid, where,
                  fmt::format("{} `{}` is {} characters long; AWS needs at least {}", rule.what, shown, shown.size(),
                              rule.min_length),
                  "use a longer block or system name");
    }
  }
  // A part AWS fills in (an API id, the account id) is letters and digits; only
  // the parts paydrc writes can hold a character AWS refuses.
  std::string written;
  for (const infra::Text::Part& part : n.text.parts) {
    if (const auto* s = std::get_if<std::string>(&part)) {
      written += *s;
    } else if (std::holds_alternative<infra::EnvSuffix>(part)) {
      written += options.environment_suffix;
    }
  }
  if (std::optional<char> c = refused_character(rule, written)) {
    sink.report(diag::Kind::AwsNameInvalid, where,
                fmt::format("{} `{}` contains `{}`; AWS allows only {}", rule.what, shown, *c, allowed_text(rule)),
                "rename the block so the name uses only those characters");
  } else if (std::string problem = shape_problem(rule, shown); !problem.empty()) {
    sink.report(diag::Kind::AwsNameInvalid, where, fmt::format("{} `{}` {}", rule.what, shown, problem),
                "rename the block: AWS identifiers of this kind are letters, digits and single hyphens, starting "
                "with a letter");
  }
}

// Statement ids of every policy document in the model.
void check_sids(const infra::Base& owner, const infra::PolicyDocument& doc, diag::Sink& sink) {
  std::set<std::string> seen;
  for (const infra::Statement& s : doc.statements) {
    if (s.sid.empty()) continue;
    bool ok = std::all_of(s.sid.begin(), s.sid.end(), alnum);
    if (!ok) {
      sink.report(diag::Kind::AwsNameInvalid, owner.origin,
                  fmt::format("IAM statement id `{}` has characters IAM refuses; a Sid is ASCII letters and digits",
                              s.sid),
                  "this is a bug in paydrc's policy generator; please report it with the spec");
    }
    if (!seen.insert(s.sid).second) {
      sink.report(diag::Kind::AwsNameInvalid, owner.origin,
                  fmt::format("IAM statement id `{}` appears twice in one policy; IAM needs Sids unique within it",
                              s.sid),
                  "this is a bug in paydrc's policy generator; please report it with the spec");
    }
  }
}

void check_all_sids(const infra::Model& m, diag::Sink& sink) {
  for (const infra::Role& r : m.roles) {
    for (const infra::RolePolicy& p : r.policies) check_sids(r, p.document, sink);
  }
  for (const infra::Key& k : m.keys) check_sids(k, k.policy, sink);
  for (const infra::Queue& q : m.queues) check_sids(q, q.policy, sink);
  for (const infra::Topic& t : m.topics) check_sids(t, t.policy, sink);
}

void check_subnet_groups(const infra::Model& m, diag::Sink& sink) {
  std::map<std::string, const infra::Subnet*> subnets;
  for (const infra::Subnet& s : m.subnets) subnets[s.id] = &s;
  for (const infra::DbSubnetGroup& g : m.db_subnet_groups) {
    std::set<std::string> zones;
    for (const std::string& id : g.subnets) {
      if (auto it = subnets.find(id); it != subnets.end()) zones.insert(it->second->zone);
    }
    if (static_cast<int>(zones.size()) >= kDbSubnetGroupMinZones) continue;
    auto& d = sink.report(
        diag::Kind::SubnetGroupZones, g.origin,
        fmt::format("the DB subnet group for this database in `{}` covers {} Availability Zone{}; RDS needs at least {}",
                    g.region, zones.size(), zones.size() == 1 ? "" : "s", kDbSubnetGroupMinZones),
        fmt::format("set `zones = 2` or more in region `{}`", g.region));
    for (const infra::Vpc& v : m.vpcs) {
      if (v.region == g.region)
        d.notes.push_back({fmt::format("the VPC of region `{}`, with {} zone{}", g.region, zones.size(),
                                       zones.size() == 1 ? "" : "s"),
                           v.origin});
    }
  }
}

// Minutes between runs of a schedule when it runs more than once an hour;
// nothing when it runs hourly or less often (or the expression is not one the
// checker would have let through).
std::optional<int> sub_hourly_interval(std::string_view schedule) {
  auto body = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (!schedule.starts_with(prefix) || !schedule.ends_with(")")) return std::nullopt;
    return schedule.substr(prefix.size(), schedule.size() - prefix.size() - 1);
  };
  if (auto rate = body("rate(")) {
    int value = 0;
    std::size_t i = 0;
    while (i < rate->size() && std::isdigit(static_cast<unsigned char>((*rate)[i]))) value = value * 10 + ((*rate)[i++] - '0');
    std::string_view unit = rate->substr(i);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (unit.starts_with("minute") && value < 60) return value;
    return std::nullopt;
  }
  if (auto cron = body("cron(")) {
    std::string_view minutes = cron->substr(0, cron->find(' '));
    // A single minute value runs at most hourly; a list, range, step or `*` more often.
    if (minutes.find_first_of(",-/*") == std::string_view::npos) return std::nullopt;
    if (minutes == "*") return 1;
    if (std::size_t slash = minutes.find('/'); slash != std::string_view::npos) {
      int step = 0;
      for (char c : minutes.substr(slash + 1)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return 1;
        step = step * 10 + (c - '0');
      }
      return step >= 60 ? std::nullopt : std::optional<int>(step);
    }
    return 1;  // a list or range: several runs within one hour
  }
  return std::nullopt;
}

void check_backup_frequency(const infra::Model& m, diag::Sink& sink) {
  std::set<std::pair<SourceRange, std::string>> reported;  // one backup block may lower to a plan per region
  for (const infra::BackupPlan& p : m.backup_plans) {
    for (const infra::BackupRule& r : p.rules) {
      std::optional<int> interval = sub_hourly_interval(r.schedule);
      if (!interval || !reported.insert({p.origin, r.schedule}).second) continue;
      sink.report(diag::Kind::ScheduleTooFrequent, p.origin,
                  fmt::format("backup schedule `{}` runs more than once an hour; AWS Backup needs at least {} minutes "
                              "between backup jobs",
                              r.schedule, kBackupMinIntervalMinutes),
                  "use `rate(1 hour)` or a cron expression with a single minute, such as `cron(0 * * * ? *)`; for a "
                  "finer recovery point, rely on point-in-time recovery");
    }
  }
}

// Default quotas a spec reaches by itself; warnings, since an account may have
// raised them.
void check_quotas(const infra::Model& m, diag::Sink& sink) {
  const Quota& eips = elastic_ip_quota();
  std::map<std::string, std::vector<const infra::ElasticIp*>> eips_by_region;
  for (const infra::ElasticIp& e : m.elastic_ips) eips_by_region[e.region].push_back(&e);
  for (const auto& [role, list] : eips_by_region) {
    if (static_cast<int>(list.size()) <= eips.default_value) continue;
    const infra::RegionInfo* r = m.region(role);
    sink.report(diag::Kind::AccountQuota, list.front()->origin,
                fmt::format("region `{}` ({}) needs {} Elastic IP addresses, one per NAT gateway; the default quota is {}",
                            role, r ? r->aws_region : role, list.size(), eips.default_value),
                fmt::format("lower `nat_gateways`, or raise the Service Quotas quota \"{}\" ({}) in {} before deploying",
                            eips.name, eips.code, r ? r->aws_region : role));
  }

  const Quota& concurrency = lambda_concurrency_quota();
  const int reservable = concurrency.default_value - kLambdaUnreservedMinimum;
  std::map<std::string, std::vector<const infra::Function*>> by_region;
  for (const infra::Function& f : m.functions) by_region[f.region].push_back(&f);
  for (const auto& [role, list] : by_region) {
    int total = 0;
    const infra::Function* largest = list.front();
    for (const infra::Function* f : list) {
      total += f->reserved_concurrency;
      if (f->reserved_concurrency > largest->reserved_concurrency) largest = f;
    }
    if (total <= reservable) continue;
    const infra::RegionInfo* r = m.region(role);
    sink.report(diag::Kind::AccountQuota, largest->origin,
                fmt::format("functions in region `{}` reserve {} concurrent executions in total; with the default quota "
                            "of {}, Lambda lets at most {} be reserved ({} stay unreserved)",
                            role, total, concurrency.default_value, reservable, kLambdaUnreservedMinimum),
                fmt::format("lower `reserved_concurrency`, or raise the Service Quotas quota \"{}\" ({}) in {} to at "
                            "least {}",
                            concurrency.name, concurrency.code, r ? r->aws_region : role,
                            total + kLambdaUnreservedMinimum));
  }
}

}  // namespace

std::string shown_text(const infra::Text& text, const std::string& environment_suffix) {
  std::string out;
  for (const infra::Text::Part& part : text.parts) {
    if (const auto* s = std::get_if<std::string>(&part)) {
      out += *s;
    } else if (std::holds_alternative<infra::EnvSuffix>(part)) {
      out += environment_suffix;
    } else if (std::holds_alternative<infra::AccountId>(part)) {
      out += "<account>";
    } else {
      out += "<" + std::get<infra::Ref>(part).id + ">";
    }
  }
  return out;
}

void validate_model(const infra::Model& model, const Options& options, diag::Sink& sink) {
  for (const Named& n : names_of(model)) {
    if (const NameRule* rule = find_name_rule(n.kind, n.field)) check_name(n, *rule, options, sink);
  }
  check_all_sids(model, sink);
  check_subnet_groups(model, sink);
  check_backup_frequency(model, sink);
  check_quotas(model, sink);
}

void validate_stacks(const std::vector<StackUsage>& stacks, diag::Sink& sink) {
  const TemplateLimits& limits = cloudformation_limits();
  for (const StackUsage& s : stacks) {
    struct Over {
      std::string what;
      std::size_t value;
      long long limit;
    };
    std::vector<Over> over;
    if (s.resources > static_cast<std::size_t>(limits.resources))
      over.push_back({"resources", s.resources, limits.resources});
    if (s.outputs > static_cast<std::size_t>(limits.outputs)) over.push_back({"outputs", s.outputs, limits.outputs});
    if (s.parameters > static_cast<std::size_t>(limits.parameters))
      over.push_back({"parameters", s.parameters, limits.parameters});
    if (s.bytes > static_cast<std::size_t>(limits.body_bytes))
      over.push_back({"bytes of template body", s.bytes, limits.body_bytes});
    for (const Over& o : over) {
      SourceRange where = s.contributors.empty() ? SourceRange{} : s.contributors.front().blocks.front();
      std::string message = fmt::format("CloudFormation stack `{}` would hold {} {}; a stack template allows at most {}",
                                        s.name, o.value, o.what, o.limit);
      if (!s.contributors.empty()) {
        const StackContributor& top = s.contributors.front();
        message += top.blocks.size() == 1
                       ? fmt::format("; this block puts {} of its {} resources there", top.resources, s.resources)
                       : fmt::format("; {} blocks like this one put {} of its {} resources there", top.blocks.size(),
                                     top.resources, s.resources);
      }
      auto& d = sink.report(
          diag::Kind::StackLimit, where, message,
          "split the functions and data tiers across several systems (one spec each), or deploy fewer of them in "
          "this region; the Terraform target has no per-stack limit");
      for (std::size_t i = 1; i < s.contributors.size() && i < 3; ++i) {
        const StackContributor& c = s.contributors[i];
        d.notes.push_back({c.blocks.size() == 1
                               ? fmt::format("this block puts {} resources there", c.resources)
                               : fmt::format("{} blocks like this one put {} resources there", c.blocks.size(),
                                             c.resources),
                           c.blocks.front()});
      }
    }
  }
}

}  // namespace paydrc::validate

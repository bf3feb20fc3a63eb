#include "driver/explain.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "check/values.h"
#include "driver/recovery.h"
#include "lower/lower.h"

namespace paydrc::driver {
namespace {

using check::format_duration;

// Deployment-time parts are shown as placeholders a reader can fill in.
std::string render(const infra::Text& text, const std::string& suffix) {
  return infra::evaluate(text, suffix);
}

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string verdict(const policies::Bound& b, ir::Seconds objective) {
  if (b.unbounded) return fmt::format("unbounded / {} **not proven**", format_duration(objective));
  return fmt::format("{} / {} {}", format_duration(b.total), format_duration(objective),
                     b.total <= objective ? "ok" : "**NOT MET**");
}

void runbook(std::string& out, const ExplainInput& in) {
  const ir::System& s = in.system;
  if (s.regions.size() < 2) return;
  const ir::Region& primary = s.regions[0];
  out += fmt::format("## Runbook: region `{}` ({}) is lost\n\n", primary.role, primary.aws_region);
  int step = 1;
  for (const ir::Failover& f : s.failovers) {
    out += fmt::format(
        "{}. No action: Route 53 stops answering `{}` with `{}` after {} failed health checks {} apart and "
        "answers with `{}`; clients follow within the TTL.\n",
        step++, render(lower::failover_name(f), in.environment_suffix), f.primary, f.health_check.failure_threshold,
        format_duration(f.health_check.interval), f.secondary);
  }
  for (const infra::GlobalCluster& g : in.model.global_clusters) {
    for (const infra::DbCluster& c : in.model.db_clusters) {
      if (c.global_cluster != g.id || c.writer) continue;
      const infra::RegionInfo* r = in.model.region(c.region);
      std::string aws_region = r != nullptr ? r->aws_region : c.region;
      out += fmt::format(
          "{}. Promote the Aurora secondary in `{}`. The primary is gone, so this is a failover that accepts the "
          "replication lag as data loss, not a switchover (a switchover, or `failover-global-cluster` without "
          "`--allow-data-loss`, needs a healthy primary):\n\n"
          "   ```sh\n"
          "   aws rds failover-global-cluster --region {} \\\n"
          "     --global-cluster-identifier {} \\\n"
          "     --target-db-cluster-identifier arn:aws:rds:{}:<account-id>:cluster:{} \\\n"
          "     --allow-data-loss\n"
          "   ```\n\n",
          step++, c.region, aws_region, render(g.identifier, in.environment_suffix), aws_region,
          render(c.identifier, in.environment_suffix));
    }
  }
  if (!s.tables.empty()) {
    out += fmt::format("{}. No action for DynamoDB: the global tables' replicas in `{}` already accept writes.\n",
                       step++, s.regions[1].role);
  }
  out += fmt::format(
      "{}. Check the `replication_lag` alarms' last values before the outage: that is the data lost.\n", step++);
  for (const ir::EventReplication& e : s.events) {
    out += fmt::format(
        "{}. Events on `{}` published in `{}` and not yet forwarded are lost with it: EventBridge replays an archive "
        "only to the bus that created it. {}\n",
        step++, e.name, e.from,
        e.archive ? "The receiving buses archive what arrived; replay from there if consumers need it again."
                  : "Nothing archives what arrived (`archive = off`).");
  }
  out += "\n";

  out += "## Drill: make the primary look failed\n\n";
  out +=
      "Route 53 treats a *disabled* health check as healthy, so disabling it fails nothing over. Invert it "
      "instead, watch the failover, then revert:\n\n";
  for (const infra::FailoverRecord& record : in.model.failover_records) {
    if (!record.primary) continue;
    for (const infra::HealthCheck& hc : in.model.health_checks) {
      if (hc.id != record.health_check) continue;
      std::string name = render(hc.name, in.environment_suffix);
      out += fmt::format(
          "```sh\naws route53 update-health-check --health-check-id <id of {}> --inverted      # `{}` fails over\n"
          "aws route53 update-health-check --health-check-id <id of {}> --no-inverted   # and back\n```\n\n",
          name, render(record.fqdn, in.environment_suffix), name);
    }
  }
}

void deploy(std::string& out, const ExplainInput& in) {
  if (in.files == nullptr) return;
  out += fmt::format("## Deploying with {}\n\nGenerated files:\n\n", in.target);
  for (const backends::OutputFile& f : *in.files) out += fmt::format("- `{}` ({} bytes)\n", f.name, f.bytes.size());
  if (in.target == "terraform") {
    out += fmt::format(
        "\n```sh\nterraform init\nterraform plan -var environment_suffix={} -out plan\nterraform apply plan\n```\n\n",
        in.environment_suffix);
    return;
  }
  for (const backends::OutputFile& f : *in.files) {
    if (f.name != "manifest.json") continue;
    auto manifest = nlohmann::json::parse(f.bytes, nullptr, false);
    if (manifest.is_discarded() || !manifest.contains("stacks")) continue;
    out += "\nStacks, in the manifest's order (see docs/cloudformation.md):\n\n";
    for (const auto& stack : manifest["stacks"]) {
      out += fmt::format("{}. `{}` in {}: {}\n", stack.value("order", 0), stack.value("stack_name", std::string()),
                         stack.value("region", std::string()), stack.value("purpose", std::string()));
    }
    out += '\n';
  }
}

}  // namespace

std::string explain_markdown(const ExplainInput& in) {
  const ir::System& s = in.system;
  std::string out;
  out += fmt::format("# paydrc review: `{}`\n\n", s.name);
  std::string environment =
      s.environment.empty()
          ? fmt::format("environment suffix `{}`", in.environment_suffix)
          : fmt::format("environment `{}` (its overrides applied; the spec declares `{}`)", s.environment,
                        fmt::join(s.environments, "`, `"));
  out += fmt::format(
      "Spec `{}`; {}; packs {}.\n\n", s.spec_path, environment,
      in.report.packs.empty() ? std::string("none") : fmt::format("`{}`", fmt::join(in.report.packs, "`, `")));
  out += "| region role | AWS region | VPC | zones | NAT gateways |\n|---|---|---|---|---|\n";
  for (const ir::Region& r : s.regions) {
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", r.role, r.aws_region, r.cidr.text(), r.zones, r.nat_gateways);
  }
  out +=
      "\n## Recovery objectives\n\n| scenario | RTO achieved / objective | RPO achieved / objective |\n|---|---|---|\n";
  for (const auto& r : in.recovery) {
    out += fmt::format("| {} | {} | {} |\n", policies::describe(r.scenario), verdict(r.rto, r.objective->rto),
                       verdict(r.rpo, r.objective->rpo));
  }
  for (const auto& r : in.recovery) {
    for (const auto& [label, bound] :
         {std::pair<const char*, const policies::Bound*>{"RTO", &r.rto}, {"RPO", &r.rpo}}) {
      out += fmt::format("\n**{} {}** ({}):\n\n", policies::describe(r.scenario), label,
                         bound->combine == policies::Bound::Combine::Sum ? "the steps add up"
                                                                         : "the slowest part counts");
      for (const auto& c : bound->contributors) {
        out += fmt::format("- {} — {} (spec line {}; {}){}\n", format_duration(c.seconds), cell(c.what),
                           c.range.begin.line, policies::basis_name(c.basis),
                           c.source.empty() ? "" : fmt::format("; source: {}", c.source));
        for (const auto& e : c.evidence) out += fmt::format("  - delivered by `{}` — {}\n", cite(e), e.role);
      }
      for (const auto& c : bound->caveats) {
        out += fmt::format("- not counted — {}\n", cell(c.what));
        for (const auto& e : c.evidence) out += fmt::format("  - `{}` — {}\n", cite(e), e.role);
      }
      if (bound->unbounded) out += fmt::format("- unbounded — {}\n", bound->unbounded_reason);
    }
  }

  out += fmt::format("\n## Policy findings\n\n{} error(s), {} warning(s), {} waived.\n\n", in.report.unwaived_errors(),
                     in.report.count(diag::Severity::Warning, false),
                     in.report.count(diag::Severity::Error, true) + in.report.count(diag::Severity::Warning, true));
  if (!in.report.findings.empty()) {
    out += "| rule | severity | line | finding |\n|---|---|---|---|\n";
    for (const auto& f : in.report.findings) {
      std::string what = cell(f.diagnostic.message);
      if (f.waived) what += fmt::format(" — waived until {}: {}", f.waiver_until, cell(f.waiver_reason));
      out += fmt::format("| `{}` | {} | {} | {} |\n", f.diagnostic.id,
                         f.waived ? "waived" : std::string(diag::severity_name(f.diagnostic.severity)),
                         f.diagnostic.range.begin.line, what);
    }
  }

  out += fmt::format("\n## Monthly cost estimate: ${:.2f}", in.estimate.total);
  if (s.budget_cents) out += fmt::format(" of a ${:.2f} budget", static_cast<double>(*s.budget_cents) / 100.0);
  out += "\n\n| item | quantity | monthly |\n|---|---|---|\n";
  for (const auto& item : in.estimate.items) {
    if (item.monthly < 0.005) continue;
    out += fmt::format("| {} | {:.4g} {} | ${:.2f} |\n", cell(item.what), item.quantity, item.unit, item.monthly);
  }
  out += "\nPrices: list prices from `policies/prices/aws.yaml`, each with its source and date.\n\n";
  deploy(out, in);
  runbook(out, in);
  return out;
}

}  // namespace paydrc::driver

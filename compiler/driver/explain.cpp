#include "driver/explain.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "check/values.h"
#include "driver/recovery.h"
#include "lower/lower.h"

namespace paydrc::driver {
namespace {

using check::format_duration;

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

// The runbook (`paydrc runbook`), one heading level down.
void runbook(std::string& out, const ExplainInput& in) {
  if (in.runbook_markdown.empty()) return;
  std::size_t line = 0;
  while (line < in.runbook_markdown.size()) {
    std::size_t end = in.runbook_markdown.find('\n', line);
    if (end == std::string::npos) end = in.runbook_markdown.size();
    std::string text = in.runbook_markdown.substr(line, end - line);
    if (text.starts_with("#")) text = "#" + text;
    out += text + "\n";
    line = end + 1;
  }
}

void deploy(std::string& out, const ExplainInput& in) {
  if (in.files == nullptr) return;
  out += fmt::format("## Deploying with {}\n\nGenerated files:\n\n", in.target);
  for (const backends::OutputFile& f : *in.files) out += fmt::format("- `{}` ({} bytes)\n", f.name, f.bytes.size());
  if (in.target == "terraform") {
    // One root module per region stage (manifest.json): apply in order, each
    // from its own directory; destroy in reverse.
    for (const backends::OutputFile& f : *in.files) {
      if (f.name != "manifest.json") continue;
      auto manifest = nlohmann::json::parse(f.bytes, nullptr, false);
      if (manifest.is_discarded() || !manifest.contains("roots")) continue;
      out += "\nRoot modules, in apply order (destroy in reverse; see README, \"Terraform output\"):\n\n";
      std::size_t order = 0;
      for (const auto& root : manifest["roots"]) {
        out += fmt::format("{}. `{}` in {}: {}\n", ++order, root.value("dir", std::string()),
                           root.value("aws_region", std::string()), root.value("purpose", std::string()));
      }
      out += fmt::format(
          "\n```sh\nfor dir in {}; do\n  terraform -chdir=\"$dir\" init\n  terraform -chdir=\"$dir\" apply "
          "-var environment_suffix={}\ndone\n```\n\n",
          [&] {
            std::string dirs;
            for (const auto& root : manifest["roots"]) dirs += (dirs.empty() ? "" : " ") + root.value("dir", std::string());
            return dirs;
          }(),
          in.environment_suffix);
    }
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

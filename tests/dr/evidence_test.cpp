// Every term of every recovery budget is backed by generated resources: for every
// golden spec, every scenario and every term, the resources the term cites exist
// in both backends' real output (main.tf.json, and a CloudFormation template).
// And the link holds the other way: take the resources away and the claim goes.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "dr/analysis.h"
#include "dr/facts.h"
#include "frontend.h"
#include "lower/lower.h"

namespace fs = std::filesystem;
using namespace paydrc;
using nlohmann::json;

namespace {

std::vector<std::string> golden_specs() {
  std::vector<std::string> out;
  for (const char* dir : {"specs", "golden", "golden/terraform"}) {
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() == ".pdr" && !name.starts_with("fail_")) out.push_back(e.path().string());
    }
  }
  for (const auto& e : fs::recursive_directory_iterator("golden/policies")) {
    if (e.path().extension() == ".pdr") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

backends::EmitOptions options_for(const std::string& path) {
  backends::EmitOptions o;
  fs::path dir = fs::path(path).parent_path();
  o.spec_dir = fs::absolute(dir).lexically_normal();
  o.project_root = frontend::project_root_for(dir);
  return o;
}

// Resource addresses in each backend's output.
struct Emitted {
  std::set<std::string> terraform;       // type.name
  std::set<std::string> cloudformation;  // logical ids across the templates
  bool ok = false;
};

Emitted emit_both(const ir::System& system, const std::string& path) {
  Emitted out;
  out.ok = true;
  for (const char* target : {"terraform", "cloudformation"}) {
    diag::Sink sink(path);
    auto files = backends::find_backend(target)->emit(system, options_for(path), sink);
    if (!files || sink.has_errors()) {
      out.ok = false;
      continue;
    }
    for (const backends::OutputFile& f : *files) {
      if (!f.name.ends_with(".json") || f.name == "manifest.json") continue;
      json doc = json::parse(f.bytes);
      if (std::string(target) == "terraform") {
        for (const auto& [type, resources] : doc["resource"].items()) {
          for (const auto& [name, body] : resources.items()) out.terraform.insert(type + "." + name);
        }
      } else {
        for (const auto& [logical, body] : doc["Resources"].items()) out.cloudformation.insert(logical);
      }
    }
  }
  return out;
}

std::vector<const policies::Bound*> bounds(const std::vector<policies::ScenarioResult>& results) {
  std::vector<const policies::Bound*> out;
  for (const auto& r : results) {
    out.push_back(&r.rto);
    out.push_back(&r.rpo);
  }
  return out;
}

const policies::ScenarioResult& scenario(const std::vector<policies::ScenarioResult>& results, ir::Scenario s) {
  for (const auto& r : results) {
    if (r.scenario == s) return r;
  }
  FAIL("scenario missing");
  return results.front();
}

}  // namespace

TEST_CASE("every budget term cites resources that exist in both backends' output") {
  static const policies::RecoveryFacts facts = policies::load_recovery_facts();
  std::size_t specs = 0, terms = 0, citations = 0;
  for (const std::string& path : golden_specs()) {
    frontend::Loaded loaded = frontend::load(path);
    if (!loaded.ir) continue;  // front-end failures have no budget
    const infra::Model model = lower::lower(*loaded.ir, {});
    const auto results = policies::analyse(*loaded.ir, model, facts);
    const Emitted emitted = emit_both(*loaded.ir, path);
    INFO(path);
    REQUIRE(emitted.ok);
    ++specs;
    for (const policies::Bound* b : bounds(results)) {
      for (const policies::Contributor& c : b->contributors) {
        INFO(c.what);
        ++terms;
        // Only a human commitment the spec declares (operator response) has no resource.
        if (c.basis != policies::Basis::Declared) CHECK_FALSE(c.evidence.empty());
        for (const policies::Evidence& e : c.evidence) {
          ++citations;
          const std::string tf = backends::terraform_address(e.kind, e.id);
          const std::string cfn = backends::cloudformation_logical_id(e.kind, e.id);
          INFO(tf << " / " << cfn);
          CHECK(emitted.terraform.contains(tf));
          CHECK(emitted.cloudformation.contains(cfn));
        }
      }
      for (const policies::Caveat& c : b->caveats) {
        for (const policies::Evidence& e : c.evidence) {
          CHECK(emitted.terraform.contains(backends::terraform_address(e.kind, e.id)));
          CHECK(emitted.cloudformation.contains(backends::cloudformation_logical_id(e.kind, e.id)));
        }
      }
    }
  }
  // The walk covered the goldens, not an empty list.
  CHECK(specs >= 40);
  CHECK(terms >= 8 * specs);
  CHECK(citations >= terms);
}

TEST_CASE("a claim goes when the resources that deliver it are not generated") {
  static const policies::RecoveryFacts facts = policies::load_recovery_facts();
  frontend::Loaded loaded = frontend::load("specs/payment.pdr");
  REQUIRE(loaded.ir);
  const infra::Model model = lower::lower(*loaded.ir, {});
  {
    const auto results = policies::analyse(*loaded.ir, model, facts);
    const auto& region = scenario(results, ir::Scenario::RegionOutage);
    CHECK_FALSE(region.rto.unbounded);
    CHECK_FALSE(region.rpo.unbounded);
  }
  SECTION("alarms that page nobody bound nothing") {
    infra::Model silent = model;
    silent.topic_subscriptions.clear();
    for (infra::Alarm& a : silent.alarms) a.external_topics.clear();
    const auto results = policies::analyse(*loaded.ir, silent, facts);
    const auto& region = scenario(results, ir::Scenario::RegionOutage);
    CHECK(region.rpo.unbounded);
    CHECK(region.rto.unbounded);  // the operator of the manual failover is never paged
    CHECK(region.rto.unbounded_reason.find("nobody is paged") != std::string::npos);
  }
  SECTION("a declared lag alarm that lowering did not generate bounds nothing") {
    infra::Model dropped = model;
    std::erase_if(dropped.alarms, [](const infra::Alarm& a) { return a.spec_alarm == "sessions_replication_lag"; });
    const auto results = policies::analyse(*loaded.ir, dropped, facts);
    const auto& region = scenario(results, ir::Scenario::RegionOutage);
    CHECK(region.rpo.unbounded);
    CHECK(region.rpo.unbounded_reason.find("was not generated") != std::string::npos);
  }
  SECTION("a zone outage costs the NAT gateway's zone only where an endpoint is missing") {
    const ir::Seconds region_rto = scenario(policies::analyse(*loaded.ir, model, facts), ir::Scenario::RegionOutage).rto.total;
    // With every endpoint, the one NAT gateway's zone is not on the payment path.
    CHECK(scenario(policies::analyse(*loaded.ir, model, facts), ir::Scenario::AzOutage).rto.total < region_rto);
    // Without the Data API's endpoint in one region, that region's NAT zone fails it over.
    infra::Model missing = model;
    std::erase_if(missing.vpc_endpoints, [](const infra::VpcEndpoint& e) { return e.id == "secondary_rds_data"; });
    CHECK(scenario(policies::analyse(*loaded.ir, missing, facts), ir::Scenario::AzOutage).rto.total == region_rto);
    // An endpoint in two of the three zones is not enough either.
    infra::Model partial = model;
    for (infra::VpcEndpoint& e : partial.vpc_endpoints) {
      if (e.id == "primary_events") e.subnets.pop_back();
    }
    CHECK(scenario(policies::analyse(*loaded.ir, partial, facts), ir::Scenario::AzOutage).rto.total == region_rto);
    // And without any interface endpoint (`interface_endpoints = off`).
    ir::System off = *loaded.ir;
    for (ir::Region& r : off.regions) r.interface_endpoints = false;
    CHECK(scenario(policies::analyse(off, lower::lower(off, {}), facts), ir::Scenario::AzOutage).rto.total ==
          region_rto);
  }
  SECTION("no secondary cluster, no promotion") {
    infra::Model lonely = model;
    std::erase_if(lonely.db_clusters, [](const infra::DbCluster& c) { return !c.writer; });
    const auto results = policies::analyse(*loaded.ir, lonely, facts);
    CHECK(scenario(results, ir::Scenario::RegionOutage).rto.unbounded);
  }
  SECTION("no backup plan, no restore from backups") {
    infra::Model bare = model;
    bare.backup_plans.clear();
    bare.backup_selections.clear();
    for (infra::Table& t : bare.tables) t.point_in_time_recovery = false;
    ir::System no_pitr = *loaded.ir;
    for (ir::Table& t : no_pitr.tables) t.point_in_time_recovery = false;
    const auto results = policies::analyse(no_pitr, bare, facts);
    CHECK(scenario(results, ir::Scenario::LogicalCorruption).rpo.unbounded);
  }
  SECTION("a backup is delivered by its own plans, not by one whose name it prefixes") {
    // `daily` and `daily_extra`: lowering names their plans `daily_primary` and
    // `daily_extra_primary`. Without `daily`'s plans, what only `daily` covers has
    // no backups, however `daily_extra`'s plans are named.
    ir::System two = *loaded.ir;
    for (ir::Table& t : two.tables) t.point_in_time_recovery = false;
    ir::Backup extra = two.backups.at(0);
    REQUIRE(extra.name == "daily");
    extra.name = "daily_extra";
    extra.covers = {"sessions"};
    two.backups.push_back(extra);
    infra::Model lowered = lower::lower(two, {});
    REQUIRE(scenario(policies::analyse(two, lowered, facts), ir::Scenario::LogicalCorruption).rpo.unbounded == false);
    std::erase_if(lowered.backup_plans, [](const infra::BackupPlan& p) { return p.backup == "daily"; });
    std::erase_if(lowered.backup_selections, [](const infra::BackupSelection& s) { return s.backup == "daily"; });
    REQUIRE_FALSE(lowered.backup_plans.empty());
    const auto results = policies::analyse(two, lowered, facts);
    const auto& corruption = scenario(results, ir::Scenario::LogicalCorruption);
    CHECK(corruption.rpo.unbounded);
    CHECK(corruption.rpo.unbounded_reason.find("transactions") != std::string::npos);
  }
}

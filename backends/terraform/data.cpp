// The master secret, Aurora global databases and DynamoDB global tables.
#include "common/aws_formats.h"
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

namespace {

std::string password(const std::string& secret) {
  return "ephemeral.aws_secretsmanager_random_password." + secret + ".random_password";
}

void emit_secret(Document& doc, const infra::Secret& s) {
  // Ephemeral: generated during plan and apply, never written to state. Write-only
  // attributes (Terraform 1.11, provider 5.100) hand it to the secret and the
  // cluster; bumping `version` rotates both.
  doc.root()["ephemeral"]["aws_secretsmanager_random_password"][s.id] = {{"provider", "aws." + s.region},
                                                                         {"password_length", s.password_length},
                                                                         {"exclude_characters", s.exclude_characters}};
  json replicas = json::array();
  for (const auto& [region, key] : s.replicas) {
    replicas.push_back({{"region", region}, {"kms_key_id", Document::ref(Kind::Key, key, Attr::Arn)}});
  }
  json& secret = doc.resource("aws_secretsmanager_secret", s.id, s.region);
  secret["name"] = Document::text(s.name);
  secret["description"] = s.description;
  secret["kms_key_id"] = Document::ref(Kind::Key, s.key, Attr::Arn);
  secret["recovery_window_in_days"] = 30;
  if (!replicas.empty()) secret["replica"] = replicas;
  secret["tags"] = Document::name_tag(s.name);
  doc.resource("aws_secretsmanager_secret_version", s.id, s.region) = {
      {"provider", "aws." + s.region},
      {"secret_id", Document::ref(Kind::Secret, s.id, Attr::Id)},
      {"secret_string_wo",
       Document::expr("jsonencode({username = \"" + s.username + "\", password = " + password(s.id) + "})")},
      {"secret_string_wo_version", s.version}};
  if (!s.rotation_function.empty()) {
    // rotate_immediately false: the first rotation comes with the schedule; Secrets
    // Manager still runs the function's testSecret step now, so a function that
    // cannot find the writer fails the apply instead of the first rotation.
    doc.resource("aws_secretsmanager_secret_rotation", s.id, s.region) = {
        {"provider", "aws." + s.region},
        {"secret_id", Document::ref(Kind::Secret, s.id, Attr::Id)},
        {"rotation_lambda_arn", Document::ref(Kind::Function, s.rotation_function, Attr::Arn)},
        {"rotation_rules", json::array({{{"automatically_after_days", s.rotation_days}}})},
        {"rotate_immediately", false},
        {"depends_on", json::array({"aws_lambda_permission." + s.rotation_permission,
                                    "aws_secretsmanager_secret_version." + s.id})}};
  }
}

void emit_cluster(Document& doc, const infra::DbCluster& c) {
  json& body = doc.resource("aws_rds_cluster", c.id, c.region);
  body["cluster_identifier"] = Document::text(c.identifier);
  body["global_cluster_identifier"] = Document::ref(Kind::GlobalCluster, c.global_cluster, Attr::Id);
  body["engine"] = c.engine;
  body["engine_version"] = c.engine_version;
  body["db_subnet_group_name"] = Document::ref(Kind::DbSubnetGroup, c.subnet_group, Attr::Name);
  body["db_cluster_parameter_group_name"] = Document::ref(Kind::DbClusterParameterGroup, c.parameter_group, Attr::Name);
  json groups = json::array();
  for (const std::string& sg : c.security_groups) groups.push_back(Document::ref(Kind::SecurityGroup, sg));
  body["vpc_security_group_ids"] = groups;
  body["port"] = c.port;
  body["storage_encrypted"] = true;
  body["kms_key_id"] = Document::ref(Kind::Key, c.key, Attr::Arn);
  body["deletion_protection"] = c.deletion_protection;
  body["iam_database_authentication_enabled"] = c.iam_auth;
  // The RDS Data API (aws_rds_cluster `enable_http_endpoint`, provider 5.100).
  if (c.data_api) body["enable_http_endpoint"] = true;
  body["enabled_cloudwatch_logs_exports"] = c.log_exports;
  body["backup_retention_period"] = c.backup_retention_days;
  body["preferred_backup_window"] = c.backup_window;
  body["copy_tags_to_snapshot"] = true;
  body["skip_final_snapshot"] = false;
  body["final_snapshot_identifier"] = Document::text(c.final_snapshot_identifier);
  body["tags"] = Document::name_tag(c.identifier);
  for (const auto& [key, value] : c.tags) body["tags"][key] = value;
  if (c.database_name) body["database_name"] = *c.database_name;
  if (c.master_secret) {
    const infra::Secret* secret = nullptr;
    for (const infra::Secret& s : doc.model().secrets) {
      if (s.id == *c.master_secret) secret = &s;
    }
    if (secret) {
      body["master_username"] = secret->username;
      body["master_password_wo"] = Document::expr(password(secret->id));
      body["master_password_wo_version"] = secret->version;
    }
  }
  if (!c.after.empty()) {
    json after = json::array();
    for (const infra::Ref& r : c.after) after.push_back(std::string(type_name(r.kind)) + "." + r.id);
    body["depends_on"] = after;
  }
  // What AWS reports on a member of a global database but paydrc never sends:
  // - replication_source_identifier: a secondary reports its primary's ARN, and
  //   planning that attribute away promotes the secondary out of the global
  //   database (aws_rds_cluster docs, `replication_source_identifier`;
  //   terraform-provider-aws PR #40921). Every member, not only today's readers:
  //   after a failover the old writer is the secondary.
  // - engine_version: an upgrade goes through the global cluster, which upgrades
  //   its members; without this the member plans the old version back and the
  //   provider reports an inconsistent final plan (aws_rds_global_cluster docs,
  //   "Upgrading Engine Versions").
  if (!c.global_cluster.empty()) {
    body["lifecycle"] =
        json::array({{{"ignore_changes", json::array({"engine_version", "replication_source_identifier"})}}});
  }
}

}  // namespace

void emit_data(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::Secret& s : m.secrets) emit_secret(doc, s);
  for (const infra::DbSubnetGroup& g : m.db_subnet_groups) {
    json subnets = json::array();
    for (const std::string& s : g.subnets) subnets.push_back(Document::ref(Kind::Subnet, s));
    doc.resource("aws_db_subnet_group", g.id, g.region) = {{"provider", "aws." + g.region},
                                                           {"name", Document::text(g.name)},
                                                           {"subnet_ids", subnets},
                                                           {"tags", Document::name_tag(g.name)}};
  }
  for (const infra::DbClusterParameterGroup& g : m.db_parameter_groups) {
    json params = json::array();
    for (const auto& [name, value] : g.parameters) params.push_back({{"name", name}, {"value", value}});
    json& body = doc.resource("aws_rds_cluster_parameter_group", g.id, g.region);
    body["name"] = Document::text(g.name);
    body["family"] = g.family;
    body["tags"] = Document::name_tag(g.name);
    if (!params.empty()) body["parameter"] = params;
  }
  for (const infra::GlobalCluster& g : m.global_clusters) {
    // No database_name here: it goes on the writer cluster.
    doc.resource("aws_rds_global_cluster", g.id, g.region) = {
        {"provider", "aws." + g.region},
        {"global_cluster_identifier", Document::text(g.identifier)},
        {"engine", g.engine},
        {"engine_version", g.engine_version},
        {"storage_encrypted", true},
        {"deletion_protection", g.deletion_protection}};
  }
  for (const infra::DbCluster& c : m.db_clusters) emit_cluster(doc, c);
  for (const infra::DbInstance& i : m.db_instances) {
    // LTS engine versions: AWS advises against automatic minor version upgrades.
    json& body = doc.resource("aws_rds_cluster_instance", i.id, i.region);
    body = {
        {"provider", "aws." + i.region},
        {"identifier", Document::text(i.identifier)},
        {"cluster_identifier", Document::ref(Kind::DbCluster, i.cluster, Attr::Id)},
        {"instance_class", i.instance_class},
        {"engine", i.engine},
        // The cluster's version as AWS reports it, which follows an upgrade made
        // through the global cluster (aws_rds_global_cluster docs, "Upgrading
        // Engine Versions"); a literal would plan the old version back.
        {"engine_version", Document::expr(std::string(type_name(Kind::DbCluster)) + "." + i.cluster + ".engine_version")},
        {"promotion_tier", i.promotion_tier},
        {"publicly_accessible", i.publicly_accessible},
        {"auto_minor_version_upgrade", false},
        {"tags", Document::name_tag(i.identifier)}};
    // Enhanced Monitoring (aws_rds_cluster_instance `monitoring_interval`,
    // `monitoring_role_arn`, provider 5.100).
    if (i.monitoring_interval > 0) {
      body["monitoring_interval"] = i.monitoring_interval;
      body["monitoring_role_arn"] = Document::ref(Kind::Role, i.monitoring_role, Attr::Arn);
      // RDS checks the role's permissions when the instance is created: the policy
      // must be attached first, and nothing else orders the attachment before it.
      for (const std::string& a : role_policy_attachments(doc.model(), i.monitoring_role)) body["depends_on"].push_back(a);
    }
  }
  for (const infra::Table& t : m.tables) {
    json attributes = json::array({{{"name", t.hash_key}, {"type", dynamodb_attribute_type(t.hash_key_kind)}}});
    if (t.range_key)
      attributes.push_back({{"name", *t.range_key}, {"type", dynamodb_attribute_type(t.range_key_kind)}});
    json& body = doc.resource("aws_dynamodb_table", t.id, t.region);
    body["name"] = Document::text(t.name);
    body["billing_mode"] = t.on_demand ? "PAY_PER_REQUEST" : "PROVISIONED";
    body["hash_key"] = t.hash_key;
    if (t.range_key) body["range_key"] = *t.range_key;
    body["attribute"] = attributes;
    body["point_in_time_recovery"] =
        json::array({{{"enabled", t.point_in_time_recovery}, {"recovery_period_in_days", t.pitr_days}}});
    if (!t.point_in_time_recovery) body["point_in_time_recovery"][0].erase("recovery_period_in_days");
    if (t.stream_view) {
      body["stream_enabled"] = true;
      body["stream_view_type"] = *t.stream_view;
    }
    body["server_side_encryption"] =
        json::array({{{"enabled", true}, {"kms_key_arn", Document::ref(Kind::Key, t.key, Attr::Arn)}}});
    json replicas = json::array();
    for (const infra::TableReplica& r : t.replicas) {
      replicas.push_back({{"region_name", r.aws_region},
                          {"kms_key_arn", Document::ref(Kind::Key, r.key, Attr::Arn)},
                          {"point_in_time_recovery", t.point_in_time_recovery},
                          {"propagate_tags", true}});
    }
    if (!replicas.empty()) body["replica"] = replicas;
    if (t.ttl_attribute) body["ttl"] = json::array({{{"attribute_name", *t.ttl_attribute}, {"enabled", true}}});
    body["deletion_protection_enabled"] = t.deletion_protection;
    body["tags"] = Document::name_tag(t.name);
    for (const auto& [key, value] : t.tags) body["tags"][key] = value;
  }
}

}  // namespace paydrc::backends::terraform

// The master secret, Aurora global databases and DynamoDB global tables.
#include "cloudformation/builder.h"
#include "common/aws_formats.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

// Stateful resources keep their data when the stack is deleted or a change
// replaces them.
void keep(json& body, const char* policy) {
  body["DeletionPolicy"] = policy;
  body["UpdateReplacePolicy"] = policy;
}

void emit_secret(Builder& b, const infra::Secret& s) {
  b.begin(Kind::Secret, s.id);
  // Secrets Manager generates the password at deployment; the template, the
  // change set and the stack hold only the secret's ARN, and the writer cluster
  // reads the password through a dynamic reference.
  json replicas = json::array();
  for (const auto& [region, key] : s.replicas) {
    replicas.push_back({{"Region", region}, {"KmsKeyId", b.ref(Kind::Key, key, Attr::Arn)}});
  }
  json& body = b.resource(Builder::logical(Kind::Secret, s.id), "AWS::SecretsManager::Secret");
  body["Properties"] = {{"Name", b.text(s.name)},
                        {"Description", s.description},
                        {"KmsKeyId", b.ref(Kind::Key, s.key, Attr::Arn)},
                        {"GenerateSecretString",
                         {{"SecretStringTemplate", json{{"username", s.username}}.dump()},
                          {"GenerateStringKey", "password"},
                          {"PasswordLength", s.password_length},
                          {"ExcludeCharacters", s.exclude_characters}}},
                        {"Tags", b.name_tags(s.name)}};
  if (!replicas.empty()) body["Properties"]["ReplicaRegions"] = replicas;
  Builder::retain_except_on_create(body);
  if (!s.rotation_function.empty()) {
    // RotateImmediatelyOnUpdate false: the first rotation comes with the schedule;
    // Secrets Manager runs the function's testSecret step when the schedule is set.
    json& rotation = b.resource(Builder::logical(Kind::Secret, s.id) + "Rotation", "AWS::SecretsManager::RotationSchedule");
    rotation["Properties"] = {{"SecretId", b.ref(Kind::Secret, s.id)},
                              {"RotationLambdaARN", b.ref(Kind::Function, s.rotation_function, Attr::Arn)},
                              {"RotationRules", {{"AutomaticallyAfterDays", s.rotation_days}}},
                              {"RotateImmediatelyOnUpdate", false}};
    b.depends_on(rotation, Kind::FunctionPermission, s.rotation_permission);
  }
}

void emit_cluster(Builder& b, const infra::DbCluster& c) {
  b.begin(Kind::DbCluster, c.id);
  json groups = json::array();
  for (const std::string& sg : c.security_groups) groups.push_back(b.ref(Kind::SecurityGroup, sg));
  json props = {{"DBClusterIdentifier", b.text(c.identifier)},
                {"GlobalClusterIdentifier", b.ref(Kind::GlobalCluster, c.global_cluster)},
                {"Engine", c.engine},
                {"EngineVersion", c.engine_version},
                {"DBSubnetGroupName", b.ref(Kind::DbSubnetGroup, c.subnet_group, Attr::Name)},
                {"DBClusterParameterGroupName", b.ref(Kind::DbClusterParameterGroup, c.parameter_group, Attr::Name)},
                {"VpcSecurityGroupIds", groups},
                {"Port", c.port},
                {"StorageEncrypted", true},
                {"KmsKeyId", b.ref(Kind::Key, c.key, Attr::Arn)},
                {"DeletionProtection", c.deletion_protection},
                {"EnableIAMDatabaseAuthentication", c.iam_auth},
                {"EnableCloudwatchLogsExports", c.log_exports},
                {"BackupRetentionPeriod", c.backup_retention_days},
                {"PreferredBackupWindow", c.backup_window},
                {"CopyTagsToSnapshot", true},
                {"Tags", b.name_tags(c.identifier)}};
  for (const auto& [key, value] : c.tags) props["Tags"].push_back({{"Key", key}, {"Value", value}});
  // The RDS Data API (AWS::RDS::DBCluster `EnableHttpEndpoint`).
  if (c.data_api) props["EnableHttpEndpoint"] = true;
  if (c.database_name) props["DatabaseName"] = *c.database_name;
  if (c.master_secret) {
    for (const infra::Secret& s : b.model().secrets) {
      if (s.id != *c.master_secret) continue;
      props["MasterUsername"] = s.username;
      // Ref of a secret is its ARN.
      const json secret = b.ref(Kind::Secret, s.id);
      props["MasterUserPassword"] =
          secret.contains("Ref")
              ? json{{"Fn::Sub",
                      "{{resolve:secretsmanager:${" + secret["Ref"].get<std::string>() + "}:SecretString:password}}"}}
              : json{
                    {"Fn::Join", json::array({"", {"{{resolve:secretsmanager:", secret, ":SecretString:password}}"}})}};
    }
  }
  json& body = b.resource(Builder::logical(Kind::DbCluster, c.id), "AWS::RDS::DBCluster");
  body["Properties"] = std::move(props);
  // CloudFormation names the final snapshot itself (the model's
  // final_snapshot_identifier is Terraform's).
  keep(body, "Snapshot");
  for (const infra::Ref& r : c.after) b.depends_on(body, r.kind, r.id);
}

void emit_table(Builder& b, const infra::Table& t, const std::string& home_region) {
  b.begin(Kind::Table, t.id);
  json attributes =
      json::array({{{"AttributeName", t.hash_key}, {"AttributeType", dynamodb_attribute_type(t.hash_key_kind)}}});
  json schema = json::array({{{"AttributeName", t.hash_key}, {"KeyType", "HASH"}}});
  if (t.range_key) {
    attributes.push_back(
        {{"AttributeName", *t.range_key}, {"AttributeType", dynamodb_attribute_type(t.range_key_kind)}});
    schema.push_back({{"AttributeName", *t.range_key}, {"KeyType", "RANGE"}});
  }
  auto replica = [&](const std::string& aws_region, const std::string& key) {
    json pitr = {{"PointInTimeRecoveryEnabled", t.point_in_time_recovery}};
    if (t.point_in_time_recovery) pitr["RecoveryPeriodInDays"] = t.pitr_days;
    // Each replica is encrypted with its own region's key; a key in another
    // region comes from an earlier stack.
    json tags = b.name_tags(t.name);
    for (const auto& [tag, value] : t.tags) tags.push_back({{"Key", tag}, {"Value", value}});
    return json{{"Region", aws_region},
                {"SSESpecification", {{"KMSMasterKeyId", b.ref(Kind::Key, key, Attr::Arn)}}},
                {"PointInTimeRecoverySpecification", pitr},
                {"DeletionProtectionEnabled", t.deletion_protection},
                {"Tags", tags}};
  };
  json replicas = json::array({replica(home_region, t.key)});
  for (const infra::TableReplica& r : t.replicas) replicas.push_back(replica(r.aws_region, r.key));
  json props = {{"TableName", b.text(t.name)},
                {"BillingMode", t.on_demand ? "PAY_PER_REQUEST" : "PROVISIONED"},
                {"AttributeDefinitions", attributes},
                {"KeySchema", schema},
                {"SSESpecification", {{"SSEEnabled", true}, {"SSEType", "KMS"}}},
                {"Replicas", replicas}};
  if (t.stream_view) props["StreamSpecification"] = {{"StreamViewType", *t.stream_view}};
  if (t.ttl_attribute) props["TimeToLiveSpecification"] = {{"AttributeName", *t.ttl_attribute}, {"Enabled", true}};
  json& body = b.resource(Builder::logical(Kind::Table, t.id), "AWS::DynamoDB::GlobalTable");
  body["Properties"] = std::move(props);
  Builder::retain_except_on_create(body);
}

}  // namespace

void emit_data(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::Secret& s : m.secrets) emit_secret(b, s);
  for (const infra::DbSubnetGroup& g : m.db_subnet_groups) {
    b.begin(Kind::DbSubnetGroup, g.id);
    json subnets = json::array();
    for (const std::string& s : g.subnets) subnets.push_back(b.ref(Kind::Subnet, s));
    b.resource(Builder::logical(Kind::DbSubnetGroup, g.id), "AWS::RDS::DBSubnetGroup")["Properties"] = {
        {"DBSubnetGroupName", b.text(g.name)},
        {"DBSubnetGroupDescription", "private subnets of the database"},
        {"SubnetIds", subnets},
        {"Tags", b.name_tags(g.name)}};
  }
  for (const infra::DbClusterParameterGroup& g : m.db_parameter_groups) {
    b.begin(Kind::DbClusterParameterGroup, g.id);
    json params = json::object();
    for (const auto& [name, value] : g.parameters) params[name] = value;
    json& body = b.resource(Builder::logical(Kind::DbClusterParameterGroup, g.id), "AWS::RDS::DBClusterParameterGroup");
    body["Properties"] = {{"DBClusterParameterGroupName", b.text(g.name)},
                          {"Description", "cluster parameters set by paydrc"},
                          {"Family", g.family},
                          {"Parameters", params},
                          {"Tags", b.name_tags(g.name)}};
  }
  for (const infra::GlobalCluster& g : m.global_clusters) {
    b.begin(Kind::GlobalCluster, g.id);
    // No database name here: it goes on the writer cluster.
    json& body = b.resource(Builder::logical(Kind::GlobalCluster, g.id), "AWS::RDS::GlobalCluster");
    body["Properties"] = {{"GlobalClusterIdentifier", b.text(g.identifier)},
                          {"Engine", g.engine},
                          {"EngineVersion", g.engine_version},
                          {"StorageEncrypted", true},
                          {"DeletionProtection", g.deletion_protection}};
  }
  for (const infra::DbCluster& c : m.db_clusters) emit_cluster(b, c);
  for (const infra::DbInstance& i : m.db_instances) {
    b.begin(Kind::DbInstance, i.id);
    // LTS engine versions: AWS advises against automatic minor version upgrades.
    // The engine version is the cluster's, and so is the data: the cluster's
    // Snapshot policy keeps it, an instance of a cluster has nothing to snapshot.
    json& body = b.resource(Builder::logical(Kind::DbInstance, i.id), "AWS::RDS::DBInstance");
    keep(body, "Delete");
    body["Properties"] = {{"DBInstanceIdentifier", b.text(i.identifier)},
                          {"DBClusterIdentifier", b.ref(Kind::DbCluster, i.cluster)},
                          {"DBInstanceClass", i.instance_class},
                          {"Engine", i.engine},
                          {"PromotionTier", i.promotion_tier},
                          {"PubliclyAccessible", i.publicly_accessible},
                          {"AutoMinorVersionUpgrade", false},
                          {"Tags", b.name_tags(i.identifier)}};
    // Enhanced Monitoring (AWS::RDS::DBInstance `MonitoringInterval`, `MonitoringRoleArn`).
    if (i.monitoring_interval > 0) {
      body["Properties"]["MonitoringInterval"] = i.monitoring_interval;
      body["Properties"]["MonitoringRoleArn"] = b.ref(Kind::Role, i.monitoring_role, Attr::Arn);
      // RDS checks the role's permissions when the instance is created.
      depend_on_role_policies(b, body, i.monitoring_role);
    }
  }
  for (const infra::Table& t : m.tables) {
    const infra::RegionInfo* home = m.region(t.region);
    emit_table(b, t, home ? home->aws_region : t.region);
  }
}

}  // namespace paydrc::backends::cloudformation

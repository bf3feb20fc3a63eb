#include "terraform/roots.h"

#include <fmt/format.h>

#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "common/staging.h"

namespace paydrc::backends::terraform {

using json = nlohmann::json;

namespace {

// A reference to a block, found inside `${...}` / `%{...}`: the block's address
// (`aws_vpc.primary`, `data.aws_route53_zone.api`, `ephemeral.x.y`) and the
// attribute path after it (`.domain_name_configuration[0].target_domain_name`).
struct BlockRef {
  std::string address;
  std::string path;
};

// Returns the replacement of a reference, or nothing to keep it as written.
using RefVisitor = std::function<std::optional<std::string>(const BlockRef&)>;

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string rewrite_expression(const std::string& e, const RefVisitor& visit) {
  std::string out;
  std::size_t k = 0;
  auto read_ident = [&](std::size_t at) {
    std::size_t end = at;
    while (end < e.size() && ident_char(e[end])) ++end;
    return end;
  };
  while (k < e.size()) {
    const bool starts = ident_start(e[k]) && (k == 0 || !(ident_char(e[k - 1]) || e[k - 1] == '.'));
    if (!starts) {
      out += e[k++];
      continue;
    }
    const std::size_t start = k;
    // Up to three dot-separated identifiers: [data|ephemeral.]type.name
    std::vector<std::string> segments;
    std::size_t end = k;
    for (int i = 0; i < 3; ++i) {
      const std::size_t from = i == 0 ? end : end + 1;
      if (i > 0 && (end >= e.size() || e[end] != '.' || from >= e.size() || !ident_start(e[from]))) break;
      const std::size_t to = read_ident(from);
      segments.push_back(e.substr(from, to - from));
      end = to;
      const bool qualified = segments.front() == "data" || segments.front() == "ephemeral";
      if (segments.size() == (qualified ? 3u : 2u)) break;
    }
    const bool qualified = segments.front() == "data" || segments.front() == "ephemeral";
    const std::size_t wanted = qualified ? 3 : 2;
    const std::string& type = segments[qualified ? std::min<std::size_t>(1, segments.size() - 1) : 0];
    if (segments.size() != wanted || type.rfind("aws_", 0) != 0) {
      // Not a block (var.x, each.value, path.module, a remote state): copy the
      // identifiers read so far.
      out += e.substr(start, end - start);
      k = end;
      continue;
    }
    BlockRef ref;
    ref.address = e.substr(start, end - start);
    // The attribute path: `.name` and `[digits]` steps.
    std::size_t p = end;
    for (;;) {
      if (p + 1 < e.size() && e[p] == '.' && ident_start(e[p + 1])) {
        p = read_ident(p + 1);
      } else if (p < e.size() && e[p] == '[') {
        std::size_t q = p + 1;
        while (q < e.size() && std::isdigit(static_cast<unsigned char>(e[q]))) ++q;
        if (q == p + 1 || q >= e.size() || e[q] != ']') break;
        p = q + 1;
      } else {
        break;
      }
    }
    ref.path = e.substr(end, p - end);
    std::optional<std::string> replacement = visit(ref);
    out += replacement ? *replacement : e.substr(start, p - start);
    k = p;
  }
  return out;
}

// Visits the references inside the `${...}` and `%{...}` spans of a string
// template (`$${` and `%%{` are literal text).
std::string rewrite_template(const std::string& text, const RefVisitor& visit) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if ((text[i] == '$' || text[i] == '%') && text.compare(i + 1, 2, std::string(1, text[i]) + "{") == 0) {
      out += text.substr(i, 3);
      i += 3;
      continue;
    }
    if (!((text[i] == '$' || text[i] == '%') && i + 1 < text.size() && text[i + 1] == '{')) {
      out += text[i++];
      continue;
    }
    std::size_t depth = 0, j = i + 1;
    for (; j < text.size(); ++j) {
      if (text[j] == '{') ++depth;
      if (text[j] == '}' && --depth == 0) break;
    }
    out += text.substr(i, 2) + rewrite_expression(text.substr(i + 2, j - i - 2), visit);
    if (j < text.size()) out += '}';
    i = j + 1;
  }
  return out;
}

// Every string of a block body, rewritten; `depends_on` and `provider` are not
// expressions and are left to the caller.
json rewrite_body(const json& body, const RefVisitor& visit) {
  if (body.is_string()) return rewrite_template(body.get<std::string>(), visit);
  if (body.is_array()) {
    json out = json::array();
    for (const json& item : body) out.push_back(rewrite_body(item, visit));
    return out;
  }
  if (body.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : body.items()) {
      out[key] = key == "depends_on" || key == "provider" ? value : rewrite_body(value, visit);
    }
    return out;
  }
  return body;
}

struct Block {
  std::string kind;  // resource | data | ephemeral
  std::string type;
  std::string name;
  std::string address;
  std::string region;  // the provider alias
  const json* body = nullptr;
  std::vector<BlockRef> refs;
  std::vector<std::string> depends_on;
};

// Lookups whose answer is the same from every region's provider: the account,
// policy JSON Terraform computes locally, and Route 53 (a global service: one
// API whichever region the provider names). Anything else a lookup reads is
// regional and stays a unit of its provider's region.
bool region_independent(const std::string& type) {
  return type == "aws_caller_identity" || type == "aws_iam_policy_document" || type == "aws_route53_zone" ||
         type == "aws_partition";
}

// `aws_rds_cluster.ledger_primary` + `.endpoint` -> `rds_cluster_ledger_primary_endpoint`.
std::string export_name(const BlockRef& ref) {
  std::string out;
  std::string text = ref.address + ref.path;
  if (text.rfind("aws_", 0) == 0) text = text.substr(4);
  for (const std::string prefix : {"data.aws_", "ephemeral.aws_"}) {
    if (text.rfind(prefix, 0) == 0) text = prefix.substr(0, prefix.find('.')) + "_" + text.substr(prefix.size());
  }
  for (char c : text) {
    if (ident_char(c)) {
      out += c;
    } else if (c != ']' && !out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string root_dir(const StageSlot& slot) {
  const bool plain = slot.stage == Stage::Main || slot.stage == Stage::Regional;
  return plain ? slot.role : slot.role + "-" + slot.stage_name;
}

json remote_state(const std::string& dir, const infra::Model& model, const EmitOptions& options) {
  if (!options.state_bucket) {
    // Relative to the working directory: `terraform -chdir=OUT/<root>` runs in the root.
    return {{"backend", "local"}, {"config", {{"path", "../" + dir + "/terraform.tfstate"}}}};
  }
  json config = {{"bucket", "${var.state_bucket}"}, {"key", state_key(model.system, options.environment_suffix, dir)}};
  if (options.state_bucket_region) config["region"] = "${var.state_bucket_region}";
  return {{"backend", "s3"}, {"config", config}};
}

}  // namespace

std::string state_key(const std::string& system, const std::string& environment_suffix, const std::string& dir) {
  return fmt::format("paydrc/{}/{}/{}/terraform.tfstate", system, environment_suffix, dir);
}

std::optional<std::vector<Root>> split(const json& whole, const infra::Model& model, const EmitOptions& options,
                                       std::string& error) {
  // 1. The blocks and what each refers to.
  std::vector<Block> blocks;
  std::map<std::string, std::size_t> by_address;
  for (const char* kind : {"resource", "data", "ephemeral"}) {
    if (!whole.contains(kind)) continue;
    for (const auto& [type, named] : whole[kind].items()) {
      for (const auto& [name, body] : named.items()) {
        Block b;
        b.kind = kind;
        b.type = type;
        b.name = name;
        b.address = (b.kind == "resource" ? "" : b.kind + ".") + type + "." + name;
        const std::string provider = body.value("provider", "");
        b.region = provider.rfind("aws.", 0) == 0 ? provider.substr(4) : std::string();
        b.body = &body;
        rewrite_body(body, [&](const BlockRef& r) {
          b.refs.push_back(r);
          return std::optional<std::string>();
        });
        if (body.contains("depends_on")) {
          for (const json& d : body["depends_on"]) b.depends_on.push_back(d.get<std::string>());
        }
        by_address[b.address] = blocks.size();
        blocks.push_back(std::move(b));
      }
    }
  }
  auto block_of = [&](const std::string& address) -> const Block* {
    auto it = by_address.find(address);
    return it == by_address.end() ? nullptr : &blocks[it->second];
  };

  // 2. Region-independent lookups that read no unit: copied where used.
  std::set<std::string> pure;
  for (const Block& b : blocks) {
    if (b.kind == "data" && region_independent(b.type)) pure.insert(b.address);
  }
  for (bool shrank = true; shrank;) {
    shrank = false;
    for (const Block& b : blocks) {
      if (!pure.count(b.address)) continue;
      for (const BlockRef& r : b.refs) {
        if (!pure.count(r.address)) {
          pure.erase(b.address);
          shrank = true;
          break;
        }
      }
    }
  }

  // 3. The units and their staging.
  std::vector<const Block*> units;
  std::map<std::string, std::size_t> unit_of;
  for (const Block& b : blocks) {
    if (pure.count(b.address)) continue;
    unit_of[b.address] = units.size();
    units.push_back(&b);
  }
  std::vector<StageUnit> graph;
  for (const Block* b : units) {
    StageUnit u;
    u.name = b->address;
    u.region = b->region;
    // A REST front door's regional health name (a plain alias record) goes with the
    // health check that probes it.
    u.cut_over = b->type == "aws_route53_health_check" ||
                 (b->type == "aws_route53_record" &&
                  (b->body->contains("failover_routing_policy") || b->body->contains("alias")));
    for (const BlockRef& r : b->refs) {
      if (auto it = unit_of.find(r.address); it != unit_of.end()) u.deps.insert(it->second);
    }
    for (const std::string& d : b->depends_on) {
      if (auto it = unit_of.find(d); it != unit_of.end()) u.deps.insert(it->second);
    }
    graph.push_back(std::move(u));
  }
  std::optional<Staging> staging = stage(model, graph, "root", error);
  if (!staging) return std::nullopt;

  std::vector<Root> roots;
  std::size_t home_main = 0;
  for (const StageSlot& slot : staging->slots) {
    if (slot.stage == Stage::Main) home_main = roots.size();
    roots.push_back({root_dir(slot), slot.role, slot.aws_region, slot.stage_name, slot.purpose, {}, {}, json::object()});
  }
  auto slot_of = [&](const std::string& address) { return staging->slot_of[unit_of.at(address)]; };

  // 4. Each root's blocks, with values of other roots read from their state.
  std::vector<std::set<std::size_t>> reads(roots.size());
  std::vector<std::set<std::size_t>> after(roots.size());  // dropped depends_on
  std::vector<std::set<std::string>> lookups(roots.size());
  std::vector<std::map<std::string, std::string>> exports(roots.size());  // name -> value
  bool failed = false;
  auto visitor = [&](std::size_t root, const std::string& user) -> RefVisitor {
    return [&, root, user](const BlockRef& r) -> std::optional<std::string> {
      if (pure.count(r.address)) {
        lookups[root].insert(r.address);
        return std::nullopt;
      }
      if (!unit_of.count(r.address)) return std::nullopt;  // undeclared: terraform validate says so
      const std::size_t from = slot_of(r.address);
      if (from == root) return std::nullopt;
      const Block* producer = block_of(r.address);
      if (producer->kind == "ephemeral" || r.path.empty() || from > root) {
        if (!failed) {
          error = fmt::format(
              "internal error: `{}` ({} root) reads `{}{}` of the {} root, which {}", user, roots[root].dir, r.address,
              r.path, roots[from].dir,
              producer->kind == "ephemeral" ? "is ephemeral and never leaves its root"
              : r.path.empty()              ? "is a whole object, not an attribute an output can carry"
                                            : "is applied later");
        }
        failed = true;
        return std::nullopt;
      }
      const std::string name = export_name(r);
      exports[from][name] = "${" + r.address + r.path + "}";
      reads[root].insert(from);
      return "data.terraform_remote_state." + roots[from].dir + ".outputs." + name;
    };
  };
  for (std::size_t u = 0; u < units.size(); ++u) {
    const Block& b = *units[u];
    const std::size_t root = staging->slot_of[u];
    json body = rewrite_body(*b.body, visitor(root, b.address));
    if (body.contains("depends_on")) {
      json kept = json::array();
      for (const json& d : body["depends_on"]) {
        const std::string address = d.get<std::string>();
        if (unit_of.count(address) && slot_of(address) != root) {
          after[root].insert(slot_of(address));
        } else {
          if (pure.count(address)) lookups[root].insert(address);
          kept.push_back(d);
        }
      }
      if (kept.empty())
        body.erase("depends_on");
      else
        body["depends_on"] = kept;
    }
    roots[root].document[b.kind][b.type][b.name] = std::move(body);
  }

  // 5. The model's outputs: in the latest root they read (their values come
  // from there or earlier), else in the home region's main root.
  if (whole.contains("output")) {
    for (const auto& [name, output] : whole["output"].items()) {
      std::size_t root = home_main;
      bool any = false;
      rewrite_body(output, [&](const BlockRef& r) {
        if (unit_of.count(r.address)) {
          root = any ? std::max(root, slot_of(r.address)) : slot_of(r.address);
          any = true;
        }
        return std::optional<std::string>();
      });
      roots[root].document["output"][name] = rewrite_body(output, visitor(root, "output." + name));
    }
  }
  if (failed) return std::nullopt;

  // 6. Settings, lookups, remote states and exports of each root.
  const std::string home = model.regions.empty() ? std::string() : model.regions.front().role;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    Root& root = roots[i];
    json& doc = root.document;
    doc["terraform"] = whole["terraform"];
    if (options.state_bucket) {
      doc["terraform"]["backend"]["s3"]["key"] = state_key(model.system, options.environment_suffix, root.dir);
    }
    doc["variable"] = whole["variable"];
    for (const json& provider : whole["provider"]["aws"]) {
      if (provider["alias"] == root.role) doc["provider"]["aws"] = json::array({provider});
    }
    // Lookups, with those they read in turn.
    std::vector<std::string> pending(lookups[i].begin(), lookups[i].end());
    while (!pending.empty()) {
      const Block& b = *block_of(pending.back());
      pending.pop_back();
      json body = *b.body;
      body["provider"] = "aws." + root.role;
      doc["data"][b.type][b.name] = std::move(body);
      for (const BlockRef& r : b.refs) {
        if (lookups[i].insert(r.address).second) pending.push_back(r.address);
      }
    }
    for (std::size_t from : reads[i]) {
      doc["data"]["terraform_remote_state"][roots[from].dir] = remote_state(roots[from].dir, model, options);
      root.reads.push_back(roots[from].dir);
    }
    if (!reads[i].empty() && options.state_bucket) {
      doc["variable"]["state_bucket"] = {
          {"type", "string"},
          {"default", *options.state_bucket},
          {"description",
           "the S3 bucket holding the state of the roots this one reads (data.terraform_remote_state); when that "
           "bucket's region is down, the bucket its state is replicated to"}};
      if (options.state_bucket_region) {
        doc["variable"]["state_bucket_region"] = {
            {"type", "string"}, {"default", *options.state_bucket_region}, {"description", "the region of state_bucket"}};
      }
    }
    for (const auto& [name, value] : exports[i]) {
      if (doc.contains("output") && doc["output"].contains(name)) {
        error = "internal error: the output name `" + name + "` is used twice in the " + root.dir + " root";
        return std::nullopt;
      }
      std::vector<std::string> readers;
      for (std::size_t j = 0; j < roots.size(); ++j) {
        if (reads[j].count(i)) readers.push_back(roots[j].dir);
      }
      doc["output"][name] = {{"description", fmt::format("read from this root's state by {}", fmt::join(readers, ", "))},
                             {"value", value}};
    }
    if (doc.contains("output")) {
      for (const auto& [name, output] : doc["output"].items()) root.outputs.push_back(name);
    }
    if (!after[i].empty()) {
      std::vector<std::string> dirs;
      for (std::size_t from : after[i]) dirs.push_back(roots[from].dir);
      root.purpose += fmt::format("; its depends_on on {} is left out: applying the roots in order gives it",
                                  fmt::join(dirs, ", "));
    }
    if (root.role == home && root.stage == "failover") {
      root.purpose += "; Route 53 fails over on its own through the health checks: no outage step needs this root";
    }
  }
  return roots;
}

json manifest(const std::vector<Root>& roots, const infra::Model& model, const EmitOptions& options) {
  json out = {{"format", 1}, {"system", model.system}, {"environment", options.environment_suffix}};
  out["cross_root_values"] = {
      {"mechanism", "data.terraform_remote_state"},
      {"note",
       "a root reads an earlier root's outputs from that root's state, never through another region's API; apply the "
       "roots in this order, destroy them in reverse; after a root changes an output, apply its readers again"}};
  json list = json::array();
  for (const Root& r : roots) {
    json state;
    if (options.state_bucket) {
      state = {{"backend", "s3"},
               {"bucket", *options.state_bucket},
               {"key", state_key(model.system, options.environment_suffix, r.dir)}};
      if (options.state_bucket_region) state["region"] = *options.state_bucket_region;
    } else {
      state = {{"backend", "local"}, {"path", r.dir + "/terraform.tfstate"}};
    }
    list.push_back({{"dir", r.dir},
                    {"region", r.role},
                    {"aws_region", r.aws_region},
                    {"stage", r.stage},
                    {"purpose", r.purpose},
                    {"providers", json::array({r.role})},
                    {"reads", r.reads},
                    {"outputs", r.outputs},
                    {"state", state}});
  }
  out["roots"] = list;
  return out;
}

}  // namespace paydrc::backends::terraform

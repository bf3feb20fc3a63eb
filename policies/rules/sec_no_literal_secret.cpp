// SEC-NO-LITERAL-SECRET: no credential is written into the model (and so into the
// generated configuration, plans and state); the database master password comes
// from the secret generated at deployment.
#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

using Json = nlohmann::ordered_json;

bool upper_or_digit(char c) {
  return std::isupper(static_cast<unsigned char>(c)) != 0 || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// An AWS access key id: AKIA (long-term) or ASIA (temporary) and 16 more
// upper-case letters or digits (IAM User Guide, "Unique identifiers").
bool has_access_key_id(std::string_view s) {
  for (std::size_t at = 0; at + 20 <= s.size(); ++at) {
    std::string_view prefix = s.substr(at, 4);
    if (prefix != "AKIA" && prefix != "ASIA") continue;
    if (at > 0 && upper_or_digit(s[at - 1])) continue;
    std::string_view rest = s.substr(at + 4, 16);
    if (!std::all_of(rest.begin(), rest.end(), upper_or_digit)) continue;
    if (at + 20 < s.size() && upper_or_digit(s[at + 20])) continue;
    return true;
  }
  return false;
}

bool has_private_key(std::string_view s) {
  std::size_t begin = s.find("-----BEGIN ");
  return begin != std::string_view::npos && s.find("PRIVATE KEY-----", begin) != std::string_view::npos;
}

// scheme://user:password@host
bool has_url_credentials(std::string_view s) {
  for (std::size_t scheme = s.find("://"); scheme != std::string_view::npos; scheme = s.find("://", scheme + 3)) {
    std::size_t start = scheme + 3;
    std::size_t end = s.find_first_of("/ \t\n", start);
    std::string_view authority = s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos && colon < at && colon + 1 < at &&
        authority.substr(colon + 1, at - colon - 1) != "${env}") {
      return true;
    }
  }
  return false;
}

// What credential `s` looks like, or "".
std::string_view credential_pattern(std::string_view s) {
  if (has_access_key_id(s)) return "an AWS access key id";
  if (has_private_key(s)) return "a private key";
  if (has_url_credentials(s)) return "a URL with a password";
  return {};
}

std::vector<std::string> words(std::string_view name) {
  std::vector<std::string> out(1);
  for (char c : name) {
    if (c == '_' || c == '-' || c == '.' || c == '/') {
      if (!out.back().empty()) out.emplace_back();
    } else {
      out.back() += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

// Whether a variable or parameter name announces a secret value (DB_PASSWORD,
// STRIPE_API_KEY) rather than where to find one (DB_SECRET_ARN, TOKEN_TABLE).
bool secret_name(std::string_view name) {
  static const std::set<std::string> secret_words = {"PASSWORD", "PASSWD",     "PWD",         "SECRET",    "TOKEN",
                                                     "APIKEY",   "CREDENTIAL", "CREDENTIALS", "PASSPHRASE"};
  static const std::set<std::string> pairs = {"API KEY", "PRIVATE KEY", "ACCESS KEY", "SECRET KEY", "SIGNING KEY"};
  static const std::set<std::string> locators = {"ARN",    "NAME",  "ID",    "PARAM", "PARAMETER", "PATH", "TABLE",
                                                 "BUCKET", "QUEUE", "TOPIC", "FILE",  "TTL",       "REF",  "KEYID"};
  std::vector<std::string> w = words(name);
  if (w.empty() || locators.contains(w.back())) return false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (secret_words.contains(w[i])) return true;
    if (i + 1 < w.size() && pairs.contains(w[i] + " " + w[i + 1])) return true;
  }
  return false;
}

// A value that points at a secret instead of holding one, or cannot be one (a
// number or a switch).
bool locator_value(std::string_view v) {
  static const std::set<std::string_view> switches = {"true", "false", "on",      "off",     "yes",
                                                      "no",   "none",  "enabled", "disabled"};
  const bool number = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  return v.empty() || number || switches.contains(v) || v.starts_with("arn:") || v.starts_with("{{resolve:") ||
         v.starts_with("/") || v.find("${") != std::string_view::npos;
}

// Every string in a view, with the path that leads to it.
void strings_in(const Json& j, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_string()) {
    out.emplace_back(path, j.get<std::string>());
  } else if (j.is_object()) {
    for (const auto& kv : j.items()) strings_in(kv.value(), path.empty() ? kv.key() : path + "." + kv.key(), out);
  } else if (j.is_array()) {
    for (const Json& e : j) strings_in(e, path, out);
  }
}

void check(const Context& ctx, Findings& out) {
  const infra::Model& m = ctx.model;
  const std::string hint =
      "keep credentials in Secrets Manager and pass their ARN; rotate any credential that was committed";
  for (const ResourceView& view : resource_views(m)) {
    std::vector<std::pair<std::string, std::string>> strings;
    strings_in(view.attributes, "", strings);
    std::set<std::string> reported;
    for (const auto& [path, value] : strings) {
      std::string_view what = credential_pattern(value);
      if (what.empty() || !reported.insert(path).second) continue;
      infra::Base where{view.id, view.region, view.origin};
      // At the spec attribute of the same name (a function's `environment`), when there is one.
      sec::report(ctx, out, where, fmt::format("{} `{}`: `{}` holds {}", view.type, view.id, path, what), hint,
                  std::string_view(path).substr(0, path.find('.')));
    }
  }
  for (const infra::Function& f : m.functions) {
    for (const auto& [name, value] : f.environment) {
      std::string text = render_text(value);
      if (!secret_name(name) || locator_value(text)) continue;
      sec::report(ctx, out, f,
                  fmt::format("function `{}`: environment variable `{}` holds a literal secret", f.id, name),
                  "put the value in Secrets Manager and pass its ARN (`..._SECRET_ARN`) instead", "environment");
    }
  }
  for (const infra::Parameter& p : m.parameters) {
    std::string path = render_text(p.name);
    std::string value = render_text(p.value);
    std::vector<std::string> w = words(path);
    if (w.empty() || !secret_name(w.back()) || locator_value(value)) continue;
    sec::report(
        ctx, out, p, fmt::format("parameter `{}` stores a literal secret", path),
        p.secure ? hint : "a SecureString still puts the value in the configuration; generate it at deployment");
  }
  for (const infra::DbCluster& c : m.db_clusters) {
    if (!c.writer) continue;
    const infra::Secret* secret = c.master_secret ? sec::find(m.secrets, *c.master_secret) : nullptr;
    if (secret != nullptr && secret->password_length > 0) continue;
    sec::report(ctx, out, c,
                c.master_secret
                    ? fmt::format("cluster `{}`: master secret `{}` is not a secret the model generates", c.id,
                                  *c.master_secret)
                    : fmt::format("cluster `{}` has no generated master secret: its password would be written "
                                  "into the configuration",
                                  c.id),
                "generate the master password at deployment into Secrets Manager (`master_password_wo`, "
                "`{{resolve:secretsmanager:...}}`)");
  }
}

}  // namespace

const Rule& sec_no_literal_secret() {
  static const Rule rule{
      {"SEC-NO-LITERAL-SECRET", "no credential is written into the configuration", Category::Security,
       diag::Severity::Error,
       "a password, access key or private key in the spec reaches git history, the generated Terraform and "
       "CloudFormation, plans and state, and every reviewer; it cannot be revoked from there",
       "Checkov CKV_AWS_45, CKV_AWS_41; PCI DSS v4.0 8.3.2, 8.6.2"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules

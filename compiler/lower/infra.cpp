#include "lower/infra.h"

#include <algorithm>

namespace paydrc::infra {

Text& Text::append(const Part& part) {
  // Adjacent literals merge, so equal texts compare equal however they were built.
  if (const auto* literal = std::get_if<std::string>(&part)) {
    if (literal->empty()) return *this;
    if (!parts.empty()) {
      if (auto* last = std::get_if<std::string>(&parts.back())) {
        *last += *literal;
        return *this;
      }
    }
  }
  parts.push_back(part);
  return *this;
}

Text& Text::operator+=(const Text& other) {
  for (const Part& part : other.parts) append(part);
  return *this;
}

bool Text::is_literal() const {
  for (const Part& part : parts) {
    if (!std::holds_alternative<std::string>(part)) return false;
  }
  return true;
}

std::string Text::literal() const {
  std::string out;
  for (const Part& part : parts) {
    if (const auto* literal = std::get_if<std::string>(&part)) out += *literal;
  }
  return out;
}

Text operator+(Text a, const Text& b) {
  a += b;
  return a;
}

Text policy_name(const Role& role, const RolePolicy& policy) { return role.name + Text("-" + policy.name); }

std::string evaluate(const Text& text, std::string_view suffix) {
  std::string out;
  for (const Text::Part& part : text.parts) {
    if (const auto* literal = std::get_if<std::string>(&part)) {
      out += *literal;
    } else if (std::holds_alternative<EnvSuffix>(part)) {
      out += suffix;
    } else if (const auto* label = std::get_if<EnvLabel>(&part)) {
      const bool plain = std::find(label->plain_in.begin(), label->plain_in.end(), suffix) != label->plain_in.end();
      if (!plain) out += label->before + std::string(suffix) + label->after;
    } else if (std::holds_alternative<AccountId>(part)) {
      out += "<account-id>";
    } else {
      out += "<" + std::get<Ref>(part).id + ">";
    }
  }
  return out;
}

bool denies_insecure_transport(const PolicyDocument& doc, std::string_view action, const Text& resource) {
  const std::string service_wide = std::string(action.substr(0, action.find(':'))) + ":*";
  for (const Statement& s : doc.statements) {
    if (s.effect != Effect::Deny) continue;
    const bool covers = std::any_of(s.actions.begin(), s.actions.end(),
                                    [&](const std::string& a) { return a == action || a == service_wide; });
    const bool anyone = std::any_of(s.principals.begin(), s.principals.end(), [](const Principal& p) {
      return p.type == "*" || (p.type == "AWS" && p.identifiers == std::vector<Text>{Text("*")});
    });
    const bool on_resource = std::find(s.resources.begin(), s.resources.end(), resource) != s.resources.end() ||
                             std::find(s.resources.begin(), s.resources.end(), Text("*")) != s.resources.end();
    const bool without_tls = std::any_of(s.conditions.begin(), s.conditions.end(), [](const Condition& c) {
      return c.test == "Bool" && c.variable == "aws:SecureTransport" && c.values == std::vector<Text>{Text("false")};
    });
    if (covers && anyone && on_resource && without_tls) return true;
  }
  return false;
}

bool invokes_asynchronously(std::string_view principal) {
  static constexpr std::string_view kAsynchronous[] = {
      "codecommit.amazonaws.com", "codepipeline.amazonaws.com", "config.amazonaws.com",
      "events.amazonaws.com",     "iot.amazonaws.com",          "logs.amazonaws.com",
      "s3.amazonaws.com",         "ses.amazonaws.com",          "sns.amazonaws.com",
  };
  // CloudWatch Logs answers with a regional principal (logs.<region>.amazonaws.com).
  if (principal.starts_with("logs.") && principal.ends_with(".amazonaws.com")) return true;
  return std::find(std::begin(kAsynchronous), std::end(kAsynchronous), principal) != std::end(kAsynchronous);
}

bool invoked_asynchronously(const Model& model, const Function& function) {
  return std::any_of(model.function_permissions.begin(), model.function_permissions.end(),
                     [&](const FunctionPermission& p) {
                       return p.function == function.id && invokes_asynchronously(p.principal);
                     });
}

const RegionInfo* Model::region(std::string_view role) const {
  for (const RegionInfo& r : regions) {
    if (r.role == role) return &r;
  }
  return nullptr;
}

}  // namespace paydrc::infra

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

const RegionInfo* Model::region(std::string_view role) const {
  for (const RegionInfo& r : regions) {
    if (r.role == role) return &r;
  }
  return nullptr;
}

}  // namespace paydrc::infra

#include "stockcast/core/params.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace stockcast {
namespace {

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string tmp(s);
  char* end = nullptr;
  *out = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view s, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseBool(std::string_view s, bool* out) {
  if (s == "true" || s == "1" || s == "yes") { *out = true; return true; }
  if (s == "false" || s == "0" || s == "no") { *out = false; return true; }
  return false;
}

}  // namespace

std::string_view ToString(ParamType type) {
  switch (type) {
    case ParamType::kInt: return "int";
    case ParamType::kDouble: return "double";
    case ParamType::kBool: return "bool";
    case ParamType::kString: return "string";
  }
  return "string";
}

double ParamValues::GetDouble(std::string_view name) const {
  auto it = values_.find(name);
  SC_ASSERT_MSG(it != values_.end(), "undeclared parameter read");
  return std::strtod(it->second.c_str(), nullptr);
}

int ParamValues::GetInt(std::string_view name) const {
  auto it = values_.find(name);
  SC_ASSERT_MSG(it != values_.end(), "undeclared parameter read");
  return std::atoi(it->second.c_str());
}

bool ParamValues::GetBool(std::string_view name) const {
  auto it = values_.find(name);
  SC_ASSERT_MSG(it != values_.end(), "undeclared parameter read");
  bool b = false;
  ParseBool(it->second, &b);
  return b;
}

const std::string& ParamValues::GetString(std::string_view name) const {
  auto it = values_.find(name);
  SC_ASSERT_MSG(it != values_.end(), "undeclared parameter read");
  return it->second;
}

const ParamSpec* ParamSchema::Find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<ParamValues> ParamSchema::Validate(const std::map<std::string, std::string>& given,
                                          std::string_view where) const {
  ParamValues out;
  for (const auto& s : specs_) out.Set(s.name, s.default_value);
  for (const auto& [name, value] : given) {
    const ParamSpec* spec = Find(name);
    if (!spec) {
      std::string names;
      for (const auto& s : specs_) names += (names.empty() ? "" : ", ") + s.name;
      return Error::InvalidArgument(fmt::format("unknown parameter \"{}\" in {}; available: {}",
                                                name, where, names.empty() ? "(none)" : names));
    }
    double num = 0;
    switch (spec->type) {
      case ParamType::kInt: {
        int i = 0;
        if (!ParseInt(value, &i)) {
          return Error::InvalidArgument(
              fmt::format("{} = \"{}\" in {}; must be an integer", name, value, where));
        }
        num = i;
        break;
      }
      case ParamType::kDouble:
        if (!ParseDouble(value, &num)) {
          return Error::InvalidArgument(
              fmt::format("{} = \"{}\" in {}; must be a number", name, value, where));
        }
        break;
      case ParamType::kBool: {
        bool b = false;
        if (!ParseBool(value, &b)) {
          return Error::InvalidArgument(
              fmt::format("{} = \"{}\" in {}; must be true or false", name, value, where));
        }
        out.Set(name, b ? "true" : "false");
        continue;
      }
      case ParamType::kString:
        out.Set(name, value);
        continue;
    }
    if (num < spec->min || num > spec->max) {
      return Error::InvalidArgument(fmt::format("{} = {} in {}; must be in [{}, {}]", name, value,
                                                where, spec->min, spec->max));
    }
    out.Set(name, value);
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseKeyValues(std::string_view text,
                                                          std::string_view where) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Error::InvalidArgument(
          fmt::format("\"{}\" in {}; parameters must be written key=value", item, where));
    }
    out[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
    pos = comma + 1;
  }
  return out;
}

}  // namespace stockcast

#pragma once
// Parameter schemas: each parameter is declared once (name, type, default, bounds, description)
// and the same declaration drives validation, --help text and machine-readable listings.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"

namespace stockcast {

enum class ParamType { kInt, kDouble, kBool, kString };
std::string_view ToString(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kDouble;
  std::string default_value;
  double min = -1e300;  // numeric bounds, inclusive
  double max = 1e300;
  std::string description;
};

// Parsed, validated values; every declared parameter is present (default if not given).
class ParamValues {
 public:
  double GetDouble(std::string_view name) const;
  int GetInt(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  const std::string& GetString(std::string_view name) const;
  const std::map<std::string, std::string, std::less<>>& raw() const { return values_; }
  void Set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

class ParamSchema {
 public:
  ParamSchema() = default;
  explicit ParamSchema(std::vector<ParamSpec> specs) : specs_(std::move(specs)) {}
  const std::vector<ParamSpec>& specs() const { return specs_; }
  const ParamSpec* Find(std::string_view name) const;
  // Validates `given` (name -> text). Unknown names are rejected with the list of valid ones;
  // values must parse as their type and lie within bounds. `where` prefixes messages.
  Result<ParamValues> Validate(const std::map<std::string, std::string>& given,
                               std::string_view where) const;

 private:
  std::vector<ParamSpec> specs_;
};

// Parses "k=v,k2=v2" into a map; an item without '=' is an error naming it.
Result<std::map<std::string, std::string>> ParseKeyValues(std::string_view text,
                                                          std::string_view where);

}  // namespace stockcast

#pragma once
// Private to the PostgreSQL store: text conversions between stockcast values and the text
// protocol, and the parts of a libpq URL the store needs (host, port, a printable form).
// Nothing here includes pqxx, so it can be unit-tested alone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stockcast::pg {

// A double as PostgreSQL reads it back to the same bits: the shortest round-trip decimal form,
// "Infinity" / "-Infinity" for the infinities. NaN is the caller's business (stored as NULL).
std::string FormatDouble(double value);
// Parses PostgreSQL's text form of a double ("1.5", "Infinity", "-Infinity", "NaN").
double ParseDouble(const char* text);

// An array literal for a `$n::type[]` parameter: {"a","b",NULL}. Elements are quoted and
// escaped, so any text is safe.
class ArrayLiteral {
 public:
  void Add(std::string_view value);
  void AddNull();
  size_t size() const { return count_; }
  std::string Done() const { return text_ + "}"; }

 private:
  std::string text_ = "{";
  size_t count_ = 0;
};

struct UrlParts {
  std::string redacted;  // the URL without any password (for messages and Store::path())
  std::string host;      // "" = libpq's default (a Unix socket)
  std::string port;      // "" = 5432
};
// Splits a postgresql:// or postgres:// URL. Returns nullopt for anything else.
std::optional<UrlParts> ParseUrl(const std::string& url);

// Current UTC time as ISO 8601 with seconds: "2024-05-01T12:34:56Z".
std::string UtcNowIso();

}  // namespace stockcast::pg

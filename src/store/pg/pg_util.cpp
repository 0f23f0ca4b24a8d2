#include "store/pg/pg_util.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <ctime>

namespace stockcast::pg {

std::string FormatDouble(double value) {
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);  // shortest form that parses back to the same double
}

double ParseDouble(const char* text) { return std::strtod(text, nullptr); }

void ArrayLiteral::Add(std::string_view value) {
  if (count_++ > 0) text_ += ',';
  text_ += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void ArrayLiteral::AddNull() {
  if (count_++ > 0) text_ += ',';
  text_ += "NULL";
}

std::optional<UrlParts> ParseUrl(const std::string& url) {
  size_t scheme_end = std::string::npos;
  if (url.rfind("postgresql://", 0) == 0) {
    scheme_end = 13;
  } else if (url.rfind("postgres://", 0) == 0) {
    scheme_end = 11;
  } else {
    return std::nullopt;
  }
  UrlParts parts;
  const size_t authority_end = url.find_first_of("/?", scheme_end);
  std::string authority = url.substr(scheme_end, authority_end == std::string::npos
                                                     ? std::string::npos
                                                     : authority_end - scheme_end);
  std::string rest = authority_end == std::string::npos ? "" : url.substr(authority_end);
  std::string userinfo;
  const size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    if (colon != std::string::npos) userinfo.resize(colon);  // drop the password
  }
  // host[:port], host may be [v6]; a list of hosts keeps the first for messages.
  std::string first = authority.substr(0, authority.find(','));
  if (!first.empty() && first.front() == '[') {
    const size_t close = first.find(']');
    parts.host = first.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    if (close != std::string::npos && close + 1 < first.size() && first[close + 1] == ':') {
      parts.port = first.substr(close + 2);
    }
  } else {
    const size_t colon = first.find(':');
    parts.host = first.substr(0, colon);
    if (colon != std::string::npos) parts.port = first.substr(colon + 1);
  }
  // password=... in the query string goes too.
  const size_t query = rest.find('?');
  if (query != std::string::npos) {
    std::string kept = rest.substr(0, query);
    std::string params = rest.substr(query + 1);
    std::string out;
    size_t start = 0;
    while (start <= params.size()) {
      size_t end = params.find('&', start);
      if (end == std::string::npos) end = params.size();
      const std::string param = params.substr(start, end - start);
      if (param.rfind("password=", 0) != 0 && !param.empty()) {
        out += out.empty() ? "" : "&";
        out += param;
      }
      if (param.rfind("host=", 0) == 0 && parts.host.empty()) parts.host = param.substr(5);
      if (param.rfind("port=", 0) == 0 && parts.port.empty()) parts.port = param.substr(5);
      start = end + 1;
    }
    rest = out.empty() ? kept : kept + "?" + out;
  }
  parts.redacted = url.substr(0, scheme_end) + (userinfo.empty() ? "" : userinfo + "@") +
                   authority + rest;
  return parts;
}

std::string UtcNowIso() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

}  // namespace stockcast::pg

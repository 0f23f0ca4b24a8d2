#include "stockcast/core/error.h"

namespace stockcast {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> ParseErrorCode(std::string_view text) {
  for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kConflict,
                      ErrorCode::kUnavailable, ErrorCode::kInternal}) {
    if (ToString(c) == text) return c;
  }
  return std::nullopt;
}

Error Error::InvalidArgument(std::string m, std::string d) {
  return {ErrorCode::kInvalidArgument, std::move(m), std::move(d)};
}
Error Error::NotFound(std::string m, std::string d) {
  return {ErrorCode::kNotFound, std::move(m), std::move(d)};
}
Error Error::Conflict(std::string m, std::string d) {
  return {ErrorCode::kConflict, std::move(m), std::move(d)};
}
Error Error::Unavailable(std::string m, std::string d) {
  return {ErrorCode::kUnavailable, std::move(m), std::move(d)};
}
Error Error::Internal(std::string m, std::string d) {
  return {ErrorCode::kInternal, std::move(m), std::move(d)};
}

std::string Describe(const Error& error) {
  std::string out(ToString(error.code));
  out += ": ";
  out += error.message;
  if (!error.details.empty()) {
    out += "\n  ";
    out += error.details;
  }
  return out;
}

void AssertFail(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "stockcast internal error: assertion %s failed at %s:%d%s%s\n", expr, file,
               line, msg ? ": " : "", msg ? msg : "");
  std::abort();
}

}  // namespace stockcast

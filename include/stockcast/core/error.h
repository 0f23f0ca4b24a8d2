#pragma once
// Errors and results. Expected failures travel as Result<T>/Status; bugs trip SC_ASSERT.
// Codes map to CLI exit codes in cli/ and to HTTP statuses in server/, each in one place.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace stockcast {

enum class ErrorCode { kInvalidArgument, kNotFound, kConflict, kUnavailable, kInternal };

std::string_view ToString(ErrorCode code);
std::optional<ErrorCode> ParseErrorCode(std::string_view text);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // what, where, which rule: "orders.csv:12:5: unterminated quoted field"
  std::string details;  // optional extra context (e.g. the offending line)

  static Error InvalidArgument(std::string message, std::string details = {});
  static Error NotFound(std::string message, std::string details = {});
  static Error Conflict(std::string message, std::string details = {});
  static Error Unavailable(std::string message, std::string details = {});
  static Error Internal(std::string message, std::string details = {});
};

// "invalid_argument: message" (+ "\n  details" when present).
std::string Describe(const Error& error);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return {}; }
  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return data_.index() == 0; }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(data_); }
  Status status() const { return ok() ? Status::Ok() : Status(error()); }

 private:
  std::variant<T, Error> data_;
};

[[noreturn]] void AssertFail(const char* expr, const char* file, int line, const char* msg);

}  // namespace stockcast

// Bugs only: never reachable from user input.
#define SC_ASSERT(cond)                                                         \
  do {                                                                          \
    if (!(cond)) ::stockcast::AssertFail(#cond, __FILE__, __LINE__, nullptr);   \
  } while (0)
#define SC_ASSERT_MSG(cond, msg)                                                \
  do {                                                                          \
    if (!(cond)) ::stockcast::AssertFail(#cond, __FILE__, __LINE__, (msg));     \
  } while (0)

// Propagate an error Status/Result from the current function.
#define SC_RETURN_IF_ERROR(expr)                      \
  do {                                                \
    auto sc_status_ = (expr);                         \
    if (!sc_status_.ok()) return sc_status_.error();  \
  } while (0)
#define SC_CONCAT_INNER_(a, b) a##b
#define SC_CONCAT_(a, b) SC_CONCAT_INNER_(a, b)
#define SC_ASSIGN_OR_RETURN(lhs, expr) \
  SC_ASSIGN_OR_RETURN_IMPL_(SC_CONCAT_(sc_result_, __LINE__), lhs, expr)
#define SC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.error();              \
  lhs = std::move(tmp).value()

#include "stockcast/io/csv_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

namespace stockcast::io {
namespace {

// Rows are collected in memory and handed to stdio in blocks of about this size.
constexpr size_t kFlushBytes = 1u << 16;
// Decimals beyond 17 carry no information for a double; clamping keeps the buffer bounded.
constexpr int kMaxDecimals = 17;

std::string ErrnoText(int err) { return err != 0 ? std::strerror(err) : "I/O error"; }

// Appends `value` in fixed notation with at most `max_decimals` decimals and no trailing zeros.
// std::to_chars is locale independent (snprintf would write "2,5" under a German locale).
void AppendNumber(std::string& out, double value, int max_decimals) {
  if (std::isnan(value)) return;
  if (std::isinf(value)) {
    out += value > 0 ? "inf" : "-inf";
    return;
  }
  max_decimals = std::clamp(max_decimals, 0, kMaxDecimals);
  // Fixed notation of the largest double has 309 integer digits.
  char buf[400];
  const auto res =
      std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, max_decimals);
  size_t n = static_cast<size_t>(res.ptr - buf);
  if (max_decimals > 0) {
    while (buf[n - 1] == '0') --n;
    if (buf[n - 1] == '.') --n;
  }
  // Rounding can leave a negative zero ("-0.0000001" with 6 decimals); write plain "0".
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {
    out += '0';
    return;
  }
  out.append(buf, n);
}

}  // namespace

void AppendCsvField(std::string& out, std::string_view text, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n'};
  if (text.find_first_of(std::string_view(special, sizeof special)) == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string FormatNumber(double value, int max_decimals) {
  std::string out;
  AppendNumber(out, value, max_decimals);
  return out;
}

Result<CsvWriter> CsvWriter::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return Error::Unavailable(
        fmt::format("cannot open {} for writing: {}", path, ErrnoText(errno)));
  }
  CsvWriter writer(file, path);
  writer.buf_.reserve(kFlushBytes + 4096);
  return writer;
}

CsvWriter::CsvWriter(CsvWriter&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      path_(std::move(other.path_)),
      buf_(std::move(other.buf_)),
      row_started_(other.row_started_),
      failed_(other.failed_) {}

CsvWriter::~CsvWriter() {
  // Close() reports errors; a writer dropped without it still releases the file.
  if (file_ != nullptr) {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), file_);
    std::fclose(file_);
  }
}

// After a failed write further output is dropped: the file is broken anyway. The block that
// failed is kept so Close() can retry it once and report the system's reason.
void CsvWriter::Sep() {
  if (row_started_) {
    buf_ += ',';
  } else {
    row_started_ = true;
  }
}

CsvWriter& CsvWriter::Field(std::string_view text) {
  if (failed_) return *this;
  Sep();
  AppendCsvField(buf_, text);
  return *this;
}

CsvWriter& CsvWriter::Field(int64_t value) {
  if (failed_) return *this;
  Sep();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  buf_.append(buf, res.ptr);
  return *this;
}

CsvWriter& CsvWriter::Field(double value, int max_decimals) {
  if (failed_) return *this;
  Sep();
  AppendNumber(buf_, value, max_decimals);
  return *this;
}

void CsvWriter::EndRow() {
  if (failed_) return;
  buf_ += '\n';
  row_started_ = false;
  FlushIfFull();
}

void CsvWriter::Row(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) Field(std::string_view(f));
  EndRow();
}

void CsvWriter::FlushIfFull() {
  if (buf_.size() < kFlushBytes || file_ == nullptr || failed_) return;
  if (std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
    failed_ = true;
    return;
  }
  buf_.clear();
}

Status CsvWriter::Close() {
  if (file_ == nullptr) return Status::Ok();
  if (row_started_ && !failed_) buf_ += '\n';  // finish a row left open rather than cut it
  row_started_ = false;
  int err = 0;
  if (!buf_.empty()) {
    if (failed_) std::clearerr(file_);
    errno = 0;
    if (std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      failed_ = true;
      err = errno;
    }
  }
  buf_.clear();
  errno = 0;
  if (std::fflush(file_) != 0) {
    failed_ = true;
    if (err == 0) err = errno;
  }
  if (std::ferror(file_) != 0) failed_ = true;
  errno = 0;
  if (std::fclose(file_) != 0) {
    failed_ = true;
    if (err == 0) err = errno;
  }
  file_ = nullptr;
  if (failed_) {
    return Error::Unavailable(fmt::format("cannot write {}: {}", path_, ErrnoText(err)));
  }
  return Status::Ok();
}

}  // namespace stockcast::io

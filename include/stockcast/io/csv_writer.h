#pragma once
// Buffered CSV writer with RFC 4180 quoting.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"

namespace stockcast::io {

class CsvWriter {
 public:
  // Creates/truncates `path`. Call Close() and check its status: it flushes.
  static Result<CsvWriter> Open(const std::string& path);
  CsvWriter(CsvWriter&& other) noexcept;
  CsvWriter& operator=(CsvWriter&&) = delete;
  ~CsvWriter();

  CsvWriter& Field(std::string_view text);  // quoted when it holds , " CR or LF
  CsvWriter& Field(int64_t value);
  CsvWriter& Field(double value, int max_decimals = 6);  // shortest form; NaN -> empty
  void EndRow();
  void Row(const std::vector<std::string>& fields);
  Status Close();
  const std::string& path() const { return path_; }

 private:
  CsvWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  void Sep();
  void FlushIfFull();
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buf_;
  bool row_started_ = false;
  bool failed_ = false;
};

// Appends `text` to `out`, quoted when it holds the delimiter, a quote, CR or LF.
void AppendCsvField(std::string& out, std::string_view text, char delimiter = ',');
// Formats a number with up to `max_decimals` decimals, trailing zeros removed ("3", "2.55").
std::string FormatNumber(double value, int max_decimals = 6);

}  // namespace stockcast::io

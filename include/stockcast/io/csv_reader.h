#pragma once
// A streaming RFC 4180 CSV reader: quoted fields with "" escapes and embedded newlines,
// UTF-8 validation, BOM, CRLF/LF/CR line ends. Records are parsed in place in a reusable
// buffer; field views stay valid until the next call to Next().
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"
#include "stockcast/io/byte_source.h"

namespace stockcast::io {

struct CsvOptions {
  char delimiter = ',';
  bool validate_utf8 = true;
  size_t max_record_bytes = 16u << 20;  // a record longer than this is an error
};

class CsvReader {
 public:
  // Opens the file and reads its header line. Errors: file missing/unreadable, empty file.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, CsvOptions options = {});
  static Result<std::unique_ptr<CsvReader>> Open(std::unique_ptr<ByteSource> source,
                                                 CsvOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::string& name() const;
  const std::vector<std::string>& header() const { return header_; }
  // Index of the header column named exactly `column`, if any.
  std::optional<size_t> FindColumn(std::string_view column) const;

  // Advances to the next data record (blank lines are skipped). Returns false at end of input.
  // Every record must have as many fields as the header.
  Result<bool> Next();

  size_t size() const { return fields_.size(); }
  std::string_view field(size_t i) const { return fields_[i]; }
  int64_t line() const { return record_line_; }  // 1-based physical line where the record starts
  int64_t records() const { return records_; }   // data records read so far
  // 1-based line and byte column where field i starts.
  int64_t FieldLine(size_t i) const;
  int64_t FieldColumn(size_t i) const;
  // "name:line:column" of field i, for error messages.
  std::string Where(size_t i) const;
  // The current record re-encoded as one CSV line (for examples in reports).
  std::string RecordText() const;
  // Progress: bytes consumed of the underlying file and its size when known.
  uint64_t consumed() const;
  std::optional<uint64_t> total() const;

 private:
  CsvReader(std::unique_ptr<ByteSource> source, CsvOptions options);
  Result<bool> ReadRecord();
  Status Fill();
  Error Fail(int64_t line, int64_t column, std::string_view rule) const;

  struct FieldInfo {
    uint32_t begin, end;  // bytes in buf_, relative to the record start
    uint32_t line;        // lines after the record's first line
    uint32_t column;      // 1-based byte column
    bool escaped;         // quoted with "" inside: unescape when the record is complete
  };
  // Parses one record at begin_. Returns 1 = complete, 0 = needs more input, or an error.
  Result<int> ParseRecord(size_t* record_end);
  Status Unescape();
  Status CheckUtf8() const;

  std::unique_ptr<ByteSource> source_;
  CsvOptions options_;
  std::vector<std::string> header_;
  std::vector<char> buf_;
  size_t begin_ = 0;  // start of unparsed data in buf_
  size_t end_ = 0;    // end of valid data in buf_
  bool eof_ = false;
  bool first_fill_ = true;
  int64_t next_line_ = 1;    // physical line at begin_
  int64_t record_line_ = 0;
  int64_t record_lines_ = 0;  // newlines inside the last parsed record's quoted fields
  int64_t records_ = 0;
  size_t record_start_ = 0;  // offset of the current record in buf_ (valid until next Next())
  std::vector<FieldInfo> info_;
  std::vector<std::string_view> fields_;
};

}  // namespace stockcast::io

#include "stockcast/io/csv_reader.h"
#include "stockcast/io/csv_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>


namespace stockcast::io {
namespace {

constexpr size_t kInitialBuffer = 1u << 20;

// Offset of the first byte that is not part of valid UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or npos.
size_t FindInvalidUtf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    // Fast path: 8 ASCII bytes at a time, none of them NUL (NUL is never text: a binary or
    // UTF-16 file).
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      const bool has_zero = ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0;
      if ((w & 0x8080808080808080ull) == 0 && !has_zero) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string::npos;
}

}  // namespace

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, CsvOptions options)
    : source_(std::move(source)), options_(options) {
  buf_.resize(kInitialBuffer);
}

CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, CsvOptions options) {
  auto source = OpenByteSource(path);
  if (!source.ok()) return source.error();
  return Open(std::move(source).value(), options);
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(std::unique_ptr<ByteSource> source,
                                                   CsvOptions options) {
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(source), options));
  auto got = reader->ReadRecord();
  if (!got.ok()) return got.error();
  if (!*got) {
    return Error::InvalidArgument(
        fmt::format("{}:1:1: file is empty; expected a header line naming the columns",
                    reader->name()));
  }
  reader->header_.reserve(reader->fields_.size());
  for (size_t i = 0; i < reader->fields_.size(); ++i) {
    std::string h(reader->fields_[i]);
    // Header names are matched exactly, but surrounding spaces are never meaningful.
    const size_t b = h.find_first_not_of(' ');
    const size_t e = h.find_last_not_of(' ');
    h = b == std::string::npos ? std::string() : h.substr(b, e - b + 1);
    for (size_t j = 0; j < reader->header_.size(); ++j) {
      if (reader->header_[j] == h && !h.empty()) {
        return Error::InvalidArgument(fmt::format(
            "{}:1:{}: duplicate column \"{}\" (also column {}); column names must be unique",
            reader->name(), reader->FieldColumn(i), h, j + 1));
      }
    }
    reader->header_.push_back(std::move(h));
  }
  reader->records_ = 0;
  return reader;
}

const std::string& CsvReader::name() const { return source_->name(); }
uint64_t CsvReader::consumed() const { return source_->consumed(); }
std::optional<uint64_t> CsvReader::total() const { return source_->total(); }

std::optional<size_t> CsvReader::FindColumn(std::string_view column) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == column) return i;
  }
  return std::nullopt;
}

Error CsvReader::Fail(int64_t line, int64_t column, std::string_view rule) const {
  return Error::InvalidArgument(fmt::format("{}:{}:{}: {}", name(), line, column, rule));
}

int64_t CsvReader::FieldLine(size_t i) const { return record_line_ + info_[i].line; }
int64_t CsvReader::FieldColumn(size_t i) const { return info_[i].column; }
std::string CsvReader::Where(size_t i) const {
  return fmt::format("{}:{}:{}", name(), FieldLine(i), FieldColumn(i));
}

std::string CsvReader::RecordText() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) out += options_.delimiter;
    AppendCsvField(out, fields_[i], options_.delimiter);
  }
  return out;
}

Status CsvReader::Fill() {
  // Keep the unparsed tail, move it to the front and read after it.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= options_.max_record_bytes) {
      return Fail(next_line_, 1,
                  fmt::format("record longer than {} bytes; is a quote left unclosed above?",
                              options_.max_record_bytes));
    }
    buf_.resize(std::min(buf_.size() * 2, options_.max_record_bytes));
  }
  auto n = source_->Read(buf_.data() + end_, buf_.size() - end_);
  if (!n.ok()) return n.error();
  if (*n == 0) eof_ = true;
  end_ += *n;
  if (first_fill_ && end_ >= 2) {
    const auto b0 = static_cast<unsigned char>(buf_[0]), b1 = static_cast<unsigned char>(buf_[1]);
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
      return Fail(1, 1,
                  "file is UTF-16 encoded (byte order mark); save it as UTF-8 (e.g. iconv -f "
                  "utf-16 -t utf-8)");
    }
  }
  if (first_fill_ && end_ >= 3) {
    first_fill_ = false;
    if (static_cast<unsigned char>(buf_[0]) == 0xEF &&
        static_cast<unsigned char>(buf_[1]) == 0xBB &&
        static_cast<unsigned char>(buf_[2]) == 0xBF) {
      begin_ = 3;  // UTF-8 byte order mark
    }
  }
  return Status::Ok();
}

namespace {

// Position of the first delimiter, '\n' or '\r' in b[pos, end), or end. Eight bytes at a
// time: a byte equal to x makes (w ^ x*0x01..01) have a zero byte, and the zero-byte test
// below flags exactly the lowest such byte (bits above it may be false positives, which the
// lowest-set-bit scan never reads). Fields are short, so this mostly saves the per-byte
// branches rather than bandwidth.
size_t FindFieldEnd(const char* b, size_t pos, size_t end, char delim) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    const uint64_t d = kOnes * static_cast<unsigned char>(delim);
    auto zero_bytes = [&](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    while (pos + 8 <= end) {
      uint64_t w;
      std::memcpy(&w, b + pos, 8);
      const uint64_t hit =
          zero_bytes(w ^ d) | zero_bytes(w ^ (kOnes * '\n')) | zero_bytes(w ^ (kOnes * '\r'));
      if (hit != 0) return pos + static_cast<size_t>(std::countr_zero(hit) / 8);
      pos += 8;
    }
  }
  while (pos < end && b[pos] != delim && b[pos] != '\n' && b[pos] != '\r') ++pos;
  return pos;
}

}  // namespace

Result<int> CsvReader::ParseRecord(size_t* record_end) {
  const char* b = buf_.data();
  const char delim = options_.delimiter;
  size_t pos = begin_;
  uint32_t line = 0;
  size_t line_start = begin_;
  info_.clear();
  for (;;) {
    FieldInfo f{static_cast<uint32_t>(pos - begin_), 0, line,
                static_cast<uint32_t>(pos - line_start + 1), false};
    if (pos < end_ && b[pos] == '"') {
      size_t q = pos + 1;
      for (;;) {
        const void* hit = std::memchr(b + q, '"', end_ - q);
        if (!hit) {
          if (!eof_) return 0;
          return Fail(next_line_ + f.line, f.column,
                      "unterminated quoted field (its opening quote is here); a field that "
                      "starts with \" must end with \" before the next delimiter or line end");
        }
        q = static_cast<const char*>(hit) - b;
        if (q + 1 == end_ && !eof_) return 0;  // cannot yet tell "" from a closing quote
        if (q + 1 < end_ && b[q + 1] == '"') {
          f.escaped = true;
          q += 2;
          continue;
        }
        break;
      }
      // Newlines inside the quotes move the line counter.
      for (const char* nl = b + pos; (nl = static_cast<const char*>(
                                          std::memchr(nl, '\n', b + q - nl))) != nullptr;
           ++nl) {
        ++line;
        line_start = nl - b + 1;
      }
      f.begin = static_cast<uint32_t>(pos + 1 - begin_);
      f.end = static_cast<uint32_t>(q - begin_);
      pos = q + 1;
      if (pos < end_ && b[pos] != delim && b[pos] != '\n' && b[pos] != '\r') {
        return Fail(next_line_ + line, static_cast<int64_t>(pos - line_start + 1),
                    fmt::format("unexpected character '{}' after a closing quote; inside a "
                                "quoted field a quote must be doubled (\"\")",
                                b[pos]));
      }
    } else {
      pos = FindFieldEnd(b, pos, end_, delim);
      f.end = static_cast<uint32_t>(pos - begin_);
    }
    if (pos == end_ && !eof_) return 0;
    info_.push_back(f);
    if (pos == end_) {  // last record without a line end
      *record_end = pos;
      record_lines_ = line;
      return 1;
    }
    const char c = b[pos];
    if (c == delim) {
      ++pos;
      continue;
    }
    if (c == '\r') {
      if (pos + 1 == end_ && !eof_) return 0;
      pos += (pos + 1 < end_ && b[pos + 1] == '\n') ? 2 : 1;
    } else {
      ++pos;  // '\n'
    }
    *record_end = pos;
    record_lines_ = line;
    return 1;
  }
}

Status CsvReader::Unescape() {
  char* b = buf_.data() + record_start_;
  for (auto& f : info_) {
    if (!f.escaped) continue;
    uint32_t w = f.begin;
    for (uint32_t r = f.begin; r < f.end; ++r, ++w) {
      b[w] = b[r];
      if (b[r] == '"') ++r;  // "" -> "
    }
    f.end = w;
  }
  return Status::Ok();
}

Status CsvReader::CheckUtf8() const {
  const auto* b = reinterpret_cast<const unsigned char*>(buf_.data() + record_start_);
  if (info_.empty()) return Status::Ok();
  // One pass over the whole record first (fields are short, so per-field calls would cost
  // more than the check); the bytes between fields are delimiters and quotes, always valid.
  // Only a record with a bad byte is rescanned field by field to say where.
  const size_t span_begin = info_.front().begin, span_end = info_.back().end;
  if (span_end >= span_begin &&
      FindInvalidUtf8(b + span_begin, span_end - span_begin) == std::string::npos) {
    return Status::Ok();
  }
  for (size_t i = 0; i < info_.size(); ++i) {
    const auto& f = info_[i];
    const size_t bad = FindInvalidUtf8(b + f.begin, f.end - f.begin);
    if (bad == std::string::npos) continue;
    // Column of the bad byte: on the field's line when the field has no newline before it.
    const std::string_view text(reinterpret_cast<const char*>(b + f.begin), bad);
    const size_t nl = text.rfind('\n');
    const int64_t line = record_line_ + f.line +
                         static_cast<int64_t>(std::count(text.begin(), text.end(), '\n'));
    const int64_t column = nl == std::string_view::npos
                               ? f.column + static_cast<int64_t>(bad) +
                                     (f.begin > 0 && b[f.begin - 1] == '"' ? 1 : 0)
                               : static_cast<int64_t>(bad - nl);
    if (b[f.begin + bad] == 0) {
      return Fail(line, column,
                  "NUL byte in a text field; the file is binary or UTF-16, not UTF-8 CSV");
    }
    return Fail(line, column,
                fmt::format("invalid UTF-8 byte 0x{:02X}; the file must be UTF-8 encoded "
                            "(convert it first, e.g. iconv -f latin1 -t utf-8)",
                            b[f.begin + bad]));
  }
  return Status::Ok();
}

Result<bool> CsvReader::ReadRecord() {
  for (;;) {
    size_t record_end = 0;
    int done = 0;
    if (begin_ < end_ || eof_) {
      if (begin_ == end_ && eof_) return false;
      auto r = ParseRecord(&record_end);
      if (!r.ok()) return r.error();
      done = *r;
    }
    if (!done) {
      SC_RETURN_IF_ERROR(Fill());
      continue;
    }
    record_start_ = begin_;
    record_line_ = next_line_;
    // Advance the physical line counter past the record.
    int64_t lines = record_lines_;
    const char last = record_end > begin_ ? buf_[record_end - 1] : '\0';
    if (last == '\n' || last == '\r') ++lines;
    next_line_ += lines;
    begin_ = record_end;
    // A blank line is not a record.
    if (info_.size() == 1 && info_[0].begin == info_[0].end &&
        (record_end == record_start_ || buf_[record_start_] == '\n' ||
         buf_[record_start_] == '\r')) {
      continue;
    }
    SC_RETURN_IF_ERROR(Unescape());
    if (options_.validate_utf8) SC_RETURN_IF_ERROR(CheckUtf8());
    fields_.clear();
    const char* b = buf_.data() + record_start_;
    for (const auto& f : info_) fields_.emplace_back(b + f.begin, f.end - f.begin);
    return true;
  }
}

Result<bool> CsvReader::Next() {
  auto got = ReadRecord();
  if (!got.ok() || !*got) return got;
  if (fields_.size() != header_.size()) {
    return Fail(record_line_, 1,
                fmt::format("expected {} fields as in the header, found {}; quote fields that "
                            "contain '{}'",
                            header_.size(), fields_.size(), options_.delimiter));
  }
  ++records_;
  return true;
}

}  // namespace stockcast::io

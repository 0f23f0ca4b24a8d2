#include "stockcast/io/byte_source.h"

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace stockcast::io {
namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(std::FILE* f, std::string name, std::optional<uint64_t> size)
      : file_(f), name_(std::move(name)), size_(size) {}
  ~FileSource() override { std::fclose(file_); }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    const size_t n = std::fread(buffer, 1, capacity, file_);
    if (n < capacity && std::ferror(file_)) {
      return Error::Unavailable(fmt::format("{}: read failed: {}", name_, std::strerror(errno)));
    }
    consumed_ += n;
    return n;
  }
  uint64_t consumed() const override { return consumed_; }
  std::optional<uint64_t> total() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  std::FILE* file_;
  std::string name_;
  std::optional<uint64_t> size_;
  uint64_t consumed_ = 0;
};

// Streams the decompressed content of a zstd file; progress is counted in compressed bytes.
class ZstdSource final : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<ByteSource> inner, std::vector<char> already_read)
      : inner_(std::move(inner)), in_(std::move(already_read)), dctx_(ZSTD_createDCtx()) {
    in_size_ = in_.size();
    in_.resize(std::max<size_t>(ZSTD_DStreamInSize(), in_.size()));
  }
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    ZSTD_outBuffer out{buffer, capacity, 0};
    while (out.pos == 0) {
      if (in_pos_ == in_size_) {
        if (inner_eof_) {
          if (!frame_done_) {
            return Error::InvalidArgument(
                fmt::format("{}: truncated zstd stream (the file ends inside a frame)", name()));
          }
          return size_t{0};
        }
        auto n = inner_->Read(in_.data(), in_.size());
        if (!n.ok()) return n.error();
        in_size_ = *n;
        in_pos_ = 0;
        if (*n == 0) {
          inner_eof_ = true;
          continue;
        }
      }
      ZSTD_inBuffer in{in_.data(), in_size_, in_pos_};
      const size_t ret = ZSTD_decompressStream(dctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(ret)) {
        return Error::InvalidArgument(
            fmt::format("{}: corrupt zstd data: {}", name(), ZSTD_getErrorName(ret)));
      }
      frame_done_ = (ret == 0);
    }
    return out.pos;
  }
  uint64_t consumed() const override { return inner_->consumed(); }
  std::optional<uint64_t> total() const override { return inner_->total(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> in_;
  size_t in_size_ = 0, in_pos_ = 0;
  bool inner_eof_ = false;
  bool frame_done_ = false;  // the magic number says a frame has begun
  ZSTD_DCtx* dctx_;
};

class StringSource final : public ByteSource {
 public:
  StringSource(std::string name, std::string data) : name_(std::move(name)), data_(std::move(data)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    const size_t n = std::min(capacity, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t consumed() const override { return pos_; }
  std::optional<uint64_t> total() const override { return data_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string name_;
  std::string data_;
  size_t pos_ = 0;
};

// Hands back bytes already read (for magic-number sniffing) before reading on.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::unique_ptr<ByteSource> inner, std::vector<char> prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (pos_ < prefix_.size()) {
      const size_t n = std::min(capacity, prefix_.size() - pos_);
      std::memcpy(buffer, prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return inner_->Read(buffer, capacity);
  }
  uint64_t consumed() const override { return inner_->consumed(); }
  std::optional<uint64_t> total() const override { return inner_->total(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> prefix_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    return Error::NotFound(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  std::optional<uint64_t> size;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long s = std::ftell(f);
    if (s >= 0) size = static_cast<uint64_t>(s);
    std::fseek(f, 0, SEEK_SET);
  }
  auto file = std::make_unique<FileSource>(f, path, size);
  std::vector<char> head(4);
  auto n = file->Read(head.data(), head.size());
  if (!n.ok()) return n.error();
  head.resize(*n);
  static constexpr unsigned char kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  if (head.size() == 4 && std::memcmp(head.data(), kZstdMagic, 4) == 0) {
    return std::unique_ptr<ByteSource>(std::make_unique<ZstdSource>(std::move(file), std::move(head)));
  }
  return std::unique_ptr<ByteSource>(std::make_unique<PrefixedSource>(std::move(file), std::move(head)));
}

std::unique_ptr<ByteSource> StringByteSource(std::string name, std::string data) {
  return std::make_unique<StringSource>(std::move(name), std::move(data));
}

}  // namespace stockcast::io

#pragma once
// Sequential byte sources: plain files, zstd-compressed files (detected by magic number, so
// "orders.csv.zst" imports directly) and in-memory strings.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "stockcast/core/error.h"

namespace stockcast::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes; returns 0 at end of input.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;
  // Bytes consumed from the underlying file so far and its total size, for progress.
  virtual uint64_t consumed() const = 0;
  virtual std::optional<uint64_t> total() const = 0;
  virtual const std::string& name() const = 0;
};

// Opens `path`; a zstd frame at the start selects streaming decompression.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);
std::unique_ptr<ByteSource> StringByteSource(std::string name, std::string data);

}  // namespace stockcast::io

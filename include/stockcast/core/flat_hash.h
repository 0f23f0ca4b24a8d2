#pragma once
// Open-addressing hash tables keyed by 64-bit integers (linear probing, power-of-two capacity,
// load <= 1/2). One flat array and no allocation per insert: the hot loops of import and
// aggregation insert hundreds of thousands of keys, where node-based std::unordered_* spend
// most of their time in malloc.
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace stockcast {

// FNV-1a over bytes, continuing from `h` (start with kFnvOffset). Cheap and byte-order stable;
// pass the result through MixHash before using its low bits for a table.
inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
inline uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Mixes a key so that keys differing only in high or low bits spread over the table
// (the splitmix64 finaliser).
inline uint64_t MixHash(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Map from uint64 keys to V; all keys allowed.
template <typename V>
class FlatMap64 {
 public:
  explicit FlatMap64(size_t expected = 16) { Rehash(Capacity(expected)); }

  // Returns the value for `key`, default-constructing it when new; *inserted tells which.
  V& Get(uint64_t key, bool* inserted = nullptr) {
    if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    size_t i = MixHash(key) & mask_;
    while (used_[i]) {
      if (slots_[i].first == key) {
        if (inserted) *inserted = false;
        return slots_[i].second;
      }
      i = (i + 1) & mask_;
    }
    used_[i] = 1;
    slots_[i] = {key, V{}};
    ++size_;
    if (inserted) *inserted = true;
    return slots_[i].second;
  }
  const V* Find(uint64_t key) const {
    size_t i = MixHash(key) & mask_;
    while (used_[i]) {
      if (slots_[i].first == key) return &slots_[i].second;
      i = (i + 1) & mask_;
    }
    return nullptr;
  }
  size_t size() const { return size_; }
  // Calls fn(key, value) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (used_[i]) fn(slots_[i].first, slots_[i].second);
    }
  }

 private:
  static size_t Capacity(size_t expected) {
    size_t c = 16;
    while (c < expected * 2) c *= 2;
    return c;
  }
  void Rehash(size_t capacity) {
    std::vector<std::pair<uint64_t, V>> old = std::move(slots_);
    std::vector<uint8_t> old_used = std::move(used_);
    slots_.assign(capacity, {});
    used_.assign(capacity, 0);
    mask_ = capacity - 1;
    size_ = 0;
    for (size_t i = 0; i < old.size(); ++i) {
      if (old_used[i]) Get(old[i].first) = std::move(old[i].second);
    }
  }
  std::vector<std::pair<uint64_t, V>> slots_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Set of uint64 keys: one array of keys, 0 marks an empty slot (the key 0 itself is stored
// as a fixed stand-in, so it is still a member).
class FlatSet64 {
 public:
  explicit FlatSet64(size_t expected = 16) {
    size_t c = 16;
    while (c * 7 < expected * 10) c *= 2;
    keys_.assign(c, 0);
  }
  // True when `key` was not yet in the set.
  bool Insert(uint64_t key) {
    if ((size_ + 1) * 10 > keys_.size() * 7) Grow();  // load <= 0.7
    if (key == 0) key = kZero;
    const size_t mask = keys_.size() - 1;
    for (size_t i = MixHash(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return false;
      if (keys_[i] == 0) {
        keys_[i] = key;
        ++size_;
        return true;
      }
    }
  }
  bool Contains(uint64_t key) const {
    if (key == 0) key = kZero;
    const size_t mask = keys_.size() - 1;
    for (size_t i = MixHash(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return true;
      if (keys_[i] == 0) return false;
    }
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kZero = 0x9e3779b97f4a7c15ull;
  void Grow() {
    std::vector<uint64_t> old(keys_.size() * 2, 0);
    old.swap(keys_);
    size_ = 0;
    for (uint64_t k : old) {
      if (k != 0) Insert(k);
    }
  }
  std::vector<uint64_t> keys_;
  size_t size_ = 0;
};

}  // namespace stockcast

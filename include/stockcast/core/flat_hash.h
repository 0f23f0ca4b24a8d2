#pragma once
// Open-addressing hash tables keyed by 64-bit integers (linear probing, power-of-two capacity,
// load <= 1/2). One flat array and no allocation per insert: the hot loops of import and
// aggregation insert hundreds of thousands of keys, where node-based std::unordered_* spend
// most of their time in malloc.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "stockcast/core/large_alloc.h"

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

// Fast in-memory hash of text, 8 bytes per step (a 64x64->128-bit multiply folded, as in
// wyhash's "mum"). Unlike Fnv1a its value depends on the machine's byte order, so it is for
// tables that live in memory (duplicate lines), never for keys that are stored. Continue from
// `h` to hash several fields; every call also mixes in the length, so ("ab", "c") and
// ("a", "bc") differ. Safe against the multiply's zero case for UTF-8 text: kWordSalt holds
// 0xFF bytes, which never occur in UTF-8, so a text word XOR the salt is never 0.
inline uint64_t HashWords(uint64_t h, std::string_view bytes) {
  constexpr uint64_t kWordSalt = 0xff51afd7ed558ccdull, kStateSalt = 0xc4ceb9fe1a85ec53ull;
  __extension__ using U128 = unsigned __int128;  // GCC/Clang; __extension__ for -Wpedantic
  auto mum = [](uint64_t a, uint64_t b) {
    const U128 r = static_cast<U128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  };
  const char* p = bytes.data();
  size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mum(w ^ kWordSalt, h ^ kStateSalt);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return mum(tail ^ kWordSalt, h ^ (kStateSalt + bytes.size()));
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

// Map from uint64 keys to V; all keys allowed. Keys and values share one array (one cache
// miss per probe); the empty-slot marker ~0 is itself a valid key, kept in a side slot.
template <typename V>
class FlatMap64 {
 public:
  explicit FlatMap64(size_t expected = 16) { Rehash(Capacity(expected)); }

  // Returns the value for `key`, default-constructing it when new; *inserted tells which.
  // The reference stays valid until the next insert.
  V& Get(uint64_t key, bool* inserted = nullptr) {
    if (key == kEmpty) {
      if (inserted) *inserted = !has_empty_key_;
      if (!has_empty_key_) {
        has_empty_key_ = true;
        empty_key_value_ = V{};
      }
      return empty_key_value_;
    }
    if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    size_t i = MixHash(key) & mask_;
    while (slots_[i].key != kEmpty) {
      if (slots_[i].key == key) {
        if (inserted) *inserted = false;
        return slots_[i].value;
      }
      i = (i + 1) & mask_;
    }
    slots_[i].key = key;
    slots_[i].value = V{};
    ++size_;
    if (inserted) *inserted = true;
    return slots_[i].value;
  }
  const V* Find(uint64_t key) const {
    if (key == kEmpty) return has_empty_key_ ? &empty_key_value_ : nullptr;
    size_t i = MixHash(key) & mask_;
    while (slots_[i].key != kEmpty) {
      if (slots_[i].key == key) return &slots_[i].value;
      i = (i + 1) & mask_;
    }
    return nullptr;
  }
  size_t size() const { return size_ + (has_empty_key_ ? 1 : 0); }
  // Calls fn(key, value) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) fn(s.key, s.value);
    }
    if (has_empty_key_) fn(kEmpty, empty_key_value_);
  }

 private:
  static constexpr uint64_t kEmpty = ~0ull;
  struct Slot {
    uint64_t key = kEmpty;
    V value{};
  };
  static size_t Capacity(size_t expected) {
    size_t c = 16;
    while (c < expected * 2) c *= 2;
    return c;
  }
  void Rehash(size_t capacity) {
    LargeVector<Slot> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    size_ = 0;
    for (Slot& s : old) {
      if (s.key == kEmpty) continue;
      size_t i = MixHash(s.key) & mask_;
      while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
      slots_[i].key = s.key;
      slots_[i].value = std::move(s.value);
      ++size_;
    }
  }
  LargeVector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;  // entries in slots_
  bool has_empty_key_ = false;
  V empty_key_value_{};
};

// Set of uint64 keys: one array of keys, 0 marks an empty slot (the key 0 itself is a member
// flag of its own).
class FlatSet64 {
 public:
  explicit FlatSet64(size_t expected = 16) {
    size_t c = 16;
    while (c * 7 < expected * 10) c *= 2;
    keys_.assign(c, 0);
  }
  // True when `key` was not yet in the set.
  bool Insert(uint64_t key) {
    if (key == 0) {
      const bool added = !has_zero_;
      has_zero_ = true;
      return added;
    }
    if ((size_ + 1) * 10 > keys_.size() * 7) Grow();  // load <= 0.7
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
    if (key == 0) return has_zero_;
    const size_t mask = keys_.size() - 1;
    for (size_t i = MixHash(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return true;
      if (keys_[i] == 0) return false;
    }
  }
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

 private:
  void Grow() {
    LargeVector<uint64_t> old(keys_.size() * 2, 0);
    old.swap(keys_);
    size_ = 0;
    for (uint64_t k : old) {
      if (k != 0) Insert(k);
    }
  }
  LargeVector<uint64_t> keys_;
  size_t size_ = 0;  // non-zero keys
  bool has_zero_ = false;
};

}  // namespace stockcast

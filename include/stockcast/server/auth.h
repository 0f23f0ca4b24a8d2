#pragma once
// API tokens and roles for `stockcast serve`.
//
// A token is "sct_" + 43 characters of URL-safe base64 of 32 random bytes (libsodium's
// randombytes_buf): 256 bits, so a fast keyed-free hash is enough to store it — the store keeps
// only BLAKE2b-256 (crypto_generichash) of the token in hex, and a lookup hashes the presented
// token and finds the row by that hash (no secret comparison in application code). A slow
// password hash (crypto_pwhash) protects low-entropy passwords against guessing; a random
// 256-bit token cannot be guessed, and a fast hash keeps every request cheap.
//
// Roles, each including the ones before it:
//   viewer   reads everything (stock, products, plans, alerts, KPIs, the API description)
//   planner  also writes movements, products, acknowledges alerts
//   admin    also manages tokens
#include <optional>
#include <string>
#include <string_view>

#include "stockcast/core/error.h"
#include "stockcast/store/store.h"

namespace stockcast::server {

enum class Role { kViewer = 0, kPlanner = 1, kAdmin = 2 };
// "viewer", "planner", "admin".
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);

// A new random token (libsodium must be initialised: InitCrypto()).
std::string NewToken();
// Hex BLAKE2b-256 of the token.
std::string HashToken(std::string_view token);
// sodium_init(); an error when libsodium cannot start (no entropy source).
Status InitCrypto();

struct CreatedToken {
  int64_t id = 0;
  std::string token;  // shown once; only its hash is stored
};
// Makes a token for `name` with `role`, stores its hash and writes the audit log (actor "cli").
// Errors: an empty name, store failures.
Result<CreatedToken> CreateToken(Store& store, const std::string& name, Role role);

}  // namespace stockcast::server

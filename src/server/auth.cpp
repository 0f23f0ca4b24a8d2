#include "stockcast/server/auth.h"

#include <fmt/format.h>
#include <sodium.h>

#include <array>

namespace stockcast::server {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kPlanner: return "planner";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kViewer, Role::kPlanner, Role::kAdmin}) {
    if (text == ToString(r)) return r;
  }
  return std::nullopt;
}

Status InitCrypto() {
  if (sodium_init() < 0) {
    return Error::Unavailable("libsodium could not start (no entropy source?); tokens need it");
  }
  return Status::Ok();
}

std::string NewToken() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes.data(), bytes.size());
  return std::string("sct_") + text.data();
}

std::string HashToken(std::string_view token) {
  std::array<unsigned char, crypto_generichash_BYTES> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  std::array<char, crypto_generichash_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return std::string(hex.data());
}

Result<CreatedToken> CreateToken(Store& store, const std::string& name, Role role) {
  if (name.empty()) {
    return Error::InvalidArgument("token name is empty; say who or what it is for (--name)");
  }
  SC_RETURN_IF_ERROR(InitCrypto());
  CreatedToken out;
  out.token = NewToken();
  TokenRecord record;
  record.name = name;
  record.role = std::string(ToString(role));
  record.hash = HashToken(out.token);
  SC_ASSIGN_OR_RETURN(out.id, store.SaveToken(record));
  AuditRecord audit;
  audit.actor = "cli";
  audit.role = "admin";
  audit.action = "token create";
  audit.status = 200;
  audit.detail = fmt::format("token {} \"{}\" with role {}", out.id, name, ToString(role));
  SC_RETURN_IF_ERROR(store.AppendAudit(audit).status());
  return out;
}

}  // namespace stockcast::server

#pragma once
// Base64 (RFC 4648, standard alphabet, '=' padding) for binary blobs inside JSON model files.
// rnn.cpp stores its weights with it, gbm.cpp its boosters.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace stockcast::forecast {

std::string Base64Encode(const void* data, size_t len);
// Nothing when `text` is not valid padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace stockcast::forecast

// Placeholder: the schemas are being written (see openapi_schemas.h).
#include "server/openapi_schemas.h"

namespace stockcast::server {

RouteSchemas SchemasFor(const std::string&, const std::string&) { return {}; }

nlohmann::json ComponentSchemas() { return nlohmann::json::object(); }

}  // namespace stockcast::server

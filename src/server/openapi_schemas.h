#pragma once
// JSON Schemas (OpenAPI 3.0 subset) of the API's request and response bodies, by route.
// server.cpp's OpenApiJson() puts them into /openapi.json; tests validate real replies
// against them.
#include <nlohmann/json.hpp>
#include <string>

namespace stockcast::server {

struct RouteSchemas {
  nlohmann::json request;   // null = no body
  nlohmann::json response;  // schema of the 2xx JSON body; null = none documented / not JSON
  int success_status = 200; // 200, 201 or 202
};

// `method` upper case ("GET"), `path` in OpenAPI form ("/api/v1/plans/{run}").
RouteSchemas SchemasFor(const std::string& method, const std::string& path);

// Shared component schemas (components.schemas), referenced as "#/components/schemas/Name".
nlohmann::json ComponentSchemas();

}  // namespace stockcast::server

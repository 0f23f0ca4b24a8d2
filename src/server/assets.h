#pragma once
// The dashboard's static files (web/), built into the binary (cmake/EmbedAssets.cmake).
#include <string_view>

namespace stockcast::server {

struct Asset {
  std::string_view path;          // "/index.html", "/assets/app.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view data;
  std::string_view etag;          // quoted, e.g. "\"3f2a...\""
};

// The embedded file at `path` ("/" means "/index.html"), or nullptr when there is none.
const Asset* FindAsset(std::string_view path);

// False when the build found no ECharts (web/node_modules missing): "/" then serves a page that
// says how to get it (scripts/web-deps.sh).
bool DashboardHasCharts();

}  // namespace stockcast::server

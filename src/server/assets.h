#pragma once
// The dashboard's static files (web/), built into the binary (cmake/EmbedAssets.cmake).
#include <cstddef>
#include <span>
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

// Every embedded file (sorted by path); without ECharts, "/index.html" is the placeholder page.
std::span<const Asset> AllAssets();

namespace detail {
// One row of the table that cmake/EmbedAssets.cmake generates (web_assets.cpp); the bytes are
// [begin, end), placed by the assembler's .incbin.
struct EmbeddedFile {
  const char* path;
  const char* content_type;
  const char* begin;
  const char* end;
  const char* etag;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;
extern const bool kEmbeddedHasCharts;
}  // namespace detail

}  // namespace stockcast::server

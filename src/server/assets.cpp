// The dashboard's files, served from the table that cmake/EmbedAssets.cmake generates.
#include "server/assets.h"

#include <algorithm>
#include <vector>

namespace stockcast::server {
namespace {

// Served at "/" when the build found no ECharts: the dashboard without charts would be half a
// page, so say how to get it instead. No script, no inline style (the CSP forbids both).
constexpr std::string_view kNoChartsPage =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>stockcast: dashboard not built</title></head><body>\n"
    "<h1>stockcast dashboard: built without ECharts</h1>\n"
    "<p>This binary was built without web/node_modules/echarts/dist/echarts.min.js, so the "
    "dashboard is not included. Run <code>scripts/web-deps.sh</code> (it runs "
    "<code>npm ci</code> in web/), then build again (<code>make build</code>).</p>\n"
    "<p>The REST API under <code>/api/v1</code> works without it.</p>\n"
    "<p lang=\"zh\">此程序构建时缺少 ECharts，仪表盘未包含在内。请运行 "
    "<code>scripts/web-deps.sh</code> 后重新构建。</p>\n"
    "</body></html>\n";
constexpr std::string_view kNoChartsEtag = "\"no-echarts\"";

std::vector<Asset> BuildTable() {
  std::vector<Asset> table;
  table.reserve(detail::kEmbeddedFileCount + 1);
  for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
    const detail::EmbeddedFile& f = detail::kEmbeddedFiles[i];
    Asset a{f.path, f.content_type,
            std::string_view(f.begin, static_cast<std::size_t>(f.end - f.begin)), f.etag};
    if (!detail::kEmbeddedHasCharts && a.path == "/index.html") continue;
    table.push_back(a);
  }
  if (!detail::kEmbeddedHasCharts) {
    table.push_back(Asset{"/index.html", "text/html; charset=utf-8", kNoChartsPage, kNoChartsEtag});
  }
  std::sort(table.begin(), table.end(),
            [](const Asset& x, const Asset& y) { return x.path < y.path; });
  return table;
}

const std::vector<Asset>& Table() {
  static const std::vector<Asset> kTable = BuildTable();
  return kTable;
}

}  // namespace

const Asset* FindAsset(std::string_view path) {
  if (path == "/") path = "/index.html";
  const std::vector<Asset>& table = Table();
  auto it = std::lower_bound(table.begin(), table.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == table.end() || it->path != path) return nullptr;
  return &*it;
}

bool DashboardHasCharts() { return detail::kEmbeddedHasCharts; }

std::span<const Asset> AllAssets() { return Table(); }

}  // namespace stockcast::server

// Placeholder until the embedded dashboard lands (issue 6, part E).
#include "server/assets.h"

namespace stockcast::server {

namespace {
constexpr Asset kIndex{"/index.html", "text/html; charset=utf-8",
                       "<!doctype html><title>stockcast</title><p>The dashboard is not built "
                       "into this binary yet.</p>",
                       "\"placeholder\""};
}  // namespace

const Asset* FindAsset(std::string_view path) {
  if (path == "/" || path == "/index.html") return &kIndex;
  return nullptr;
}

bool DashboardHasCharts() { return false; }

}  // namespace stockcast::server

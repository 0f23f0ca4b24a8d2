#include "stockcast/policy/classify.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

namespace stockcast::policy {
namespace {

constexpr char kAbc[] = {'A', 'B', 'C'};
constexpr char kXyz[] = {'X', 'Y', 'Z'};
constexpr std::string_view kCells = "AX, AY, AZ, BX, BY, BZ, CX, CY, CZ";

// Row/column of a cell "AX".."CZ" (case-insensitive).
std::optional<std::pair<int, int>> CellIndex(std::string_view cell) {
  if (cell.size() != 2) return std::nullopt;
  const char a = static_cast<char>(std::toupper(static_cast<unsigned char>(cell[0])));
  const char x = static_cast<char>(std::toupper(static_cast<unsigned char>(cell[1])));
  const auto* ra = std::find(std::begin(kAbc), std::end(kAbc), a);
  const auto* rx = std::find(std::begin(kXyz), std::end(kXyz), x);
  if (ra == std::end(kAbc) || rx == std::end(kXyz)) return std::nullopt;
  return std::make_pair(static_cast<int>(ra - kAbc), static_cast<int>(rx - kXyz));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Status AbcOptions::Validate() const {
  if (!(a_share > 0.0 && a_share <= 1.0)) {
    return Error::InvalidArgument(fmt::format("abc.a_share = {}; must be in (0, 1]", a_share));
  }
  if (!(b_share >= a_share && b_share <= 1.0)) {
    return Error::InvalidArgument(
        fmt::format("abc.b_share = {}; must be in [a_share = {}, 1]", b_share, a_share));
  }
  return Status::Ok();
}

Status XyzOptions::Validate() const {
  if (!(x_cv > 0.0) || !std::isfinite(x_cv)) {
    return Error::InvalidArgument(fmt::format("xyz.x_cv = {}; must be > 0", x_cv));
  }
  if (!(y_cv >= x_cv) || !std::isfinite(y_cv)) {
    return Error::InvalidArgument(fmt::format("xyz.y_cv = {}; must be >= x_cv = {}", y_cv, x_cv));
  }
  return Status::Ok();
}

Status ClassifyOptions::Validate() const {
  SC_RETURN_IF_ERROR(abc.Validate());
  return xyz.Validate();
}

ClassMatrix::ClassMatrix() {
  // Valuable, steady items: continuous review with tight service; erratic ones: (s, S) with
  // a slightly lower target; cheap ones: simple base stock, the erratic cheap tail by hand.
  cells_[0][0] = {"rQ", 0.98};
  cells_[0][1] = {"sS", 0.97};
  cells_[0][2] = {"sS", 0.95};
  cells_[1][0] = {"rQ", 0.95};
  cells_[1][1] = {"sS", 0.93};
  cells_[1][2] = {"sS", 0.90};
  cells_[2][0] = {"base_stock", 0.90};
  cells_[2][1] = {"base_stock", 0.88};
  cells_[2][2] = {"manual", 0.80};
}

Status ClassMatrix::Set(std::string_view cell, ClassPolicy policy) {
  const auto idx = CellIndex(cell);
  if (!idx) {
    return Error::InvalidArgument(
        fmt::format("cell \"{}\" is unknown; available: {}", cell, kCells));
  }
  if (policy.policy.empty()) {
    return Error::InvalidArgument(fmt::format("cell {}: policy is empty; must be a name", cell));
  }
  if (!(policy.service_target > 0.0 && policy.service_target < 1.0)) {
    return Error::InvalidArgument(fmt::format("cell {}: service_target = {}; must be in (0, 1)",
                                              cell, policy.service_target));
  }
  cells_[idx->first][idx->second] = std::move(policy);
  return Status::Ok();
}

Result<ClassPolicy> ClassMatrix::Get(std::string_view cell) const {
  const auto idx = CellIndex(cell);
  if (!idx) {
    return Error::InvalidArgument(
        fmt::format("cell \"{}\" is unknown; available: {}", cell, kCells));
  }
  return cells_[idx->first][idx->second];
}

Result<ClassMatrix> ClassMatrix::Parse(std::string_view text) {
  ClassMatrix m;
  if (Trim(text).empty()) return m;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = Trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const size_t colon = item.rfind(':');
    if (eq == std::string_view::npos || colon == std::string_view::npos || colon < eq) {
      return Error::InvalidArgument(fmt::format(
          "class matrix item \"{}\"; must be CELL=POLICY:TARGET, e.g. AX=rQ:0.98", item));
    }
    const std::string_view cell = Trim(item.substr(0, eq));
    const std::string_view policy = Trim(item.substr(eq + 1, colon - eq - 1));
    const std::string_view target_text = Trim(item.substr(colon + 1));
    double target = 0.0;
    const auto [ptr, ec] =
        std::from_chars(target_text.data(), target_text.data() + target_text.size(), target);
    if (ec != std::errc() || ptr != target_text.data() + target_text.size()) {
      return Error::InvalidArgument(fmt::format(
          "class matrix item \"{}\": target \"{}\" is not a number", item, target_text));
    }
    SC_RETURN_IF_ERROR(m.Set(cell, ClassPolicy{std::string(policy), target}));
    if (end == text.size()) break;
  }
  return m;
}

std::string ClassMatrix::ToString() const {
  std::string out;
  for (int a = 0; a < 3; ++a) {
    for (int x = 0; x < 3; ++x) {
      if (!out.empty()) out += ',';
      out += fmt::format("{}{}={}:{}", kAbc[a], kXyz[x], cells_[a][x].policy,
                         cells_[a][x].service_target);
    }
  }
  return out;
}

Result<std::vector<char>> AbcClasses(const std::vector<double>& values, const AbcOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  double total = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] >= 0.0) || !std::isfinite(values[i])) {
      return Error::InvalidArgument(
          fmt::format("value[{}] = {}; must be finite and >= 0", i, values[i]));
    }
    total += values[i];
  }
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] > values[b]; });
  std::vector<char> out(values.size(), 'C');
  double before = 0.0;  // share held by the items ranked above
  for (size_t i : order) {
    if (values[i] > 0.0) {
      // Relative 1e-12 slack: 0.8 summed as 0.8000000000000002 still counts as "not below".
      if (before < options.a_share - 1e-12) {
        out[i] = 'A';
      } else if (before < options.b_share - 1e-12) {
        out[i] = 'B';
      }
    }
    before += total > 0.0 ? values[i] / total : 0.0;
  }
  return out;
}

char XyzClass(const std::vector<double>& history, const XyzOptions& options, double* cv) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (cv != nullptr) *cv = nan;
  if (history.size() < 2) return 'Z';
  double mean = 0.0;
  for (double v : history) mean += v;
  mean /= static_cast<double>(history.size());
  if (!(mean > 0.0)) return 'Z';
  double ss = 0.0;
  for (double v : history) ss += (v - mean) * (v - mean);
  const double c = std::sqrt(ss / static_cast<double>(history.size() - 1)) / mean;
  if (cv != nullptr) *cv = c;
  if (c <= options.x_cv) return 'X';
  if (c <= options.y_cv) return 'Y';
  return 'Z';
}

Result<std::vector<ItemClass>> Classify(const std::vector<ItemDemand>& items,
                                        const ClassifyOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  std::vector<double> values;
  values.reserve(items.size());
  for (const auto& it : items) values.push_back(it.value);
  auto abc_result = AbcClasses(values, options.abc);
  if (!abc_result.ok()) {
    // Name the item, not just its index.
    for (size_t i = 0; i < items.size(); ++i) {
      if (!(items[i].value >= 0.0) || !std::isfinite(items[i].value)) {
        return Error::InvalidArgument(fmt::format(
            "item \"{}\": value = {}; must be finite and >= 0", items[i].id, items[i].value));
      }
    }
    return abc_result.error();
  }
  const std::vector<char>& abc = *abc_result;
  const double total = std::accumulate(values.begin(), values.end(), 0.0);
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] > values[b]; });
  std::vector<ItemClass> out(items.size());
  double cum = 0.0;
  for (size_t r = 0; r < order.size(); ++r) {
    const size_t i = order[r];
    ItemClass& c = out[i];
    c.id = items[i].id;
    c.rank = static_cast<int>(r + 1);
    c.value = items[i].value;
    c.share = total > 0.0 ? c.value / total : 0.0;
    cum += c.share;
    c.cumulative_share = std::min(1.0, cum);
    c.abc = abc[i];
  }
  for (size_t i = 0; i < items.size(); ++i) {
    ItemClass& c = out[i];
    for (size_t k = 0; k < items[i].history.size(); ++k) {
      if (!std::isfinite(items[i].history[k])) {
        return Error::InvalidArgument(fmt::format("item \"{}\": history[{}] = {}; must be finite",
                                                  items[i].id, k, items[i].history[k]));
      }
    }
    c.xyz = XyzClass(items[i].history, options.xyz, &c.cv);
    double mean = 0.0;
    for (double v : items[i].history) mean += v;
    c.mean = items[i].history.empty() ? 0.0 : mean / static_cast<double>(items[i].history.size());
    c.cell = std::string{c.abc, c.xyz};
    SC_ASSIGN_OR_RETURN(ClassPolicy p, options.matrix.Get(c.cell));
    c.policy = p.policy;
    c.service_target = p.service_target;
    std::string why_xyz;
    if (std::isnan(c.cv)) {
      why_xyz = items[i].history.size() < 2 ? "fewer than 2 periods of history"
                                            : "no demand in the history";
    } else {
      why_xyz =
          fmt::format("cv {:.3f} {} {:g}", c.cv, c.xyz == 'X' ? "<=" : (c.xyz == 'Y' ? "<=" : ">"),
                      c.xyz == 'X' ? options.xyz.x_cv : options.xyz.y_cv);
    }
    c.explanation = fmt::format(
        "{}: rank {} by value {:g} ({:.1f}% of total, cumulative {:.1f}%) -> {}; {} -> {}; "
        "class {} -> {} at {:.0f}% service",
        c.id, c.rank, c.value, 100.0 * c.share, 100.0 * c.cumulative_share, c.abc, why_xyz, c.xyz,
        c.cell, c.policy, 100.0 * c.service_target);
  }
  return out;
}

}  // namespace stockcast::policy

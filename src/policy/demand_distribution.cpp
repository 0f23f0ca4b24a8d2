#include "stockcast/policy/demand_distribution.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>
#include <utility>

#include <fmt/format.h>

#include "stockcast/forecast/distribution.h"

namespace stockcast::policy {
namespace {

constexpr double kInvSqrt2Pi = 0.3989422804014327;  // 1 / sqrt(2 pi)

double NormalPdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

bool IsWhole(double v) { return std::abs(v - std::round(v)) < 1e-9; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<double> ParseNumber(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// log P(D = k) for the parametric integer kinds.
double LogPoisson(double mean, double k) {
  return -mean + k * std::log(mean) - std::lgamma(k + 1.0);
}
double LogNegBin(double mean, double size, double k) {
  // P(k) = Gamma(k + r) / (Gamma(r) k!) (r / (r + mu))^r (mu / (r + mu))^k.
  return std::lgamma(k + size) - std::lgamma(size) - std::lgamma(k + 1.0) +
         size * std::log(size / (size + mean)) + k * std::log(mean / (size + mean));
}

// Probability table of Poisson / negbin over 0..N. Past the mode the pmf ratio
// p(k+1)/p(k) is bounded by rho < 1 for every later k, so P(D > k) <= p(k) rho / (1 - rho):
//   Poisson: p(k+1)/p(k) = mu / (k + 1), decreasing, rho = mu / (k + 1);
//   negbin:  p(k+1)/p(k) = (k + r) / (k + 1) * q, q = mu / (r + mu); (k + r)/(k + 1) decreases
//            to 1 when r >= 1 and increases to 1 when r < 1, so rho = q max(1, (k+r)/(k+1)).
// The table stops at the first k where that bound is below kPmfTail (no reliance on 1 - sum,
// which loses its last digits when the table is long).
Result<std::vector<double>> ParametricTable(DemandKind kind, double mean, double size) {
  std::vector<double> p;
  if (!(mean > 0.0)) return std::vector<double>{1.0};
  const double q = kind == DemandKind::kNegativeBinomial ? mean / (size + mean) : 0.0;
  for (int64_t k = 0;; ++k) {
    if (k >= kMaxPmfSize) {
      return Error::InvalidArgument(
          fmt::format("pmf table of {}({}) would exceed {} entries; use a normal approximation",
                      ToString(kind), mean, kMaxPmfSize));
    }
    const double kd = static_cast<double>(k);
    const double lp =
        kind == DemandKind::kPoisson ? LogPoisson(mean, kd) : LogNegBin(mean, size, kd);
    const double pk = std::exp(lp);
    p.push_back(pk);
    double rho = 1.0;
    if (kind == DemandKind::kPoisson) {
      rho = mean / (kd + 1.0);
    } else {
      rho = q * std::max(1.0, (kd + size) / (kd + 1.0));
    }
    if (rho < 1.0 && pk * rho / (1.0 - rho) < kPmfTail) break;
  }
  return p;
}

// Convolution of two probability tables over 0..N.
std::vector<double> ConvolveTables(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out(a.size() + b.size() - 1, 0.0);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == 0.0) continue;
    for (size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  }
  // Drop the far tail below kPmfTail so repeated convolutions stay short.
  double tail = 0.0;
  size_t n = out.size();
  while (n > 1 && tail + out[n - 1] < kPmfTail) {
    tail += out[n - 1];
    --n;
  }
  out.resize(n);
  return out;
}

// Sum of the supports of two finite distributions, merging equal sums (to 1e-9 relative).
Result<std::pair<std::vector<double>, std::vector<double>>> ConvolveSupports(
    const std::vector<double>& va, const std::vector<double>& pa, const std::vector<double>& vb,
    const std::vector<double>& pb) {
  constexpr size_t kMaxSupport = 1'000'000;
  if (va.size() * vb.size() > 4 * kMaxSupport) {
    return Error::InvalidArgument(fmt::format(
        "empirical convolution would need {} x {} support points; round the values to whole "
        "numbers",
        va.size(), vb.size()));
  }
  std::vector<std::pair<double, double>> sums;
  sums.reserve(va.size() * vb.size());
  for (size_t i = 0; i < va.size(); ++i) {
    for (size_t j = 0; j < vb.size(); ++j) sums.emplace_back(va[i] + vb[j], pa[i] * pb[j]);
  }
  std::sort(sums.begin(), sums.end());
  std::vector<double> v;
  std::vector<double> p;
  for (const auto& [value, prob] : sums) {
    if (!v.empty() && std::abs(value - v.back()) <= 1e-9 * std::max(1.0, std::abs(value))) {
      p.back() += prob;
    } else {
      v.push_back(value);
      p.push_back(prob);
    }
  }
  if (v.size() > kMaxSupport) {
    return Error::InvalidArgument(fmt::format(
        "empirical convolution has {} support points (limit {}); round the values to whole "
        "numbers",
        v.size(), kMaxSupport));
  }
  return std::make_pair(std::move(v), std::move(p));
}

}  // namespace

std::string_view ToString(DemandKind kind) {
  switch (kind) {
    case DemandKind::kNormal:
      return "normal";
    case DemandKind::kPoisson:
      return "poisson";
    case DemandKind::kNegativeBinomial:
      return "negbin";
    case DemandKind::kEmpirical:
      return "empirical";
  }
  return "unknown";
}

std::optional<DemandKind> ParseDemandKind(std::string_view text) {
  for (DemandKind k : {DemandKind::kNormal, DemandKind::kPoisson, DemandKind::kNegativeBinomial,
                       DemandKind::kEmpirical}) {
    if (text == ToString(k)) return k;
  }
  return std::nullopt;
}

DemandDistribution::DemandDistribution() {
  values_ = {0.0};
  probs_ = {1.0};
  FinishEmpirical();
}

Result<DemandDistribution> DemandDistribution::Normal(double mean, double sd) {
  if (!std::isfinite(mean)) {
    return Error::InvalidArgument(fmt::format("normal mean = {}; must be finite", mean));
  }
  if (!(sd >= 0.0) || !std::isfinite(sd)) {
    return Error::InvalidArgument(fmt::format("normal sd = {}; must be >= 0", sd));
  }
  DemandDistribution d;
  d.kind_ = DemandKind::kNormal;
  d.a_ = mean;
  d.b_ = sd;
  d.values_.clear();
  d.probs_.clear();
  d.cum_.clear();
  d.integer_support_ = false;
  return d;
}

Result<DemandDistribution> DemandDistribution::Poisson(double mean) {
  if (!(mean >= 0.0) || !std::isfinite(mean)) {
    return Error::InvalidArgument(fmt::format("poisson mean = {}; must be >= 0", mean));
  }
  DemandDistribution d;
  d.kind_ = DemandKind::kPoisson;
  d.a_ = mean;
  d.b_ = 0.0;
  d.values_.clear();
  d.probs_.clear();
  d.cum_.clear();
  return d;
}

Result<DemandDistribution> DemandDistribution::MomentMatched(double mean, double sd,
                                                              double count_below) {
  mean = std::max(mean, 0.0);
  sd = std::max(sd, 0.0);
  if (mean >= count_below) return Normal(mean, sd);
  if (mean <= 0.0) return Poisson(0.0);
  const double var = sd * sd;
  if (var <= mean * (1.0 + 1e-9)) return Poisson(mean);
  auto nb = NegativeBinomial(mean, mean * mean / (var - mean));
  if (nb.ok() && !nb->PmfTable().ok()) return Normal(mean, sd);
  return nb;
}

Result<DemandDistribution> DemandDistribution::NegativeBinomial(double mean, double size) {
  if (!(mean >= 0.0) || !std::isfinite(mean)) {
    return Error::InvalidArgument(fmt::format("negbin mean = {}; must be >= 0", mean));
  }
  if (!(size > 0.0) || !std::isfinite(size)) {
    return Error::InvalidArgument(
        fmt::format("negbin size = {}; must be > 0 and finite (Var = mean + mean^2 / size)", size));
  }
  DemandDistribution d;
  d.kind_ = DemandKind::kNegativeBinomial;
  d.a_ = mean;
  d.b_ = size;
  d.values_.clear();
  d.probs_.clear();
  d.cum_.clear();
  return d;
}

Result<DemandDistribution> DemandDistribution::EmpiricalSamples(
    const std::vector<double>& samples) {
  if (samples.empty()) {
    return Error::InvalidArgument("empirical samples are empty; need at least one value");
  }
  std::vector<double> probs(samples.size(), 1.0 / static_cast<double>(samples.size()));
  return EmpiricalPmf(samples, probs);
}

Result<DemandDistribution> DemandDistribution::EmpiricalPmf(
    const std::vector<double>& values, const std::vector<double>& probabilities) {
  if (values.empty()) {
    return Error::InvalidArgument("empirical values are empty; need at least one value");
  }
  if (values.size() != probabilities.size()) {
    return Error::InvalidArgument(
        fmt::format("empirical has {} values but {} probabilities; must be equal", values.size(),
                    probabilities.size()));
  }
  std::vector<std::pair<double, double>> pairs;
  pairs.reserve(values.size());
  double total = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] >= 0.0) || !std::isfinite(values[i])) {
      return Error::InvalidArgument(
          fmt::format("empirical value[{}] = {}; must be finite and >= 0", i, values[i]));
    }
    if (!(probabilities[i] >= 0.0) || !std::isfinite(probabilities[i])) {
      return Error::InvalidArgument(
          fmt::format("empirical probability[{}] = {}; must be in [0, 1]", i, probabilities[i]));
    }
    total += probabilities[i];
    pairs.emplace_back(values[i], probabilities[i]);
  }
  if (std::abs(total - 1.0) > 1e-6) {
    return Error::InvalidArgument(
        fmt::format("empirical probabilities sum to {}; must sum to 1", total));
  }
  std::sort(pairs.begin(), pairs.end());
  DemandDistribution d;
  d.kind_ = DemandKind::kEmpirical;
  d.values_.clear();
  d.probs_.clear();
  for (const auto& [v, p] : pairs) {
    if (!d.values_.empty() && v == d.values_.back()) {
      d.probs_.back() += p / total;
    } else {
      d.values_.push_back(v);
      d.probs_.push_back(p / total);
    }
  }
  d.FinishEmpirical();
  return d;
}

void DemandDistribution::FinishEmpirical() {
  cum_.resize(probs_.size());
  double c = 0.0;
  double m = 0.0;
  integer_support_ = true;
  for (size_t i = 0; i < probs_.size(); ++i) {
    c += probs_[i];
    cum_[i] = c;
    m += values_[i] * probs_[i];
    if (!IsWhole(values_[i])) integer_support_ = false;
  }
  double var = 0.0;
  for (size_t i = 0; i < probs_.size(); ++i) var += probs_[i] * (values_[i] - m) * (values_[i] - m);
  a_ = m;
  b_ = std::sqrt(var);
  // Whole values are stored exactly whole, so tables can index by them.
  if (integer_support_) {
    for (double& v : values_) v = std::round(v);
  }
}

bool DemandDistribution::integer() const {
  return kind_ == DemandKind::kPoisson || kind_ == DemandKind::kNegativeBinomial ||
         (kind_ == DemandKind::kEmpirical && integer_support_);
}

double DemandDistribution::Mean() const { return a_; }

double DemandDistribution::Variance() const {
  switch (kind_) {
    case DemandKind::kNormal:
      return b_ * b_;
    case DemandKind::kPoisson:
      return a_;
    case DemandKind::kNegativeBinomial:
      return a_ + a_ * a_ / b_;
    case DemandKind::kEmpirical:
      return b_ * b_;
  }
  return 0.0;
}

double DemandDistribution::Sd() const { return std::sqrt(Variance()); }

Result<std::vector<double>> DemandDistribution::PmfTable() const {
  switch (kind_) {
    case DemandKind::kNormal:
      return Error::InvalidArgument(
          fmt::format("pmf table needs an integer distribution; {} is continuous", ToString()));
    case DemandKind::kPoisson:
    case DemandKind::kNegativeBinomial:
      return ParametricTable(kind_, a_, b_);
    case DemandKind::kEmpirical:
      break;
  }
  if (!integer_support_) {
    return Error::InvalidArgument(fmt::format(
        "pmf table needs whole-number demand values; empirical value {} is not whole",
        *std::find_if(values_.begin(), values_.end(), [](double v) { return !IsWhole(v); })));
  }
  const double top = values_.back();
  if (top >= static_cast<double>(kMaxPmfSize)) {
    return Error::InvalidArgument(
        fmt::format("pmf table up to empirical value {} exceeds {} entries", top, kMaxPmfSize));
  }
  std::vector<double> p(static_cast<size_t>(top) + 1, 0.0);
  for (size_t i = 0; i < values_.size(); ++i) p[static_cast<size_t>(values_[i])] += probs_[i];
  return p;
}

double DemandDistribution::Cdf(double x) const {
  if (std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  switch (kind_) {
    case DemandKind::kNormal:
      if (b_ == 0.0) return x >= a_ ? 1.0 : 0.0;
      return forecast::NormalCdf((x - a_) / b_);
    case DemandKind::kPoisson:
    case DemandKind::kNegativeBinomial: {
      if (x < 0.0) return 0.0;
      auto table = PmfTable();
      SC_ASSERT(table.ok());
      const auto k = std::min(static_cast<double>(table->size() - 1), std::floor(x));
      double c = 0.0;
      for (size_t i = 0; i <= static_cast<size_t>(k); ++i) c += (*table)[i];
      return std::min(1.0, c);
    }
    case DemandKind::kEmpirical:
      break;
  }
  const auto it = std::upper_bound(values_.begin(), values_.end(), x);
  if (it == values_.begin()) return 0.0;
  return std::min(1.0, cum_[static_cast<size_t>(it - values_.begin()) - 1]);
}

double DemandDistribution::Pmf(double x) const {
  switch (kind_) {
    case DemandKind::kNormal:
      return 0.0;
    case DemandKind::kPoisson:
    case DemandKind::kNegativeBinomial: {
      if (x < 0.0 || !IsWhole(x)) return 0.0;
      if (a_ == 0.0) return x == 0.0 ? 1.0 : 0.0;
      const double k = std::round(x);
      return std::exp(kind_ == DemandKind::kPoisson ? LogPoisson(a_, k) : LogNegBin(a_, b_, k));
    }
    case DemandKind::kEmpirical:
      break;
  }
  const auto it = std::lower_bound(values_.begin(), values_.end(), x);
  if (it == values_.end() || *it != x) return 0.0;
  return probs_[static_cast<size_t>(it - values_.begin())];
}

double DemandDistribution::Quantile(double p) const {
  if (std::isnan(p)) return std::numeric_limits<double>::quiet_NaN();
  p = std::clamp(p, 0.0, 1.0);
  // The 1e-12 slack keeps F(k) = 0.8 summed as 0.79999999999 from skipping k at p = 0.8.
  constexpr double kSlack = 1e-12;
  switch (kind_) {
    case DemandKind::kNormal:
      if (b_ == 0.0) return a_;
      return a_ + b_ * forecast::NormalQuantile(p);
    case DemandKind::kPoisson:
    case DemandKind::kNegativeBinomial: {
      auto table = PmfTable();
      SC_ASSERT(table.ok());
      double c = 0.0;
      for (size_t k = 0; k < table->size(); ++k) {
        c += (*table)[k];
        if (c >= p - kSlack) return static_cast<double>(k);
      }
      return static_cast<double>(table->size() - 1);
    }
    case DemandKind::kEmpirical:
      break;
  }
  for (size_t i = 0; i < cum_.size(); ++i) {
    if (cum_[i] >= p - kSlack) return values_[i];
  }
  return values_.back();
}

double DemandDistribution::Loss(double x) const {
  switch (kind_) {
    case DemandKind::kNormal: {
      if (b_ == 0.0) return std::max(a_ - x, 0.0);
      // n(x) = sd [phi(z) - z (1 - Phi(z))], z = (x - mu) / sd (S&S, normal loss function).
      const double z = (x - a_) / b_;
      return std::max(0.0, b_ * (NormalPdf(z) - z * (1.0 - forecast::NormalCdf(z))));
    }
    case DemandKind::kPoisson:
    case DemandKind::kNegativeBinomial: {
      auto table = PmfTable();
      SC_ASSERT(table.ok());
      double s = 0.0;
      if (x < a_) {
        // n(x) = nb(x) - (x - mu): the short lower sum is exact and does not depend on the
        // truncated upper tail.
        for (size_t k = 0; k < table->size() && static_cast<double>(k) < x; ++k) {
          s += (x - static_cast<double>(k)) * (*table)[k];
        }
        return std::max(0.0, s - (x - a_));
      }
      for (size_t k = table->size(); k-- > 0;) {
        const double kd = static_cast<double>(k);
        if (kd <= x) break;
        s += (kd - x) * (*table)[k];
      }
      return s;
    }
    case DemandKind::kEmpirical:
      break;
  }
  double s = 0.0;
  for (size_t i = values_.size(); i-- > 0;) {
    if (values_[i] <= x) break;
    s += (values_[i] - x) * probs_[i];
  }
  return s;
}

double DemandDistribution::ComplementaryLoss(double x) const {
  if (kind_ == DemandKind::kNormal) return std::max(0.0, Loss(x) + x - a_);
  if (kind_ == DemandKind::kEmpirical) {
    double s = 0.0;
    for (size_t i = 0; i < values_.size() && values_[i] < x; ++i) s += (x - values_[i]) * probs_[i];
    return s;
  }
  if (x <= 0.0) return 0.0;
  if (x >= a_) return std::max(0.0, Loss(x) + x - a_);
  auto table = PmfTable();
  SC_ASSERT(table.ok());
  double s = 0.0;
  for (size_t k = 0; k < table->size() && static_cast<double>(k) < x; ++k) {
    s += (x - static_cast<double>(k)) * (*table)[k];
  }
  return s;
}

double DemandDistribution::SecondOrderLoss(double x) const {
  switch (kind_) {
    case DemandKind::kNormal: {
      if (b_ == 0.0) return 0.5 * std::pow(std::max(a_ - x, 0.0), 2);
      // n2(x) = sd^2 / 2 [(z^2 + 1)(1 - Phi(z)) - z phi(z)] (S&S).
      const double z = (x - a_) / b_;
      return std::max(
          0.0, 0.5 * b_ * b_ * ((z * z + 1.0) * (1.0 - forecast::NormalCdf(z)) - z * NormalPdf(z)));
    }
    case DemandKind::kPoisson:
    case DemandKind::kNegativeBinomial: {
      auto table = PmfTable();
      SC_ASSERT(table.ok());
      // 1/2 E[(D - x)+ (D - x - 1)+]; the terms with k - x in (0, 1] vanish at whole x.
      double s = 0.0;
      for (size_t k = 0; k < table->size(); ++k) {
        const double u = static_cast<double>(k) - x;
        if (u > 1.0) s += u * (u - 1.0) * (*table)[k];
      }
      return 0.5 * s;
    }
    case DemandKind::kEmpirical:
      break;
  }
  double s = 0.0;
  for (size_t i = 0; i < values_.size(); ++i) {
    const double u = values_[i] - x;
    if (integer_support_ ? u > 1.0 : u > 0.0) {
      s += (integer_support_ ? u * (u - 1.0) : u * u) * probs_[i];
    }
  }
  return 0.5 * s;
}

Result<DemandDistribution> DemandDistribution::Convolve(double periods) const {
  if (!(periods >= 0.0) || !std::isfinite(periods)) {
    return Error::InvalidArgument(fmt::format("periods = {}; must be >= 0", periods));
  }
  switch (kind_) {
    case DemandKind::kNormal:
      return Normal(a_ * periods, b_ * std::sqrt(periods));
    case DemandKind::kPoisson:
      return Poisson(a_ * periods);
    case DemandKind::kNegativeBinomial:
      // NB(r, q) summed L times is NB(L r, q): mean L mu, size L r.
      if (periods == 0.0) return DemandDistribution();
      return NegativeBinomial(a_ * periods, b_ * periods);
    case DemandKind::kEmpirical:
      break;
  }
  if (!IsWhole(periods)) {
    return Error::InvalidArgument(fmt::format(
        "periods = {}; an empirical distribution convolves over whole periods only", periods));
  }
  const int n = static_cast<int>(std::round(periods));
  if (n == 0) return DemandDistribution();
  if (integer_support_) {
    SC_ASSIGN_OR_RETURN(std::vector<double> base, PmfTable());
    // Binary powering: D^(n) from the tables of D^(1), D^(2), D^(4), ...
    std::vector<double> acc{1.0};
    std::vector<double> power = base;
    for (int m = n; m > 0; m >>= 1) {
      if (m & 1) acc = ConvolveTables(acc, power);
      if (m > 1) power = ConvolveTables(power, power);
      if (static_cast<int64_t>(acc.size()) > kMaxPmfSize ||
          static_cast<int64_t>(power.size()) > kMaxPmfSize) {
        return Error::InvalidArgument(fmt::format(
            "empirical convolution over {} periods exceeds {} entries", n, kMaxPmfSize));
      }
    }
    std::vector<double> values;
    std::vector<double> probs;
    double total = 0.0;
    for (size_t k = 0; k < acc.size(); ++k) {
      if (acc[k] > 0.0) {
        values.push_back(static_cast<double>(k));
        probs.push_back(acc[k]);
        total += acc[k];
      }
    }
    for (double& p : probs) p /= total;
    return EmpiricalPmf(values, probs);
  }
  std::vector<double> v = values_;
  std::vector<double> p = probs_;
  for (int i = 1; i < n; ++i) {
    SC_ASSIGN_OR_RETURN(auto next, ConvolveSupports(v, p, values_, probs_));
    v = std::move(next.first);
    p = std::move(next.second);
  }
  return EmpiricalPmf(v, p);
}

std::string DemandDistribution::ToString() const {
  switch (kind_) {
    case DemandKind::kNormal:
      return fmt::format("normal:{},{}", a_, b_);
    case DemandKind::kPoisson:
      return fmt::format("poisson:{}", a_);
    case DemandKind::kNegativeBinomial:
      return fmt::format("negbin:{},{}", a_, b_);
    case DemandKind::kEmpirical:
      break;
  }
  std::string out = "pmf:";
  for (size_t i = 0; i < values_.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{}:{}", values_[i], probs_[i]);
  }
  return out;
}

Result<DemandDistribution> DemandDistribution::Parse(std::string_view spec) {
  const std::string_view text = Trim(spec);
  const size_t colon = text.find(':');
  const std::string name = Lower(Trim(text.substr(0, colon)));
  const std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : Trim(text.substr(colon + 1));
  constexpr std::string_view kAvailable = "normal, poisson, negbin, empirical, pmf";
  if (name == "empirical") {
    if (rest.empty()) {
      return Error::InvalidArgument(
          fmt::format("\"{}\": empirical needs a file: \"empirical:FILE\"", text));
    }
    return ReadEmpiricalFile(std::string(rest));
  }
  if (name == "pmf") {
    std::vector<double> values;
    std::vector<double> probs;
    if (rest.empty()) {
      return Error::InvalidArgument(
          fmt::format("\"{}\": pmf needs value:probability pairs, e.g. \"pmf:0:0.5,2:0.5\"", text));
    }
    for (std::string_view item : Split(rest, ',')) {
      const auto parts = Split(item, ':');
      const auto v = parts.size() == 2 ? ParseNumber(parts[0]) : std::nullopt;
      const auto p = parts.size() == 2 ? ParseNumber(parts[1]) : std::nullopt;
      if (!v || !p) {
        return Error::InvalidArgument(
            fmt::format("\"{}\": pmf item \"{}\" is not value:probability", text, Trim(item)));
      }
      values.push_back(*v);
      probs.push_back(*p);
    }
    return EmpiricalPmf(values, probs);
  }
  struct Shape {
    std::string_view name;
    size_t arity;
    std::string_view params;
  };
  static constexpr std::array<Shape, 3> kShapes = {Shape{"normal", 2, "mean, sd"},
                                                   Shape{"poisson", 1, "mean"},
                                                   Shape{"negbin", 2, "mean, size"}};
  const auto shape =
      std::find_if(kShapes.begin(), kShapes.end(), [&](const Shape& s) { return s.name == name; });
  if (shape == kShapes.end()) {
    return Error::InvalidArgument(
        fmt::format("unknown demand distribution \"{}\" in \"{}\"; "
                    "available: {}",
                    name, text, kAvailable));
  }
  const auto fields = rest.empty() ? std::vector<std::string_view>{} : Split(rest, ',');
  if (fields.size() != shape->arity) {
    return Error::InvalidArgument(
        fmt::format("\"{}\": {} needs {} parameter{} ({}); got {}", text, shape->name, shape->arity,
                    shape->arity == 1 ? "" : "s", shape->params, fields.size()));
  }
  std::vector<double> x;
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto v = ParseNumber(fields[i]);
    if (!v) {
      return Error::InvalidArgument(
          fmt::format("\"{}\": parameter {} \"{}\" is not a number", text, i + 1, Trim(fields[i])));
    }
    x.push_back(*v);
  }
  if (name == "normal") return Normal(x[0], x[1]);
  if (name == "poisson") return Poisson(x[0]);
  return NegativeBinomial(x[0], x[1]);
}

Result<DemandDistribution> DemandDistribution::ReadEmpiricalFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::NotFound(fmt::format("{}: cannot open empirical demand file", path));
  std::vector<double> values;
  std::vector<double> probs;
  int pairs_mode = -1;  // -1 unknown, 0 samples, 1 value,probability
  int first_line = 0;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string_view s = line;
    const size_t hash = s.find('#');
    if (hash != std::string_view::npos) s = s.substr(0, hash);
    s = Trim(s);
    if (s.empty()) continue;
    const auto fields = Split(s, ',');
    if (values.empty() && pairs_mode == -1) {
      const std::string header = Lower(s);
      if (header == "value" || header == "value,probability" || header == "value, probability") {
        pairs_mode = fields.size() == 2 ? 1 : 0;
        continue;
      }
    }
    if (fields.size() > 2) {
      return Error::InvalidArgument(
          fmt::format("{}:{}: {} fields; expected \"value\" or \"value,probability\"", path,
                      line_no, fields.size()));
    }
    const int mode = fields.size() == 2 ? 1 : 0;
    if (pairs_mode == -1) {
      pairs_mode = mode;
      first_line = line_no;
    } else if (pairs_mode != mode) {
      return Error::InvalidArgument(
          fmt::format("{}:{}: {} but line {} {}; use one form throughout", path, line_no,
                      mode == 1 ? "has value,probability" : "has a single value",
                      first_line == 0 ? 1 : first_line,
                      pairs_mode == 1 ? "has value,probability" : "has a single value"));
    }
    const auto v = ParseNumber(fields[0]);
    if (!v) {
      return Error::InvalidArgument(
          fmt::format("{}:{}: value \"{}\" is not a number", path, line_no, Trim(fields[0])));
    }
    if (*v < 0.0) {
      return Error::InvalidArgument(
          fmt::format("{}:{}: value = {}; demand must be >= 0", path, line_no, *v));
    }
    values.push_back(*v);
    if (mode == 1) {
      const auto p = ParseNumber(fields[1]);
      if (!p) {
        return Error::InvalidArgument(fmt::format("{}:{}: probability \"{}\" is not a number", path,
                                                  line_no, Trim(fields[1])));
      }
      if (*p < 0.0 || *p > 1.0) {
        return Error::InvalidArgument(
            fmt::format("{}:{}: probability = {}; must be in [0, 1]", path, line_no, *p));
      }
      probs.push_back(*p);
    }
  }
  if (values.empty()) return Error::InvalidArgument(fmt::format("{}: no demand values", path));
  if (pairs_mode == 1) {
    double total = 0.0;
    for (double p : probs) total += p;
    if (std::abs(total - 1.0) > 1e-6) {
      return Error::InvalidArgument(
          fmt::format("{}: probabilities sum to {}; must sum to 1", path, total));
    }
    return EmpiricalPmf(values, probs);
  }
  return EmpiricalSamples(values);
}

Result<DemandDistribution> LeadTimeDemand(const DemandDistribution& per_period, double lead_mean,
                                          double lead_sd) {
  if (!(lead_mean >= 0.0) || !std::isfinite(lead_mean)) {
    return Error::InvalidArgument(fmt::format("lead_time_mean = {}; must be >= 0", lead_mean));
  }
  if (!(lead_sd >= 0.0) || !std::isfinite(lead_sd)) {
    return Error::InvalidArgument(fmt::format("lead_time_sd = {}; must be >= 0", lead_sd));
  }
  if (per_period.continuous()) {
    const double mu = per_period.Mean();
    const double sd = per_period.Sd();
    // Var(sum of L iid D) with random L: E[L] Var D + Var L (E D)^2.
    return DemandDistribution::Normal(lead_mean * mu,
                                      std::sqrt(lead_mean * sd * sd + mu * mu * lead_sd * lead_sd));
  }
  if (lead_sd == 0.0) return per_period.Convolve(lead_mean);
  if (!per_period.integer()) {
    return Error::InvalidArgument(
        fmt::format("lead_time_sd = {} with {}: a random lead time needs normal or whole-number "
                    "demand",
                    lead_sd, per_period.ToString()));
  }
  // Mixture over whole lead times l with P(l) = Phi((l + 1/2 - L)/sd) - Phi((l - 1/2 - L)/sd),
  // l from max(0, L - 6 sd) to L + 6 sd, the end points taking the outer tails.
  const int64_t lo =
      std::max<int64_t>(0, static_cast<int64_t>(std::floor(lead_mean - 6 * lead_sd)));
  const int64_t hi =
      std::max<int64_t>(lo, static_cast<int64_t>(std::ceil(lead_mean + 6 * lead_sd)));
  std::vector<double> mix;
  std::vector<double> power;  // table of D^(l), built incrementally for empirical demand
  SC_ASSIGN_OR_RETURN(std::vector<double> base, per_period.PmfTable());
  for (int64_t l = lo; l <= hi; ++l) {
    const double up = l == hi ? 1.0 : forecast::NormalCdf((l + 0.5 - lead_mean) / lead_sd);
    const double down = l == lo ? 0.0 : forecast::NormalCdf((l - 0.5 - lead_mean) / lead_sd);
    const double w = up - down;
    std::vector<double> table;
    if (per_period.kind() == DemandKind::kEmpirical) {
      if (l == lo) {
        SC_ASSIGN_OR_RETURN(DemandDistribution d_lo, per_period.Convolve(static_cast<double>(lo)));
        SC_ASSIGN_OR_RETURN(power, d_lo.PmfTable());
      } else {
        power = ConvolveTables(power, base);
      }
      table = power;
    } else {
      SC_ASSIGN_OR_RETURN(DemandDistribution d_l, per_period.Convolve(static_cast<double>(l)));
      SC_ASSIGN_OR_RETURN(table, d_l.PmfTable());
    }
    if (w <= 0.0) continue;
    if (table.size() > mix.size()) mix.resize(table.size(), 0.0);
    for (size_t k = 0; k < table.size(); ++k) mix[k] += w * table[k];
  }
  std::vector<double> values;
  std::vector<double> probs;
  double total = 0.0;
  for (size_t k = 0; k < mix.size(); ++k) {
    if (mix[k] > 0.0) {
      values.push_back(static_cast<double>(k));
      probs.push_back(mix[k]);
      total += mix[k];
    }
  }
  for (double& p : probs) p /= total;
  return DemandDistribution::EmpiricalPmf(values, probs);
}

IntegerLossTable MakeIntegerLossTable(const std::vector<double>& pmf, int64_t lo, int64_t hi) {
  SC_ASSERT(hi >= lo);
  SC_ASSERT(!pmf.empty());
  IntegerLossTable t;
  t.lo = lo;
  const size_t n = static_cast<size_t>(hi - lo + 1);
  t.cdf.resize(n);
  t.loss.resize(n);
  t.complementary_loss.resize(n);
  const int64_t top = static_cast<int64_t>(pmf.size()) - 1;
  double mean = 0.0;
  for (size_t k = 0; k < pmf.size(); ++k) mean += static_cast<double>(k) * pmf[k];
  // F(lo - 1) and nb(lo) directly, then step upwards.
  double f_prev = 0.0;  // F(y - 1)
  double nb = 0.0;      // nb(y)
  for (int64_t k = 0; k <= std::min(top, lo - 1); ++k) {
    f_prev += pmf[static_cast<size_t>(k)];
    nb += static_cast<double>(lo - k) * pmf[static_cast<size_t>(k)];
  }
  for (size_t i = 0; i < n; ++i) {
    const int64_t y = lo + static_cast<int64_t>(i);
    if (i > 0) nb += f_prev;  // nb(y) = nb(y - 1) + F(y - 1)
    const double f = f_prev + (y >= 0 && y <= top ? pmf[static_cast<size_t>(y)] : 0.0);
    t.cdf[i] = std::min(1.0, f);
    t.complementary_loss[i] = nb;
    t.loss[i] = std::max(0.0, nb - (static_cast<double>(y) - mean));
    f_prev = f;
  }
  return t;
}

}  // namespace stockcast::policy

#pragma once
// Economic order quantity family (Snyder & Shen, "Fundamentals of Supply Chain Theory", 2nd ed.,
// ch. 3). Deterministic demand at rate lambda per unit time, fixed cost K per order, holding
// cost h per unit per unit time.
//
//   EOQ                      Q* = sqrt(2 K lambda / h),       g* = sqrt(2 K lambda h)
//   planned backorders (p)   x* = h / (h + p) of each cycle's demand is backordered,
//                            Q* = sqrt(2 K lambda (h + p) / (h p)),
//                            g* = sqrt(2 K lambda h p / (h + p))
//   finite production (P)    replenishment at rate P > lambda: the inventory peak is
//                            Q (1 - rho), rho = lambda / P, so every h above becomes h (1 - rho)
//                            (EPQ; with backorders too, x* = h / (h + p) is unchanged)
//
// The cost of any Q (with the optimal backorder fraction) is
//   g(Q) = K lambda / Q + Q (1 - rho) H / 2,   H = h p / (h + p) with backorders, else h,
// split into ordering K lambda / Q, holding h Q (1 - rho)(1 - x)^2 / 2 and backorder
// p Q (1 - rho) x^2 / 2.
//
// Quantity discounts (S&S ch. 3): prices c_0 > c_1 > ... apply from breakpoints
// b_0 = 0 < b_1 < ...; holding cost is either absolute (h) or a rate i times the unit value.
//   all-units:   every unit costs c_j when Q is in [b_j, b_{j+1});
//                g_j(Q) = c_j lambda + K lambda / Q + h_j Q / 2, h_j = i c_j or h. In each
//                region the EOQ with h_j is clamped up to b_j; a region whose EOQ lies at or
//                above b_{j+1} cannot hold the optimum (the next region is cheaper there).
//   incremental: units in [b_j, b_{j+1}) cost c_j; C(Q) = cbar_j + c_j (Q - b_j), with
//                cbar_j = sum_{i<j} c_i (b_{i+1} - b_i). With A_j = K + cbar_j - c_j b_j,
//                g_j(Q) = c_j lambda + lambda A_j / Q + i (cbar_j - c_j b_j) / 2 + i c_j Q / 2
//                (rate: holding i C(Q) / 2), or c_j lambda + lambda A_j / Q + h Q / 2;
//                Q_j = sqrt(2 lambda A_j / (i c_j)) (or / h), clamped to [b_j, b_{j+1}].
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"

namespace stockcast::policy {

struct EoqOptions {
  double fixed_cost = 0;       // K > 0 per order
  double holding_cost = 0;     // h > 0 per unit per unit time
  double demand_rate = 0;      // lambda >= 0 units per unit time (0: nothing to order)
  double backorder_cost = 0;   // p > 0 per unit backordered per unit time; 0 = no backorders
  double production_rate = 0;  // P > lambda units per unit time; 0 = instant replenishment
  // "holding_cost = -1; must be > 0".
  Status Validate() const;
};

struct EoqResult {
  double order_quantity = 0;      // Q*
  double cost = 0;                // g(Q*) per unit time, without purchase cost
  double ordering_cost = 0;       // K lambda / Q
  double holding_cost = 0;        // h Q (1 - rho)(1 - x)^2 / 2
  double backorder_cost = 0;      // p Q (1 - rho) x^2 / 2
  double backorder_fraction = 0;  // x* = h / (h + p), 0 without backorders
  double max_inventory = 0;       // Q (1 - rho)(1 - x)
  double max_backorder = 0;       // Q (1 - rho) x
  double cycle_time = 0;          // Q / lambda
  double orders_per_time = 0;     // lambda / Q
  double utilisation = 0;         // rho = lambda / P, 0 with instant replenishment
  std::string explanation;
};

// The optimum of the model selected by the options (EOQ, backorders, EPQ, or both).
Result<EoqResult> Eoq(const EoqOptions& options);
// The same model's cost at a given Q > 0 (with the optimal backorder fraction x* = h / (h + p)).
Result<EoqResult> EvaluateEoq(const EoqOptions& options, double order_quantity);

enum class DiscountKind { kAllUnits, kIncremental };
// "all_units", "incremental".
std::string_view ToString(DiscountKind kind);
std::optional<DiscountKind> ParseDiscountKind(std::string_view text);

struct QuantityDiscountOptions {
  double fixed_cost = 0;            // K > 0 per order
  double demand_rate = 0;           // lambda >= 0 per unit time
  std::vector<double> breakpoints;  // b_0 = 0 < b_1 < ...: price j applies from b_j units
  std::vector<double> prices;       // c_0 > c_1 > ... > 0, one per breakpoint
  DiscountKind kind = DiscountKind::kAllUnits;
  // Exactly one of: holding_rate i > 0 (h = i x unit value) or holding_cost h > 0.
  double holding_rate = 0;
  double holding_cost = 0;
  Status Validate() const;
};

struct DiscountRegion {
  double from = 0;               // b_j
  double to = 0;                 // b_{j+1}; +inf for the last region
  double price = 0;              // c_j
  double unconstrained_eoq = 0;  // Q_j before clamping to the region
  double order_quantity = 0;     // candidate in the region (clamped); 0 when not realisable
  double cost = 0;               // g_j at the candidate (purchase included); +inf if none
  bool realisable = false;       // false: the EOQ is at or past the next breakpoint
};

struct QuantityDiscountResult {
  double order_quantity = 0;      // Q*
  int region = 0;                 // j of Q*
  double cost = 0;                // total per unit time: purchase + ordering + holding
  double purchase_cost = 0;       // lambda C(Q*) / Q*
  double ordering_cost = 0;       // K lambda / Q*
  double holding_cost = 0;        // h(Q*) Q* / 2 (value-based for a rate)
  double average_unit_price = 0;  // C(Q*) / Q*
  std::vector<DiscountRegion> regions;
  std::string explanation;
};

Result<QuantityDiscountResult> EoqQuantityDiscount(const QuantityDiscountOptions& options);

}  // namespace stockcast::policy

#pragma once
// ABC / XYZ classification and the policy matrix that maps each class to a replenishment policy
// and a service target (Silver, Pyke & Peterson 2017, ch. 2 and 7; Scholz-Reiter et al.
// 2012 for XYZ by coefficient of variation).
//
//   ABC (Pareto by value): sort items by value (e.g. annual demand x unit cost) descending; an
//     item is A when the items ranked above it hold less than a_share (default 80%) of the total
//     value, B when they hold less than b_share (95%), C otherwise. The item that crosses a
//     threshold belongs to the class below it, so one dominant item is A. Items of value 0 are C.
//   XYZ (variability): cv = sample sd / mean of the item's demand per period; X when
//     cv <= x_cv (0.5), Y when cv <= y_cv (1.0), Z otherwise (also for zero mean demand and for
//     fewer than two periods, where cv is undefined).
//   Matrix: "AX" ... "CZ" -> {policy, service target}; defaults below, each cell replaceable.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/error.h"

namespace stockcast::policy {

struct AbcOptions {
  double a_share = 0.80;  // in (0, 1]
  double b_share = 0.95;  // in [a_share, 1]
  Status Validate() const;
};

struct XyzOptions {
  double x_cv = 0.5;  // > 0
  double y_cv = 1.0;  // >= x_cv
  Status Validate() const;
};

// What a class cell prescribes.
struct ClassPolicy {
  std::string policy;         // e.g. "base_stock", "rQ", "sS", "RsS", "newsvendor", "manual"
  double service_target = 0;  // cycle service level in (0, 1)
};

// The 3 x 3 matrix of ClassPolicy, with defaults:
//   AX rQ 0.98   AY sS 0.97   AZ sS 0.95
//   BX rQ 0.95   BY sS 0.93   BZ sS 0.90
//   CX base_stock 0.90  CY base_stock 0.88  CZ manual 0.80
class ClassMatrix {
 public:
  ClassMatrix();
  // Cells are "AX".."CZ" (case-insensitive): "cell \"DX\" is unknown; available: AX, AY, ...".
  Status Set(std::string_view cell, ClassPolicy policy);
  Result<ClassPolicy> Get(std::string_view cell) const;
  // "AX=rQ:0.99,CZ=manual:0.7" applied over the defaults.
  static Result<ClassMatrix> Parse(std::string_view text);
  // All nine cells in the Parse format.
  std::string ToString() const;

 private:
  ClassPolicy cells_[3][3];
};

struct ItemDemand {
  std::string id;
  double value = 0;             // ranking value for ABC (e.g. annual revenue or cost), >= 0
  std::vector<double> history;  // demand per period for XYZ
};

struct ItemClass {
  std::string id;
  char abc = 'C';
  char xyz = 'Z';
  std::string cell;  // e.g. "AX"
  int rank = 0;      // 1 = most valuable
  double value = 0;
  double share = 0;             // value / total
  double cumulative_share = 0;  // including this item
  double mean = 0;              // of history
  double cv = 0;                // NaN when undefined
  std::string policy;           // from the matrix
  double service_target = 0;
  std::string explanation;
};

struct ClassifyOptions {
  AbcOptions abc;
  XyzOptions xyz;
  ClassMatrix matrix;
  Status Validate() const;
};

// ABC classes in input order. Errors: negative or non-finite values.
Result<std::vector<char>> AbcClasses(const std::vector<double>& values, const AbcOptions& options);
// XYZ class of one history and its cv (NaN when undefined).
char XyzClass(const std::vector<double>& history, const XyzOptions& options, double* cv = nullptr);
// Both, with the matrix cell's policy, in input order.
Result<std::vector<ItemClass>> Classify(const std::vector<ItemDemand>& items,
                                        const ClassifyOptions& options);

}  // namespace stockcast::policy

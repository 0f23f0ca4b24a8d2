#pragma once
// Readers for the master and stock files. Columns are found by header name (order does not
// matter, extra columns are ignored); required columns missing from the header are an error.
// File formats are documented in docs/formats.md.
#include <string>
#include <vector>

#include "stockcast/core/entities.h"
#include "stockcast/core/error.h"

namespace stockcast::io {

// products.csv: sku,name,category,supplier_id,unit_cost,price[,shelf_life_days][,allow_backorder]
Result<std::vector<Product>> ReadProducts(const std::string& path);
// suppliers.csv: supplier_id,name,lead_time_mean_days,lead_time_sd_days,moq,case_pack
//                [,unit_cost][,order_cost]
Result<std::vector<Supplier>> ReadSuppliers(const std::string& path);
// locations.csv: location_id,name[,capacity_units]
Result<std::vector<Location>> ReadLocations(const std::string& path);
// stock_snapshots.csv: date,sku,location,on_hand
Result<std::vector<StockSnapshot>> ReadSnapshots(const std::string& path);
// receipts.csv: po_id,sku,location,supplier_id,quantity,date[,order_date][,status]
Result<std::vector<Receipt>> ReadReceipts(const std::string& path);
// cart_adds.csv: date,sku[,location],cart_adds
Result<std::vector<CartAdds>> ReadCartAdds(const std::string& path);
// promotions.csv: sku[,location],start_date,end_date,discount
Result<std::vector<Promotion>> ReadPromotions(const std::string& path);

}  // namespace stockcast::io

// Uses a little of each layer of the installed stockcast library: core (Date), io (CsvReader),
// store (OpenSqliteStore), forecast (the model registry). Prints one line per check; the
// install test compares them. Usage: consumer WORK_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "stockcast/core/date.h"
#include "stockcast/forecast/model.h"
#include "stockcast/io/csv_reader.h"
#include "stockcast/store/store.h"
#include "stockcast/version.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer WORK_DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::printf("version %s\n", STOCKCAST_VERSION);

  auto date = stockcast::Date::Parse("2024-02-28");
  if (!date) return 1;
  std::printf("date %s weekday %d\n", (*date + 2).ToString().c_str(), (*date + 2).weekday());

  const std::string csv = (dir / "orders.csv").string();
  std::ofstream(csv) << "order_id,sku,quantity\n1,\"A,1\",2\n2,B,3\n";
  auto reader = stockcast::io::CsvReader::Open(csv);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.error().message.c_str());
    return 1;
  }
  int records = 0;
  std::string first_sku;
  for (;;) {
    auto more = (*reader)->Next();
    if (!more.ok()) {
      std::fprintf(stderr, "%s\n", more.error().message.c_str());
      return 1;
    }
    if (!*more) break;
    if (records++ == 0) first_sku = std::string((*reader)->field(1));
  }
  std::printf("csv columns %zu records %d first sku %s\n", (*reader)->header().size(), records,
              first_sku.c_str());

  auto store = stockcast::OpenSqliteStore((dir / "consumer.db").string());
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  stockcast::Product p;
  p.sku = "A,1";
  p.name = "lamp";
  p.unit_cost = 2.5;
  if (!(*store)->UpsertProducts({&p, 1}).ok()) return 1;
  auto products = (*store)->ListProducts();
  if (!products.ok()) return 1;
  std::printf("store products %zu schema %s\n", products->size(),
              (*store)->schema_version() > 0 ? "ok" : "missing");

  auto model = stockcast::forecast::CreateModel("ma:window=7");
  std::printf("model %s\n", model.ok() ? "ok" : model.error().message.c_str());
  return 0;
}

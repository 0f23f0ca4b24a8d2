// Kernels of the import path: raw CSV parsing and typed order-line reading, on an in-memory
// order export shaped like UCI Online Retail (quoted descriptions with commas included).
#include <benchmark/benchmark.h>

#include <string>

#include "stockcast/clean/order_cleaner.h"
#include "stockcast/io/csv_reader.h"
#include "stockcast/io/order_reader.h"

namespace {

using namespace stockcast;

const std::string& OrderText() {
  static const std::string text = [] {
    std::string t = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
    for (int i = 0; i < 200000; ++i) {
      const int sku = (i * 7919) % 4000;
      t += std::to_string(536365 + i / 20) + "," + std::to_string(20000 + sku) +
           (i % 9 == 0 ? ",\"SET OF 3 CAKE TINS, PANTRY DESIGN\"," : ",WHITE HANGING HEART T-LIGHT,") +
           std::to_string(1 + i % 12) + ",2011-0" + std::to_string(1 + (i / 25000) % 9) + "-1" +
           std::to_string(i % 10) + " 08:26:00,2.55," + (i % 4 ? "17850.0" : "") +
           ",United Kingdom\n";
    }
    return t;
  }();
  return text;
}

void BM_CsvParse(benchmark::State& state) {
  const std::string& text = OrderText();
  int64_t records = 0;
  for (auto _ : state) {
    auto r = io::CsvReader::Open(io::StringByteSource("b.csv", text));
    while (*(*r)->Next()) ++records;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(records);
}
BENCHMARK(BM_CsvParse)->Unit(benchmark::kMillisecond);

void BM_OrderReadAndClassify(benchmark::State& state) {
  const std::string& text = OrderText();
  const auto mapping = *io::PresetMapping("online-retail");
  clean::CleanOptions options;
  int64_t lines = 0;
  for (auto _ : state) {
    auto r = io::OrderReader::Open(io::StringByteSource("b.csv", text), mapping);
    clean::OrderCleaner cleaner(options);
    io::OrderLine line;
    while (*(*r)->Next(&line)) {
      benchmark::DoNotOptimize(cleaner.Classify(line, **r));
      ++lines;
    }
  }
  state.SetItemsProcessed(lines);
}
BENCHMARK(BM_OrderReadAndClassify)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// The real UCI Online Retail export (541,909 lines), decompressed into memory once; skipped
// when ../shared/data is absent.
const std::string* UciText() {
  static const std::string* text = []() -> const std::string* {
    auto src = stockcast::io::OpenByteSource(STOCKCAST_SHARED_DATA
                                             "/uci_online_retail/online_retail.csv.zst");
    if (!src.ok()) return nullptr;
    auto* out = new std::string;
    std::vector<char> buf(1 << 20);
    for (;;) {
      auto n = (*src)->Read(buf.data(), buf.size());
      if (!n.ok() || *n == 0) break;
      out->append(buf.data(), *n);
    }
    return out;
  }();
  return text;
}

void BM_UciReadAndClassify(benchmark::State& state) {
  const std::string* text = UciText();
  if (!text) {
    state.SkipWithError("../shared/data/uci_online_retail absent");
    return;
  }
  const auto mapping = *stockcast::io::PresetMapping("online-retail");
  stockcast::clean::CleanOptions options;
  int64_t lines = 0;
  for (auto _ : state) {
    state.PauseTiming();  // the source owns a copy of the 48 MB text: not part of the kernel
    auto source = stockcast::io::StringByteSource("uci.csv", *text);
    state.ResumeTiming();
    auto r = stockcast::io::OrderReader::Open(std::move(source), mapping);
    stockcast::clean::OrderCleaner cleaner(options);
    cleaner.BeginFile(**r);
    stockcast::io::OrderLine line;
    while (*(*r)->Next(&line)) {
      benchmark::DoNotOptimize(cleaner.Classify(line, **r));
      ++lines;
    }
  }
  state.SetItemsProcessed(lines);
}
BENCHMARK(BM_UciReadAndClassify)->Unit(benchmark::kMillisecond);

}  // namespace

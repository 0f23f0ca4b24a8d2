#include "stockcast/io/order_reader.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "test_util.h"

namespace stockcast::io {
namespace {

std::vector<OrderLine> ReadAll(OrderReader& r) {
  std::vector<OrderLine> out;
  OrderLine l;
  for (;;) {
    auto more = r.Next(&l);
    EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.error().message);
    if (!more.ok() || !*more) break;
    out.push_back(l);
  }
  return out;
}

std::unique_ptr<OrderReader> Open(const std::string& text, const OrderMapping& m) {
  auto r = OrderReader::Open(StringByteSource("orders.csv", text), m);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(OrderReaderTest, GenericPresetWithOptionalColumns) {
  auto r = Open(
      "order_id,sku,quantity,unit_price,timestamp,location,customer_id\n"
      "O1,SKU-1,2,9.90,2024-03-01 10:00:00,WH-SH,c1\n"
      "O1,SKU-2,1,5,2024-03-01 10:00:00,,\n"
      "R7,SKU-1,-1,9.90,2024-03-05T09:00:00+08:00,WH-SH,c1\n",
      *PresetMapping("generic"));
  auto lines = ReadAll(*r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(r->skus()[lines[1].sku], "SKU-2");
  EXPECT_EQ(r->locations()[lines[0].location], "WH-SH");
  EXPECT_EQ(r->locations()[lines[1].location], "MAIN");  // empty location: the default
  EXPECT_FALSE(lines[1].has_customer);
  EXPECT_DOUBLE_EQ(lines[2].quantity, -1);
  EXPECT_EQ(lines[2].date.ToString(), "2024-03-05");
  EXPECT_EQ(lines[0].order, lines[1].order);
  EXPECT_NE(lines[0].hash, lines[1].hash);
}

TEST(OrderReaderTest, OnlineRetailPresetFindsCancellationsAndSlashDates) {
  auto r = Open(
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
      "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
      "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n"
      "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n",
      *PresetMapping("online-retail"));
  auto lines = ReadAll(*r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].cancelled);
  EXPECT_TRUE(lines[1].cancelled);
  EXPECT_EQ(lines[0].date.ToString(), "2010-12-01");
  EXPECT_EQ(lines[0].seconds, 8 * 3600 + 26 * 60);
  EXPECT_EQ(lines[0].hash, lines[2].hash);  // byte-identical lines hash alike
  EXPECT_EQ(r->descriptions()[lines[0].sku], "WHITE HANGING HEART T-LIGHT HOLDER");
}

TEST(OrderReaderTest, ShopifyPresetCarriesOrderFieldsToLaterLines) {
  auto r = Open(
      "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
      "Lineitem sku,Cancelled at\n"
      "#1001,a@x.cn,paid,2024-01-15 10:23:45 -0500,2,T-shirt,19.00,TS-1,\n"
      "#1001,,,,1,Cap,9.50,CAP-1,\n"
      "#1002,b@x.cn,refunded,2024-01-16 11:00:00 -0500,1,Cap,9.50,CAP-1,2024-01-17 08:00:00 -0500\n"
      "#1002,,,,3,Socks,4.00,SO-1,\n",
      *PresetMapping("shopify"));
  auto lines = ReadAll(*r);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1].date.ToString(), "2024-01-15");
  EXPECT_TRUE(lines[1].has_customer);
  EXPECT_FALSE(lines[1].cancelled);
  EXPECT_TRUE(lines[2].cancelled);
  EXPECT_TRUE(lines[3].cancelled);  // the whole order was cancelled
  EXPECT_EQ(r->skus()[lines[3].sku], "SO-1");
}

TEST(OrderReaderTest, MappingFileForOtherExports) {
  auto m = ParseMapping(R"(
[columns]
order_id = "Bestellnummer"
sku = "Artikel"
quantity = "Menge"
unit_price = "Preis"
timestamp = "Datum"
[options]
date_order = "dmy"
delimiter = ";"
decimal_comma = true
default_location = "Berlin"
)",
                        "de.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto r = Open("Bestellnummer;Artikel;Menge;Preis;Datum\nB1;X-1;2;3,75;09.12.2011 14:30\n", *m);
  auto lines = ReadAll(*r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_DOUBLE_EQ(lines[0].unit_price, 3.75);
  EXPECT_EQ(lines[0].date.ToString(), "2011-12-09");
  EXPECT_EQ(r->locations()[lines[0].location], "Berlin");
}

TEST(OrderReaderTest, MappingFileErrorsNameKeyAndRule) {
  auto unknown = ParseMapping("[columns]\norder_id = \"a\"\nsku = \"b\"\nqty = \"c\"\n", "m.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "m.toml:4: unknown field columns.qty; available: order_id, sku, quantity, "
            "unit_price, timestamp, location, customer_id, description, cancelled");
  auto missing = ParseMapping("[columns]\norder_id = \"a\"\nsku = \"b\"\n", "m.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "m.toml: [columns] must map quantity (required fields: order_id, sku, quantity, "
            "timestamp)");
  auto bad_order = ParseMapping(
      "[columns]\norder_id=\"a\"\nsku=\"b\"\nquantity=\"c\"\ntimestamp=\"d\"\n[options]\n"
      "date_order = \"ydm\"\n",
      "m.toml");
  ASSERT_FALSE(bad_order.ok());
  EXPECT_EQ(bad_order.error().message,
            "m.toml:7: options.date_order must be \"ymd\", \"mdy\" or \"dmy\"");
  auto syntax = ParseMapping("[columns\n", "m.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().message.rfind("m.toml:1:", 0), 0u) << syntax.error().message;
}

TEST(OrderReaderTest, ParseNumberIsStrict) {
  double v = 0;
  EXPECT_TRUE(ParseNumber(" 2.55 ", false, &v));
  EXPECT_DOUBLE_EQ(v, 2.55);
  EXPECT_TRUE(ParseNumber("-80995", false, &v));
  EXPECT_TRUE(ParseNumber("+3", false, &v));
  EXPECT_TRUE(ParseNumber("1,5", true, &v));
  EXPECT_DOUBLE_EQ(v, 1.5);
  EXPECT_FALSE(ParseNumber("1,5", false, &v));
  EXPECT_FALSE(ParseNumber("", false, &v));
  EXPECT_FALSE(ParseNumber("3 units", false, &v));
  EXPECT_FALSE(ParseNumber("nan", false, &v));
}

}  // namespace
}  // namespace stockcast::io

namespace stockcast::io {
namespace {

TEST(OrderMappingTest, UciNonProductCodesBelongToTheUciPresetOnly) {
  // "B" is UCI's bad-debt code, but in a generic export it can be a real product.
  EXPECT_TRUE(PresetMapping("generic")->non_product_skus.empty());
  const auto uci = PresetMapping("online-retail")->non_product_skus;
  EXPECT_NE(std::find(uci.begin(), uci.end(), "B"), uci.end());
  auto m = ParseMapping(
      "[columns]\norder_id=\"a\"\nsku=\"b\"\nquantity=\"c\"\ntimestamp=\"d\"\n[options]\n"
      "non_product_skus = [\"FEE1\", \"GIFTWRAP\"]\n",
      "m.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->non_product_skus, (std::vector<std::string>{"FEE1", "GIFTWRAP"}));
}

}  // namespace
}  // namespace stockcast::io

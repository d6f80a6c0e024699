#include "solver/table_access.h"

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <random>
#include <vector>

using bp::solver::DeltaAccess;
using bp::solver::DeltaPair;

namespace {
// What a batch's deltas should be: per touched infoset, n regret and n
// strategy-sum deltas, summed in the order they were added.
struct Expected {
  int n = 0;
  std::vector<double> regret, strategy;
};

// Decodes a slab into first entry -> (n, regret deltas, strategy deltas).
std::map<std::uint64_t, Expected> Decode(const std::vector<std::byte>& bytes) {
  std::map<std::uint64_t, Expected> out;
  const std::byte* p = bytes.data();
  std::uint64_t previous = 0;
  bool first = true;
  while (p < bytes.data() + bytes.size()) {
    std::uint64_t header;
    std::memcpy(&header, p, sizeof(header));
    p += sizeof(header);
    const std::uint64_t base = header >> 8;
    REQUIRE((first || base > previous));  // table order
    first = false;
    previous = base;
    Expected& e = out[base];
    e.n = static_cast<int>(header & 0xff);
    for (int a = 0; a < e.n; ++a) {
      DeltaPair d;
      std::memcpy(&d, p, sizeof(d));
      p += sizeof(d);
      e.regret.push_back(d.regret);
      e.strategy.push_back(d.strategy);
    }
  }
  return out;
}
// Four batches of random touches on a table of kEntries (strategy sums on a
// prefix of kStrategyEntries), checked against a plain map.
void CheckBatches(const std::uint64_t kEntries, const std::uint64_t kStrategyEntries, const int touches) {
  std::vector<double> base(kEntries);
  for (std::uint64_t i = 0; i < kEntries; ++i) base[i] = static_cast<double>(i % 1000) - 500.0;
  DeltaAccess access(base.data(), kEntries, kStrategyEntries);
  std::mt19937_64 rng(7);
  std::uint64_t held_after_first = 0;  // memory is kept from batch to batch
  for (int batch = 0; batch < 4; ++batch) {
    std::map<std::uint64_t, Expected> expected;
    for (int touch = 0; touch < touches; ++touch) {
      const std::uint64_t infoset = rng() % (kEntries / 8);
      const std::uint64_t first = infoset * 8;
      const int n = 2 + static_cast<int>(infoset % 6);
      Expected& e = expected[first];
      if (e.n == 0) {
        e.n = n;
        e.regret.assign(n, 0.0);
        e.strategy.assign(n, 0.0);
      }
      double before[16], after[16], delta[16];
      access.Regrets(first, n, before);
      for (int a = 0; a < n; ++a) {
        REQUIRE(before[a] == base[first + a] + e.regret[a]);
        delta[a] = static_cast<double>(rng() % 17) - 8.25;
        e.regret[a] += delta[a];
      }
      access.AddRegrets(first, n, delta);
      access.Regrets(first, n, after);
      for (int a = 0; a < n; ++a) REQUIRE(after[a] == base[first + a] + e.regret[a]);
      if (first + n <= kStrategyEntries) {
        double sigma[16];
        for (int a = 0; a < n; ++a) e.strategy[a] += sigma[a] = 1.0 / n;
        access.AddStrategy(first, n, sigma);
      }
    }
    std::uint64_t entries = 0;
    for (const auto& [first, e] : expected) entries += static_cast<std::uint64_t>(e.n);
    REQUIRE(access.EmitBytes() == expected.size() * 8 + entries * sizeof(DeltaPair));
    CHECK(access.HeldBytes() <= DeltaAccess::MaxHeldBytes(kEntries, access.EmitBytes()));
    std::vector<std::byte> slab(access.EmitBytes());
    REQUIRE(access.EmitAndClear(slab.data()) == slab.size());
    const auto got = Decode(slab);
    REQUIRE(got.size() == expected.size());
    for (const auto& [first, e] : expected) {
      const Expected& g = got.at(first);
      REQUIRE(g.n == e.n);
      for (int a = 0; a < e.n; ++a) {
        CHECK(g.regret[a] == static_cast<float>(e.regret[a]));
        CHECK(g.strategy[a] == static_cast<float>(e.strategy[a]));
      }
    }
    // Cleared: nothing to emit, reads see the base table again.
    CHECK(access.EmitBytes() == 0);
    double now[16];
    access.Regrets(expected.begin()->first, expected.begin()->second.n, now);
    CHECK(now[0] == base[expected.begin()->first]);
    // Private memory follows what a batch touched, far below the table's
    // 9 bytes per entry, and does not grow from batch to batch.
    if (batch == 0) held_after_first = access.HeldBytes();
    CHECK(access.HeldBytes() == held_after_first);
  }
}
}  // namespace

TEST_CASE("deltas of a large table: a hash map overlaid on reads, emitted in table order, cleared, and sized by the batch") {
  // ~25k distinct infosets of 512k: the map grows from 1,024 slots.
  CheckBatches(std::uint64_t{1} << 22, std::uint64_t{1} << 20, 30000);
  // Private memory follows what a batch touched: a few hundred KiB per
  // thousand infosets touched, whatever the table's size.
  std::vector<double> base(std::uint64_t{1} << 24);
  DeltaAccess access(base.data(), base.size(), 0);
  const double delta[4] = {1, 2, 3, 4};
  for (std::uint64_t i = 0; i < 1000; ++i) access.AddRegrets(i * 4096, 4, delta);
  CHECK(access.HeldBytes() < 256 * 1024);
  CHECK(access.HeldBytes() <= DeltaAccess::MaxHeldBytes(base.size(), access.EmitBytes()));
}

TEST_CASE("deltas of a small table: at fixed places, overlaid on reads, emitted in table order, cleared") {
  CheckBatches(std::uint64_t{1} << 16, std::uint64_t{1} << 14, 3000);  // dense: emitted by a scan of the flags
  CheckBatches(std::uint64_t{1} << 16, std::uint64_t{1} << 14, 40);    // sparse: the touched list sorted
  // A table whose size is not a multiple of 8: the scan's tail.
  std::vector<double> base(13, 0.0);
  DeltaAccess access(base.data(), base.size());
  const double delta[2] = {1.5, -2.5};
  for (std::uint64_t first : {11, 3, 9, 0}) access.AddRegrets(first, 2, delta);
  std::vector<std::byte> slab(access.EmitBytes());
  REQUIRE(access.EmitAndClear(slab.data()) == slab.size());
  const auto got = Decode(slab);  // checks table order
  std::vector<std::uint64_t> firsts;
  for (const auto& [first, e] : got) {
    firsts.push_back(first);
    CHECK(e.n == 2);
    CHECK(e.regret == std::vector<double>{1.5, -2.5});
  }
  CHECK(firsts == std::vector<std::uint64_t>{0, 3, 9, 11});
}

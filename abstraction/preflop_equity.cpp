#include "abstraction/preflop_equity.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/core.h>

#include "abstraction/bucket_file.h"
#include "base/coding.h"
#include "abstraction/hand_indexer.h"

namespace bp::abstraction {

const base::FrameFormat kPreflopEquityFormat{"BPEQTY01",
                                             "preflop equity",
                                             2,
                                             {{1, base::FrameLayout::kNoLength, base::Checksum::Kind::kFnv1a64}},
                                             "; delete it to compute it again"};

namespace {


// 2 * wins + ties of hand a against hand b over every board of the other 48 cards.
std::uint64_t Score(const HandEvaluator& ev, Card a0, Card a1, Card b0, Card b1) {
  std::array<Card, 48> rest;
  int n = 0;
  const CardMask used = MaskOf(a0) | MaskOf(a1) | MaskOf(b0) | MaskOf(b1);
  for (int c = 0; c < kNumCards; ++c) {
    if (!(used & MaskOf(static_cast<Card>(c)))) rest[static_cast<std::size_t>(n++)] = static_cast<Card>(c);
  }
  std::array<std::uint64_t, 48> key;
  for (int i = 0; i < 48; ++i) key[static_cast<std::size_t>(i)] = ev.CardKey(rest[static_cast<std::size_t>(i)]);
  const std::uint64_t ka = ev.CardKey(a0) + ev.CardKey(a1);
  const std::uint64_t kb = ev.CardKey(b0) + ev.CardKey(b1);
  Card ha[7] = {a0, a1, 0, 0, 0, 0, 0};
  Card hb[7] = {b0, b1, 0, 0, 0, 0, 0};
  std::uint64_t score = 0;
  for (int i = 0; i < 48; ++i) {
    ha[2] = hb[2] = rest[static_cast<std::size_t>(i)];
    const std::uint64_t k1 = key[static_cast<std::size_t>(i)];
    for (int j = i + 1; j < 48; ++j) {
      ha[3] = hb[3] = rest[static_cast<std::size_t>(j)];
      const std::uint64_t k2 = k1 + key[static_cast<std::size_t>(j)];
      for (int k = j + 1; k < 48; ++k) {
        ha[4] = hb[4] = rest[static_cast<std::size_t>(k)];
        const std::uint64_t k3 = k2 + key[static_cast<std::size_t>(k)];
        for (int l = k + 1; l < 48; ++l) {
          ha[5] = hb[5] = rest[static_cast<std::size_t>(l)];
          const std::uint64_t k4 = k3 + key[static_cast<std::size_t>(l)];
          for (int m = l + 1; m < 48; ++m) {
            ha[6] = hb[6] = rest[static_cast<std::size_t>(m)];
            const std::uint64_t board = k4 + key[static_cast<std::size_t>(m)];
            const auto sa = ev.StrengthOfKey(board + ka, ha);
            const auto sb = ev.StrengthOfKey(board + kb, hb);
            score += sa > sb ? 2u : sa == sb ? 1u : 0u;
          }
        }
      }
    }
  }
  return score;
}

}  // namespace

PreflopEquity PreflopEquity::Compute(const HandEvaluator& evaluator, const ParallelFor& parallel) {
  const int rounds[] = {2, 2};
  const HandIndexer matchups(rounds);
  const std::uint64_t classes = matchups.size(1);
  // Each class is computed once, or taken as the complement of its mirror
  // (b against a) when that class comes first.
  std::vector<std::uint64_t> mirror(classes);
  for (std::uint64_t c = 0; c < classes; ++c) {
    Card cards[4];
    matchups.Unindex(1, c, cards);
    const Card swapped[4] = {cards[2], cards[3], cards[0], cards[1]};
    mirror[c] = matchups.Index(1, swapped);
  }
  constexpr std::uint64_t kBoards = 1712304;
  std::vector<double> equity(classes, 0);
  constexpr std::uint64_t kPerTask = 64;
  parallel((classes + kPerTask - 1) / kPerTask, [&](std::size_t t) {
    for (std::uint64_t c = t * kPerTask; c < std::min(classes, (t + 1) * kPerTask); ++c) {
      if (mirror[c] < c) continue;
      Card cards[4];
      matchups.Unindex(1, c, cards);
      equity[c] = static_cast<double>(Score(evaluator, cards[0], cards[1], cards[2], cards[3])) / (2.0 * kBoards);
    }
  });
  for (std::uint64_t c = 0; c < classes; ++c) {
    if (mirror[c] < c) equity[c] = 1.0 - equity[mirror[c]];
  }
  PreflopEquity out;
  out.table_.assign(static_cast<std::size_t>(kNumHolePairs) * kNumHolePairs, 0.0f);
  for (int a = 0; a < kNumHolePairs; ++a) {
    const auto ca = HolePairCards(a);
    for (int b = 0; b < kNumHolePairs; ++b) {
      const auto cb = HolePairCards(b);
      if (ca[0] == cb[0] || ca[0] == cb[1] || ca[1] == cb[0] || ca[1] == cb[1]) continue;
      const Card cards[4] = {ca[0], ca[1], cb[0], cb[1]};
      out.table_[static_cast<std::size_t>(a) * kNumHolePairs + static_cast<std::size_t>(b)] =
          static_cast<float>(equity[matchups.Index(1, cards)]);
    }
  }
  return out;
}

PreflopEquity PreflopEquity::Empty() {
  PreflopEquity out;
  out.table_.assign(static_cast<std::size_t>(kNumHolePairs) * kNumHolePairs, 0.0f);
  return out;
}

void PreflopEquity::Save(const std::string& path) const {
  const std::uint64_t bytes = table_.size() * sizeof(float);
  try {
    base::WriteFramedFile(path, kPreflopEquityFormat, 8 + bytes, [&](base::FileSink& out) {
      out.Put<std::uint32_t>(kNumHolePairs);
      out.Put<std::uint32_t>(0);
      out.Write(table_.data(), bytes);
    });
  } catch (const base::FileError& e) {
    throw AssetError(e.what());
  }
}

PreflopEquity PreflopEquity::Load(const std::string& path) {
  std::string bytes;
  try {
    bytes = base::ReadWholeFile(path, kPreflopEquityFormat);
  } catch (const base::FileError& e) {
    throw AssetError(e.what());
  }
  return Decode(bytes, path);
}

PreflopEquity PreflopEquity::Decode(std::span<const char> file, const std::string& path) {
  base::FrameView frame;
  try {
    frame = base::CheckFrame(file, kPreflopEquityFormat, path);
  } catch (const base::FileError& e) {
    throw AssetError(e.what());
  }
  // Version 1 kept the pair count in its header word, version 2 in the body.
  const bool v1 = frame.layout == base::FrameLayout::kNoLength;
  const std::size_t skip = v1 ? 0 : std::min<std::size_t>(8, frame.body.size());
  const auto pairs = skip < 8 && !v1 ? 0 : base::GetFixed<std::uint32_t>(v1 ? frame.file.data() + 12 : frame.body.data());
  const std::span<const char> table = frame.body.subspan(skip);
  const std::size_t expected = static_cast<std::size_t>(kNumHolePairs) * kNumHolePairs * sizeof(float);
  if (pairs != kNumHolePairs || table.size() != expected) {
    throw AssetError(fmt::format("{}: {} pairs and {} bytes of equities, expected {} pairs and {} bytes", path, pairs,
                                 table.size(), kNumHolePairs, expected));
  }
  PreflopEquity out;
  out.table_.resize(static_cast<std::size_t>(kNumHolePairs) * kNumHolePairs);
  std::memcpy(out.table_.data(), table.data(), expected);
  return out;
}

}  // namespace bp::abstraction

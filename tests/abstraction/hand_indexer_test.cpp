#include "abstraction/hand_indexer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "solver/rng.h"

using namespace bp::abstraction;

namespace {

constexpr std::array<std::uint64_t, 4> kBoardAsSetSizes = {169, 1286792, 13960050, 123156254};
constexpr std::array<std::uint64_t, 4> kSplitBoardSizes = {169, 1286792, 55190538, 2428287420ULL};

Card Permute(Card c, const std::array<int, 4>& perm) { return MakeCard(RankOf(c), perm[SuitOf(c)]); }

std::array<int, 4> RandomPermutation(bp::solver::Rng& rng) {
  std::array<int, 4> p = {0, 1, 2, 3};
  for (int i = 3; i > 0; --i) std::swap(p[i], p[rng.UniformBelow(static_cast<std::uint64_t>(i + 1))]);
  return p;
}

// Deals 2 + board distinct random cards.
void RandomHand(bp::solver::Rng& rng, int board_cards, Card* hole, Card* board) {
  CardMask used = 0;
  auto draw = [&] {
    Card c;
    do c = static_cast<Card>(rng.UniformBelow(52));
    while (used & MaskOf(c));
    used |= MaskOf(c);
    return c;
  };
  hole[0] = draw();
  hole[1] = draw();
  for (int i = 0; i < board_cards; ++i) board[i] = draw();
}

// The class of a hand by brute force: the smallest (hole mask, per-round
// board masks) over all 24 suit permutations.
std::array<CardMask, 4> BruteCanonical(IsomorphismMode mode, int street, const Card* hole, const Card* board) {
  std::array<CardMask, 4> best{};
  bool first = true;
  std::array<int, 4> perm = {0, 1, 2, 3};
  do {
    std::array<CardMask, 4> m{};
    m[0] = MaskOf(Permute(hole[0], perm)) | MaskOf(Permute(hole[1], perm));
    for (int i = 0; i < kBoardCards[street]; ++i) {
      const int round = mode == IsomorphismMode::kBoardAsSet ? 1 : (i < 3 ? 1 : i == 3 ? 2 : 3);
      m[round] |= MaskOf(Permute(board[i], perm));
    }
    if (first || m < best) best = m;
    first = false;
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

}  // namespace

TEST_CASE("class counts per street: board as one set and board split by street") {
  const HoldemIndexer as_set(IsomorphismMode::kBoardAsSet);
  const HoldemIndexer split(IsomorphismMode::kSplitBoard);
  for (int street = 0; street < 4; ++street) {
    CAPTURE(street);
    CHECK(as_set.size(street) == kBoardAsSetSizes[street]);
    CHECK(split.size(street) == kSplitBoardSizes[street]);
  }
}

TEST_CASE("preflop: 169 classes; pairs, suited and offsuit hands") {
  const HoldemIndexer indexer(IsomorphismMode::kBoardAsSet);
  std::vector<int> hits(169, 0);
  for (int a = 0; a < 52; ++a)
    for (int b = 0; b < 52; ++b) {
      if (a == b) continue;
      const Card hole[2] = {static_cast<Card>(a), static_cast<Card>(b)};
      const auto i = indexer.Index(0, hole, nullptr);
      REQUIRE(i < 169);
      ++hits[i];
    }
  // Ordered pairs: 12 per pair class (6 combos), 8 per suited (4), 24 per offsuit (12).
  int pairs = 0, suited = 0, offsuit = 0;
  for (int h : hits) {
    pairs += h == 12;
    suited += h == 8;
    offsuit += h == 24;
  }
  CHECK(pairs == 13);
  CHECK(suited == 78);
  CHECK(offsuit == 78);
  auto index = [&](const char* text) {
    const CardMask m = *ParseCards(text);
    Card hole[2] = {static_cast<Card>(std::countr_zero(m)), static_cast<Card>(63 - std::countl_zero(m))};
    return indexer.Index(0, hole, nullptr);
  };
  CHECK(index("AsKs") == index("AhKh"));
  CHECK(index("AsKd") == index("AcKh"));
  CHECK(index("AsKs") != index("AsKd"));
  CHECK(index("2c2d") == index("2h2s"));
}

TEST_CASE("flop: every one of the 25,989,600 hands indexes below 1,286,792, every index is hit, and a suit permutation keeps it") {
  for (IsomorphismMode mode : {IsomorphismMode::kBoardAsSet, IsomorphismMode::kSplitBoard}) {
    const HoldemIndexer indexer(mode);
    std::vector<std::uint8_t> hit(indexer.size(1), 0);
    bp::solver::Rng rng(5);
    std::uint64_t out_of_range = 0, not_invariant = 0;
    for (int h0 = 0; h0 < 52; ++h0)
      for (int h1 = h0 + 1; h1 < 52; ++h1)
        for (int b0 = 0; b0 < 52; ++b0)
          for (int b1 = b0 + 1; b1 < 52; ++b1)
            for (int b2 = b1 + 1; b2 < 52; ++b2) {
              const CardMask m = MaskOf(h0) | MaskOf(h1) | MaskOf(b0) | MaskOf(b1) | MaskOf(b2);
              if (CountCards(m) != 5) continue;
              const Card hole[2] = {static_cast<Card>(h0), static_cast<Card>(h1)};
              const Card board[3] = {static_cast<Card>(b0), static_cast<Card>(b1), static_cast<Card>(b2)};
              const auto i = indexer.Index(1, hole, board);
              if (i >= hit.size()) {
                ++out_of_range;
                continue;
              }
              hit[i] = 1;
              const auto perm = RandomPermutation(rng);
              // Permuted, and each group in another order.
              const Card hole_p[2] = {Permute(hole[1], perm), Permute(hole[0], perm)};
              const Card board_p[3] = {Permute(board[2], perm), Permute(board[0], perm), Permute(board[1], perm)};
              not_invariant += indexer.Index(1, hole_p, board_p) != i;
            }
    CHECK(out_of_range == 0);
    CHECK(not_invariant == 0);
    CHECK(std::count(hit.begin(), hit.end(), 1) == static_cast<long>(indexer.size(1)));
  }
}

TEST_CASE("round trip index -> hand -> index on every preflop and flop index and 200,000 sampled turn and river indices") {
  for (IsomorphismMode mode : {IsomorphismMode::kBoardAsSet, IsomorphismMode::kSplitBoard}) {
    const HoldemIndexer indexer(mode);
    bp::solver::Rng rng(17);
    for (int street = 0; street < 4; ++street) {
      CAPTURE(street);
      const bool exhaustive = street < 2;
      const std::uint64_t n = exhaustive ? indexer.size(street) : 200000;
      std::uint64_t mismatches = 0, malformed = 0;
      for (std::uint64_t k = 0; k < n; ++k) {
        const std::uint64_t i = exhaustive ? k : rng.UniformBelow(indexer.size(street));
        Card hole[2], board[5];
        indexer.Unindex(street, i, hole, board);
        CardMask m = MaskOf(hole[0]) | MaskOf(hole[1]);
        for (int c = 0; c < kBoardCards[street]; ++c) m |= MaskOf(board[c]);
        malformed += CountCards(m) != 2 + kBoardCards[street];
        mismatches += indexer.Index(street, hole, board) != i;
      }
      CHECK(malformed == 0);
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("random turn and river hands: suit-permuted hands share an index, and the index's hand is of the same class") {
  for (IsomorphismMode mode : {IsomorphismMode::kBoardAsSet, IsomorphismMode::kSplitBoard}) {
    const HoldemIndexer indexer(mode);
    bp::solver::Rng rng(23);
    for (int street = 2; street < 4; ++street) {
      CAPTURE(street);
      const int nb = kBoardCards[street];
      std::uint64_t not_invariant = 0, wrong_class = 0;
      for (int trial = 0; trial < 50000; ++trial) {
        Card hole[2], board[5];
        RandomHand(rng, nb, hole, board);
        const auto i = indexer.Index(street, hole, board);
        REQUIRE(i < indexer.size(street));
        const auto perm = RandomPermutation(rng);
        Card hole_p[2] = {Permute(hole[1], perm), Permute(hole[0], perm)};
        Card board_p[5];
        for (int c = 0; c < nb; ++c) board_p[c] = Permute(board[c], perm);
        // Cards within the flop may come in any order, and in board-as-set
        // mode the whole board may.
        const int reversed = mode == IsomorphismMode::kBoardAsSet ? nb : 3;
        for (int c = 0; c < reversed / 2; ++c) std::swap(board_p[c], board_p[reversed - 1 - c]);
        not_invariant += indexer.Index(street, hole_p, board_p) != i;
        Card hole_u[2], board_u[5];
        indexer.Unindex(street, i, hole_u, board_u);
        wrong_class += BruteCanonical(mode, street, hole, board) != BruteCanonical(mode, street, hole_u, board_u);
      }
      CHECK(not_invariant == 0);
      CHECK(wrong_class == 0);
    }
  }
}

TEST_CASE("split mode tells the turn card apart from the flop; board-as-set mode does not") {
  const auto hole = *ParseCards("AsKs");
  Card h[2] = {static_cast<Card>(std::countr_zero(hole)), static_cast<Card>(63 - std::countl_zero(hole))};
  const Card flop_then_turn_a[4] = {*ParseCard("Qs"), *ParseCard("7d"), *ParseCard("2c"), *ParseCard("Js")};
  const Card flop_then_turn_b[4] = {*ParseCard("Js"), *ParseCard("7d"), *ParseCard("2c"), *ParseCard("Qs")};
  const HoldemIndexer as_set(IsomorphismMode::kBoardAsSet);
  const HoldemIndexer split(IsomorphismMode::kSplitBoard);
  CHECK(as_set.Index(2, h, flop_then_turn_a) == as_set.Index(2, h, flop_then_turn_b));
  CHECK(split.Index(2, h, flop_then_turn_a) != split.Index(2, h, flop_then_turn_b));
}

TEST_CASE("HandIndexer rejects impossible round layouts") {
  CHECK_THROWS(HandIndexer(std::vector<int>{}));
  CHECK_THROWS(HandIndexer(std::vector<int>{2, 3, 1, 1, 1}));
  CHECK_THROWS(HandIndexer(std::vector<int>{2, 0}));
  CHECK_THROWS(HandIndexer(std::vector<int>{4, 4}));
}

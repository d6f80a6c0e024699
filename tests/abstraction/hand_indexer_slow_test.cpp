// Slow: the round trip index -> hand -> index on every turn index of both
// modes and every river index of the board-as-set mode (the one card
// abstraction enumerates). With the class counts and the suit-permutation
// tests in hand_indexer_test, this proves the index is a bijection between
// classes and [0, size) on those streets.
#include <doctest/doctest.h>

#include "abstraction/hand_indexer.h"

using namespace bp::abstraction;

namespace {

void RoundTripAll(const HoldemIndexer& indexer, int street) {
  std::uint64_t mismatches = 0, malformed = 0;
  const int board_cards = kBoardCards[static_cast<std::size_t>(street)];
  for (std::uint64_t i = 0; i < indexer.size(street); ++i) {
    Card hole[2], board[5];
    indexer.Unindex(street, i, hole, board);
    CardMask m = MaskOf(hole[0]) | MaskOf(hole[1]);
    for (int c = 0; c < board_cards; ++c) m |= MaskOf(board[c]);
    malformed += CountCards(m) != 2 + board_cards;
    mismatches += indexer.Index(street, hole, board) != i;
  }
  CHECK(malformed == 0);
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("every turn index, board as one set (13,960,050)") {
  RoundTripAll(HoldemIndexer(IsomorphismMode::kBoardAsSet), 2);
}

TEST_CASE("every turn index, board split by street (55,190,538)") {
  RoundTripAll(HoldemIndexer(IsomorphismMode::kSplitBoard), 2);
}

TEST_CASE("every river index, board as one set (123,156,254)") {
  RoundTripAll(HoldemIndexer(IsomorphismMode::kBoardAsSet), 3);
}

// HandIndexer: suit isomorphism. Maps every hand dealt in rounds (for hold'em:
// the hole cards, then board cards) to a dense index of its class under suit
// permutation, and an index back to one hand of that class.
//
// The approach follows Waugh, "A fast and optimal hand isomorphism algorithm"
// (AAAI workshop 2013), written from its description:
//   - a hand seen from one suit is a tuple of disjoint rank sets, one per
//     round; its "shape" is the tuple of their sizes. The tuple is ranked
//     among all tuples of that shape by colexicographic ranks of each set
//     among the ranks not used by earlier rounds (mixed radix).
//   - the class of a hand is the multiset of its four suit tuples. Suits are
//     sorted by (shape, rank); the sorted shapes form the "configuration".
//     Suits of equal shape form a group whose ranks are a multiset, ranked as
//     a combination with repetition.
//   - index = offset of the configuration + mixed radix of the group ranks.
// Counts (board as one set / split by street) are in hand_indexer_test.
//
// Immutable after construction; thread-safe; no allocation in Index/Unindex.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "abstraction/card.h"
#include "abstraction/street.h"

namespace bp::abstraction {

class HandIndexer {
 public:
  static constexpr int kMaxRounds = 4;
  static constexpr int kMaxCardsPerHand = 7;

  // Requires: 1..4 rounds, each dealing 1..7 cards, 7 cards at most in all.
  explicit HandIndexer(std::span<const int> cards_per_round);

  int rounds() const { return rounds_; }
  int cards_per_round(int round) const { return cards_per_round_[round]; }
  // Cards dealt through `round` (inclusive).
  int cards_through(int round) const { return cards_through_[round]; }
  // Number of classes of hands dealt through `round`.
  std::uint64_t size(int round) const { return rounds_data_[round].size; }

  // cards: the cards of rounds 0..round in deal order (round 0's first).
  // Requires: distinct cards, round < rounds().
  std::uint64_t Index(int round, const Card* cards) const;
  // Writes cards_through(round) cards of one hand of the class, each round's
  // cards ascending. Requires: index < size(round).
  void Unindex(int round, std::uint64_t index, Card* cards) const;

 private:
  struct Group {
    int shape;                // shape id of the suits in this group
    int multiplicity;         // how many suits have that shape
    std::uint64_t suit_size;  // suit tuples of that shape
    std::uint64_t radix;      // multiplier of this group's multiset rank
  };
  struct Configuration {
    std::uint64_t key;     // the four sorted shape ids, 16 bits each
    std::uint64_t offset;  // first index of this configuration
    std::uint64_t size;
    int num_groups;
    std::array<Group, 4> groups;
  };
  struct Round {
    // Shapes: tuples of per-round set sizes, numbered by mixed radix with
    // radix (cards_per_round + 1) per round; the first round is the least
    // significant digit.
    int num_shape_codes = 0;
    std::vector<std::uint64_t> shape_size;  // suit tuples per shape (0: impossible)
    std::vector<Configuration> configurations;  // ascending by key
    // Open-addressing hash of configuration keys: slot -> configuration + 1
    // (0 = empty), at most half full, linear probing.
    std::vector<std::uint32_t> slots;
    int slot_shift = 64;
    std::uint64_t size = 0;
  };

  void BuildRound(int round);
  const Configuration& FindConfiguration(int round, std::uint64_t key) const;
  // shape << 40 | rank of the suit's tuple of rank sets among its shape's.
  std::uint64_t SuitKey(int round, const std::array<CardMask, kMaxRounds>& masks, int suit) const;
  void SuitUnrank(int round, int shape, std::uint64_t rank, int suit, Card* out, std::array<int, kMaxRounds>& filled) const;
  int ShapeDigit(int shape, int round) const;

  int rounds_ = 0;
  std::array<int, kMaxRounds> cards_per_round_{};
  std::array<int, kMaxRounds> cards_through_{};
  std::array<Round, kMaxRounds> rounds_data_{};
};

// Hold'em streets 0..3 (preflop, flop, turn, river; abstraction/street.h) over
// a HandIndexer.
//   kBoardAsSet:  the board is one set of 0/3/4/5 cards (imperfect recall of
//                 the order it came in): 169 / 1,286,792 / 13,960,050 / 123,156,254.
//   kSplitBoard:  flop, turn and river are distinct rounds:
//                 169 / 1,286,792 / 55,190,538 / 2,428,287,420.
enum class IsomorphismMode : std::uint8_t { kBoardAsSet = 0, kSplitBoard = 1 };

class HoldemIndexer {
 public:
  explicit HoldemIndexer(IsomorphismMode mode);

  IsomorphismMode mode() const { return mode_; }
  std::uint64_t size(int street) const;
  // Requires: hole = 2 cards, board = kBoardCards[street] cards, all distinct.
  std::uint64_t Index(int street, const Card* hole, const Card* board) const;
  // Writes 2 hole cards and kBoardCards[street] board cards of the class.
  void Unindex(int street, std::uint64_t index, Card* hole, Card* board) const;

 private:
  IsomorphismMode mode_;
  std::vector<HandIndexer> indexers_;  // one per street (board as set) or one (split)
};

}  // namespace bp::abstraction

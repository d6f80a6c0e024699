#include "abstraction/hand_evaluator.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace bp::abstraction {

namespace {

// Rank multipliers for 2..K (see the header); the ace's is computed.
constexpr std::array<std::uint32_t, 12> kMultipliers = {1,    2,     6,     23,    99,     454,
                                                        2032, 8699,  22855, 83662, 262350, 636346};

// Calls f(counts) for every rank multiset of `cards` cards, at most 4 per rank.
template <class F>
void ForEachMultiset(int cards, F&& f) {
  std::array<int, kNumRanks> counts{};
  auto rec = [&](auto&& self, int rank, int left) -> void {
    if (rank == kNumRanks) {
      if (left == 0) f(counts);
      return;
    }
    for (int c = 0; c <= std::min(4, left); ++c) {
      counts[rank] = c;
      self(self, rank + 1, left - c);
    }
    counts[rank] = 0;
  };
  rec(rec, 0, cards);
}

}  // namespace

HandEvaluator::HandEvaluator() {
  std::array<std::uint32_t, kNumRanks> mult{};
  std::copy(kMultipliers.begin(), kMultipliers.end(), mult.begin());
  // The ace: larger than any sum of six cards over the lower ranks, so that
  // multisets with different numbers of aces cannot collide.
  std::uint32_t prefix_max = 0;
  ForEachMultiset(7, [&](const auto& counts) {
    if (counts[12] != 0) return;
    std::uint32_t s = 0;
    for (int r = 0; r < 12; ++r) s += counts[r] * mult[r];
    prefix_max = std::max(prefix_max, s);
  });
  mult[12] = prefix_max + 1;
  for (Card c = 0; c < kNumCards; ++c) {
    card_key_[c] = mult[RankOf(c)] | (1ULL << (32 + 4 * SuitOf(c)));
  }

  // Strengths: every distinct five-card rank, ascending (flushes and not).
  rank_of_strength_.assign(1, 0);
  ForEachMultiset(5, [&](const auto& counts) {
    CardMask hand = 0;
    int dealt = 0;
    for (int r = 0; r < kNumRanks; ++r) {
      for (int k = 0; k < counts[r]; ++k) hand |= MaskOf(MakeCard(r, dealt++ % 4));
    }
    rank_of_strength_.push_back(ReferenceEvaluate(hand));
    if (std::count(counts.begin(), counts.end(), 1) == 5) {  // five distinct ranks: also as a flush
      CardMask flush = 0;
      for (int r = 0; r < kNumRanks; ++r) {
        if (counts[r] == 1) flush |= MaskOf(MakeCard(r, 0));
      }
      rank_of_strength_.push_back(ReferenceEvaluate(flush));
    }
  });
  std::sort(rank_of_strength_.begin() + 1, rank_of_strength_.end());
  rank_of_strength_.erase(std::unique(rank_of_strength_.begin() + 1, rank_of_strength_.end()), rank_of_strength_.end());
  if (rank_of_strength_.size() != kNumStrengths + 1) throw std::logic_error("expected 7,462 distinct five-card ranks");
  auto strength_of = [&](HandRank rank) {
    const auto it = std::lower_bound(rank_of_strength_.begin() + 1, rank_of_strength_.end(), rank);
    return static_cast<Strength>(it - rank_of_strength_.begin());
  };

  // Non-flush hands: every 7-rank multiset, valued with suits dealt round
  // robin (at most two cards per suit: never a flush).
  std::vector<std::pair<std::uint32_t, HandRank>> entries;
  ForEachMultiset(7, [&](const auto& counts) {
    std::uint32_t sum = 0;
    CardMask hand = 0;
    int dealt = 0;
    for (int r = 0; r < kNumRanks; ++r) {
      for (int k = 0; k < counts[r]; ++k) hand |= MaskOf(MakeCard(r, dealt++ % 4));
      sum += counts[r] * mult[r];
    }
    entries.emplace_back(sum, ReferenceEvaluate(hand));
  });
  std::sort(entries.begin(), entries.end());
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].first == entries[i - 1].first) throw std::logic_error("rank multipliers are not unique");
  }
  // Row displacement: rows (sum >> kRowBits) placed fullest first at the
  // lowest offset where none of their columns is taken.
  const std::uint32_t rows = (entries.back().first >> kRowBits) + 1;
  std::vector<std::vector<std::uint32_t>> columns(rows);
  for (const auto& [sum, rank] : entries) columns[sum >> kRowBits].push_back(sum & kRowMask);
  std::vector<std::uint32_t> order(rows);
  for (std::uint32_t r = 0; r < rows; ++r) order[r] = r;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return columns[a].size() > columns[b].size(); });
  offset_.assign(rows, 0);
  std::vector<bool> taken;
  for (std::uint32_t row : order) {
    if (columns[row].empty()) continue;
    for (std::uint32_t off = 0;; ++off) {
      bool fits = true;
      for (std::uint32_t col : columns[row]) {
        if (off + col < taken.size() && taken[off + col]) {
          fits = false;
          break;
        }
      }
      if (!fits) continue;
      for (std::uint32_t col : columns[row]) {
        if (off + col >= taken.size()) taken.resize(off + col + 1, false);
        taken[off + col] = true;
      }
      offset_[row] = off;
      break;
    }
  }
  strength_table_.assign(taken.size() + kRowMask + 1, 0);  // padding: any row's full width stays in bounds
  for (const auto& [sum, rank] : entries) strength_table_[offset_[sum >> kRowBits] + (sum & kRowMask)] = strength_of(rank);

  // Flushes: the best hand from 5 to 7 cards of one suit.
  flush_table_.assign(1u << kNumRanks, 0);
  for (std::uint32_t mask = 0; mask < (1u << kNumRanks); ++mask) {
    const int n = std::popcount(mask);
    if (n < 5 || n > 7) continue;
    CardMask hand = 0;
    for (int r = 0; r < kNumRanks; ++r) {
      if (mask >> r & 1) hand |= MaskOf(MakeCard(r, 0));
    }
    flush_table_[mask] = strength_of(ReferenceEvaluate(hand));
  }
}

HandEvaluator::Strength HandEvaluator::FlushStrength(const Card* cards, std::uint32_t flush) const {
  const int suit = std::countr_zero(flush) >> 2;
  std::uint32_t mask = 0;
  for (int i = 0; i < 7; ++i) {
    if (SuitOf(cards[i]) == suit) mask |= 1u << RankOf(cards[i]);
  }
  return flush_table_[mask];
}

HandRank HandEvaluator::Evaluate(CardMask hand) const {
  if (CountCards(hand) != 7) return ReferenceEvaluate(hand);
  Card cards[7];
  int n = 0;
  for (CardMask m = hand; m; m &= m - 1) cards[n++] = static_cast<Card>(std::countr_zero(m));
  return Evaluate7(cards);
}

std::size_t HandEvaluator::table_bytes() const {
  return sizeof(card_key_) + flush_table_.size() * sizeof(Strength) + offset_.size() * sizeof(std::uint32_t) +
         strength_table_.size() * sizeof(Strength) + rank_of_strength_.size() * sizeof(HandRank);
}

}  // namespace bp::abstraction

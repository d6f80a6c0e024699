#include "abstraction/card_features.h"

#include <array>

#include "abstraction/equity.h"

namespace bp::abstraction {

void ComputeRiverEhs(const HandEvaluator& evaluator, const HoldemIndexer& indexer, const HandIndexer& boards,
                     std::uint64_t first, std::uint64_t last, float* river_ehs) {
  std::array<float, kNumHolePairs> ehs;
  for (std::uint64_t b = first; b < last; ++b) {
    Card board[5];
    boards.Unindex(0, b, board);
    RiverEhs(evaluator, board, ehs.data());
    CardMask used = 0;
    for (Card c : board) used |= MaskOf(c);
    for (int x = 0; x < kNumCards; ++x) {
      if (used & MaskOf(static_cast<Card>(x))) continue;
      for (int y = x + 1; y < kNumCards; ++y) {
        if (used & MaskOf(static_cast<Card>(y))) continue;
        const Card hole[2] = {static_cast<Card>(x), static_cast<Card>(y)};
        river_ehs[indexer.Index(3, hole, board)] = ehs[static_cast<std::size_t>(HolePairIndex(hole[0], hole[1]))];
      }
    }
  }
}

void ComputeTurnFeatures(const HoldemIndexer& indexer, const float* river_ehs, int bins, std::uint64_t first,
                         std::uint64_t last, std::uint8_t* hist, float* mean) {
  for (std::uint64_t i = first; i < last; ++i) {
    Card hole[2], board[5];
    indexer.Unindex(2, i, hole, board);
    CardMask used = MaskOf(hole[0]) | MaskOf(hole[1]);
    for (int c = 0; c < 4; ++c) used |= MaskOf(board[c]);
    std::uint8_t* h = hist + i * static_cast<std::uint64_t>(bins);
    for (int b = 0; b < bins; ++b) h[b] = 0;
    double sum = 0;
    for (int c = 0; c < kNumCards; ++c) {
      if (used & MaskOf(static_cast<Card>(c))) continue;
      board[4] = static_cast<Card>(c);
      const float e = river_ehs[indexer.Index(3, hole, board)];
      ++h[EhsBin(e, bins)];
      sum += e;
    }
    mean[i] = static_cast<float>(sum / 46.0);
  }
}

void ComputeFlopFeatures(const HoldemIndexer& indexer, const std::uint8_t* turn_hist, const float* turn_mean,
                         int bins, std::uint64_t first, std::uint64_t last, std::uint16_t* hist, float* mean) {
  for (std::uint64_t i = first; i < last; ++i) {
    Card hole[2], board[5];
    indexer.Unindex(1, i, hole, board);
    CardMask used = MaskOf(hole[0]) | MaskOf(hole[1]);
    for (int c = 0; c < 3; ++c) used |= MaskOf(board[c]);
    std::uint16_t* h = hist + i * static_cast<std::uint64_t>(bins);
    for (int b = 0; b < bins; ++b) h[b] = 0;
    double sum = 0;
    for (int c = 0; c < kNumCards; ++c) {
      if (used & MaskOf(static_cast<Card>(c))) continue;
      board[3] = static_cast<Card>(c);
      const std::uint64_t t = indexer.Index(2, hole, board);
      const std::uint8_t* th = turn_hist + t * static_cast<std::uint64_t>(bins);
      for (int b = 0; b < bins; ++b) h[b] = static_cast<std::uint16_t>(h[b] + th[b]);
      sum += turn_mean[t];
    }
    mean[i] = static_cast<float>(sum / 47.0);
  }
}

void ComputePreflopFeatures(const HoldemIndexer& indexer, const std::uint16_t* flop_hist, const float* flop_mean,
                            int bins, std::uint64_t first, std::uint64_t last, std::uint64_t* hist, double* mean) {
  for (std::uint64_t i = first; i < last; ++i) {
    Card hole[2], board[5];
    indexer.Unindex(0, i, hole, board);
    const CardMask used = MaskOf(hole[0]) | MaskOf(hole[1]);
    std::uint64_t* h = hist + i * static_cast<std::uint64_t>(bins);
    for (int b = 0; b < bins; ++b) h[b] = 0;
    double sum = 0;
    int flops = 0;
    for (int x = 0; x < kNumCards; ++x) {
      if (used & MaskOf(static_cast<Card>(x))) continue;
      for (int y = x + 1; y < kNumCards; ++y) {
        if (used & MaskOf(static_cast<Card>(y))) continue;
        for (int z = y + 1; z < kNumCards; ++z) {
          if (used & MaskOf(static_cast<Card>(z))) continue;
          board[0] = static_cast<Card>(x);
          board[1] = static_cast<Card>(y);
          board[2] = static_cast<Card>(z);
          const std::uint64_t f = indexer.Index(1, hole, board);
          const std::uint16_t* fh = flop_hist + f * static_cast<std::uint64_t>(bins);
          for (int b = 0; b < bins; ++b) h[b] += fh[b];
          sum += flop_mean[f];
          ++flops;
        }
      }
    }
    mean[i] = sum / flops;
  }
}

}  // namespace bp::abstraction

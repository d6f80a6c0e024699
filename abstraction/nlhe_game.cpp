#include "abstraction/nlhe_game.h"

#include <fmt/core.h>

namespace bp::abstraction {

NlheGame::NlheGame(const TableConfig& table, const BettingAbstraction& betting, const BucketFile& buckets,
                   const HandEvaluator& evaluator)
    : tree_(table, betting), buckets_(buckets), evaluator_(evaluator), players_(table.players),
      big_blind_(table.big_blind) {}

NlheGame::Deal NlheGame::MakeDeal(const Card* cards) const {
  Deal deal{};
  const Card* board = cards + 2 * players_;
  for (int p = 0; p < players_; ++p) {
    const Card* hole = cards + 2 * p;
    auto& b = deal.bucket[static_cast<std::size_t>(p)];
    for (std::size_t s = 0; s < kNumStreets; ++s) b[s] = static_cast<std::uint16_t>(buckets_.Bucket(static_cast<int>(s), hole, board));
    const Card seven[7] = {hole[0], hole[1], board[0], board[1], board[2], board[3], board[4]};
    deal.rank[static_cast<std::size_t>(p)] = evaluator_.Strength7(seven);
  }
  return deal;
}

std::string NlheGame::InfosetName(std::uint32_t node, std::uint32_t bucket) const {
  return fmt::format("{} b{}:{}", StreetName(Street(node)), bucket, tree_.History(node));
}

}  // namespace bp::abstraction

#include "abstraction/kuhn.h"

namespace bp::abstraction {

namespace {
LimitRules KuhnRules() {
  LimitRules rules;
  rules.rounds = 1;
  rules.ante = 1;
  rules.bet_size = {1, 1};
  rules.max_raises = 1;
  rules.letters = {'p', 'p', 'b', 'b', 'b'};
  return rules;
}
}  // namespace

KuhnPoker::KuhnPoker() : LimitGame<1>(KuhnRules()) {
  for (std::uint8_t c0 = 0; c0 < 3; ++c0) {
    for (std::uint8_t c1 = 0; c1 < 3; ++c1) {
      if (c0 == c1) continue;
      Deal deal{};
      deal.cards = {c0, c1, 0};
      deal.showdown = c0 > c1 ? 1 : -1;
      deal.bucket[0][0] = c0;
      deal.bucket[1][0] = c1;
      deals_.push_back(deal);
    }
  }
}

std::string KuhnPoker::InfosetName(std::uint32_t node, std::uint32_t bucket) const {
  return std::string(1, CardName(static_cast<int>(bucket))) + ":" + History(node);
}

}  // namespace bp::abstraction

#include "trainer/query.h"

#include <fmt/core.h>

#include <algorithm>

#include "trainer/yaml_schema.h"

namespace bp::trainer {

std::vector<abstraction::Card> ParseCardList(const std::string& text, const char* flag, std::size_t min,
                                             std::size_t max) {
  std::vector<abstraction::Card> cards;
  bool ok = true;
  for (std::size_t i = 0; i < text.size() && ok;) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    const auto card = i + 1 < text.size() ? abstraction::ParseCard(std::string_view(text).substr(i, 2)) : std::nullopt;
    ok = card && std::find(cards.begin(), cards.end(), *card) == cards.end() && cards.size() < max;
    if (ok) cards.push_back(*card);
    i += 2;
  }
  if (!ok || cards.size() < min || cards.size() > max) {
    throw ConfigError(fmt::format("command line ({}): expected {} distinct cards such as AsKd, found '{}'", flag,
                                  min == max ? std::to_string(min) : fmt::format("{} to {}", min, max),
                                  Printable(text)));
  }
  return cards;
}

void CheckDisjoint(const std::vector<abstraction::Card>& hole, const std::vector<abstraction::Card>& board) {
  for (const abstraction::Card c : board) {
    if (std::find(hole.begin(), hole.end(), c) != hole.end()) {
      throw ConfigError(fmt::format("command line (--board): expected cards other than the hole cards, found {} in "
                                    "both",
                                    abstraction::CardName(c)));
    }
  }
}

std::optional<std::int32_t> RaiseChips(std::string_view action) {
  if (action.size() < 2 || action.size() > 11 || action[0] != 'r') return std::nullopt;
  std::int64_t chips = 0;
  for (const char c : action.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    chips = chips * 10 + (c - '0');
  }
  if (chips < 1 || chips > 1000000000) return std::nullopt;
  return static_cast<std::int32_t>(chips);
}

std::vector<std::string> ParseHistory(const std::string& text) {
  std::vector<std::string> history;
  if (text.empty()) return history;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find('-', start);
    const std::string action = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (action != "f" && action != "k" && action != "c" && action != "a" && !RaiseChips(action)) {
      throw ConfigError(fmt::format("command line (--history): expected actions f, k, c, a or r<chips> (1 to "
                                    "1000000000) joined by '-', found '{}' in '{}'",
                                    Printable(action), Printable(text)));
    }
    history.push_back(action);
    if (end == std::string::npos) return history;
    start = end + 1;
  }
}

}  // namespace bp::trainer

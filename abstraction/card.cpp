#include "abstraction/card.h"

#include <cctype>
#include <cstring>

namespace bp::abstraction {

std::optional<Card> ParseCard(std::string_view text) {
  if (text.size() != 2) return std::nullopt;
  const char* r = std::strchr(kRankChars, std::toupper(static_cast<unsigned char>(text[0])));
  const char* s = std::strchr(kSuitChars, std::tolower(static_cast<unsigned char>(text[1])));
  if (r == nullptr || s == nullptr || *r == '\0' || *s == '\0') return std::nullopt;
  return MakeCard(static_cast<int>(r - kRankChars), static_cast<int>(s - kSuitChars));
}

std::optional<CardMask> ParseCards(std::string_view text) {
  CardMask mask = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 2 > text.size()) return std::nullopt;
    const auto card = ParseCard(text.substr(i, 2));
    if (!card || (mask & MaskOf(*card))) return std::nullopt;
    mask |= MaskOf(*card);
    i += 2;
  }
  return mask;
}

std::string MaskName(CardMask mask) {
  std::string out;
  while (mask) {
    const Card c = static_cast<Card>(std::countr_zero(mask));
    mask &= mask - 1;
    if (!out.empty()) out += ' ';
    out += CardName(c);
  }
  return out;
}

}  // namespace bp::abstraction

// Cards of a 52-card deck and sets of them.
//
// Card: 0..51 = rank * 4 + suit, rank 0..12 for 2..A, suit 0..3 for c, d, h, s.
// CardMask: one bit per card (bit = card index), so a hand or a board is a
// 64-bit word and set operations are single instructions. Value types; no
// allocation; thread-safe.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bp::abstraction {

using Card = std::uint8_t;
using CardMask = std::uint64_t;

inline constexpr int kNumCards = 52;
inline constexpr int kNumRanks = 13;
inline constexpr int kNumSuits = 4;
inline constexpr char kRankChars[] = "23456789TJQKA";
inline constexpr char kSuitChars[] = "cdhs";

constexpr Card MakeCard(int rank, int suit) { return static_cast<Card>(rank * 4 + suit); }
constexpr int RankOf(Card c) { return c / 4; }
constexpr int SuitOf(Card c) { return c % 4; }
constexpr CardMask MaskOf(Card c) { return CardMask{1} << c; }
inline int CountCards(CardMask m) { return std::popcount(m); }

// "As", "Td", "2c".
inline std::string CardName(Card c) { return {kRankChars[RankOf(c)], kSuitChars[SuitOf(c)]}; }

// Parses one card ("As", case-insensitive rank and suit); nullopt if malformed.
std::optional<Card> ParseCard(std::string_view text);
// Parses concatenated cards ("AsKd", spaces allowed); nullopt if malformed or repeated.
std::optional<CardMask> ParseCards(std::string_view text);
// Cards of a mask, lowest first: "2c 7d As".
std::string MaskName(CardMask mask);

}  // namespace bp::abstraction

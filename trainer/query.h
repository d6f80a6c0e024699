// The text of a blueprint query (train_blueprint query, and the Blueprint
// API): cards ("AsKd", spaces allowed), and a history of real actions joined
// by '-': f (fold), k (check), c (call), r<chips> (raise to a street total)
// and a (all-in). Parsed strictly: every card distinct, a raise amount of
// digits only and within the chips a table can hold; anything else is a
// ConfigError naming the flag and showing what was found (non-printable
// bytes as \xNN). Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abstraction/card.h"
#include "trainer/yaml_schema.h"  // Printable

namespace bp::trainer {

// Cards in the order given; from `min` to `max` of them, all distinct.
std::vector<abstraction::Card> ParseCardList(const std::string& text, const char* flag, std::size_t min,
                                             std::size_t max);
// Requires nothing; ConfigError if a board card repeats a hole card.
void CheckDisjoint(const std::vector<abstraction::Card>& hole, const std::vector<abstraction::Card>& board);

// "r300-c" -> {"r300", "c"}; "" -> {}. ConfigError for an empty action or
// one that is not f, k, c, a or r<chips>.
std::vector<std::string> ParseHistory(const std::string& text);
// The chips of "r<chips>": digits only, from 1 to 1,000,000,000; nullopt
// otherwise.
std::optional<std::int32_t> RaiseChips(std::string_view action);

}  // namespace bp::trainer

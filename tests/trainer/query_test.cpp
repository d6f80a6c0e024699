// The query's text: cards, histories, raise amounts, positions; every
// malformed input is one ConfigError that shows what was found.
#include "trainer/query.h"

#include <doctest/doctest.h>

#include "trainer/preflop_chart.h"
#include "trainer/yaml_schema.h"

using namespace bp::trainer;
using bp::abstraction::CardName;

namespace {
template <class F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("cards: distinct, the number asked for, non-printable bytes shown escaped") {
  const auto board = ParseCardList("2c 7h Ks", "--board", 3, 5);
  REQUIRE(board.size() == 3);
  CHECK(CardName(board[2]) == "Ks");
  CHECK(ErrorOf([] { ParseCardList("AsAs", "--hole", 2, 2); }) ==
        "command line (--hole): expected 2 distinct cards such as AsKd, found 'AsAs'");
  CHECK(ErrorOf([] { ParseCardList("2c7hKsQd8d9d", "--board", 3, 5); }) ==
        "command line (--board): expected 3 to 5 distinct cards such as AsKd, found '2c7hKsQd8d9d'");
  CHECK(ErrorOf([] { ParseCardList(std::string("A\x01Kd", 4), "--hole", 2, 2); }) ==
        "command line (--hole): expected 2 distinct cards such as AsKd, found 'A\\x01Kd'");
  const auto hole = ParseCardList("AsKd", "--hole", 2, 2);
  CHECK_NOTHROW(CheckDisjoint(hole, board));
  CHECK(ErrorOf([&] { CheckDisjoint(hole, ParseCardList("Qh Kd 2c", "--board", 3, 5)); }) ==
        "command line (--board): expected cards other than the hole cards, found Kd in both");
}

TEST_CASE("histories: f, k, c, a and r<chips> only, chips as digits within range") {
  CHECK(ParseHistory("") == std::vector<std::string>{});
  CHECK(ParseHistory("r300-c-k-a") == std::vector<std::string>{"r300", "c", "k", "a"});
  CHECK(RaiseChips("r250") == 250);
  CHECK(RaiseChips("r1000000000") == 1000000000);
  CHECK_FALSE(RaiseChips("r4294967546"));  // once read as r250
  CHECK_FALSE(RaiseChips("r1000000001"));
  CHECK_FALSE(RaiseChips("r250xyz"));
  CHECK_FALSE(RaiseChips("r-5"));
  CHECK_FALSE(RaiseChips("r0"));
  CHECK_FALSE(RaiseChips("r"));
  CHECK(ErrorOf([] { ParseHistory("r250xyz"); }) ==
        "command line (--history): expected actions f, k, c, a or r<chips> (1 to 1000000000) joined by '-', found "
        "'r250xyz' in 'r250xyz'");
  CHECK(ErrorOf([] { ParseHistory("r300--c"); }).find("found '' in 'r300--c'") != std::string::npos);
  CHECK(ErrorOf([] { ParseHistory("c-"); }).find("found '' in 'c-'") != std::string::npos);
  CHECK(ErrorOf([] { ParseHistory("r4294967546"); }).find("found 'r4294967546'") != std::string::npos);
}

TEST_CASE("positions: names and seat numbers; anything else one clear error") {
  CHECK(SeatOf("btn", 2) == 0);
  CHECK(SeatOf("BB", 2) == 1);
  CHECK(SeatOf("co", 6) == 5);
  CHECK(SeatOf("4", 6) == 4);
  CHECK(ErrorOf([] { SeatOf("99999999999", 6); }) ==
        "--position: expected a seat from 0 to 5 or one of bb (seat 2), btn (seat 0), co (seat 5), hj (seat 4), mp "
        "(seat 4), sb (seat 1), utg (seat 3), found '99999999999'");
  CHECK(ErrorOf([] { SeatOf("6", 6); }).find("found '6'") != std::string::npos);
  CHECK(ErrorOf([] { SeatOf("\xff", 2); }).find("found '\\xff'") != std::string::npos);
}

TEST_CASE("printable: bytes outside printable ASCII escaped") {
  CHECK(Printable("abc") == "abc");
  CHECK(Printable(std::string("\0\n\x7f\x80", 4)) == "\\x00\\x0a\\x7f\\x80");
}

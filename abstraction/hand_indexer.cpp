#include "abstraction/hand_indexer.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <utility>

#ifdef __BMI2__
#include <immintrin.h>
#endif

namespace bp::abstraction {
namespace {

__extension__ using Uint128 = unsigned __int128;

// C(n, k) exactly; 0 when k > n. Built up as C(n-k+i, i) for i = 1..k, each
// step exact. The indexer asks for results below 2^32 with n below 2^21 and
// k at most 4: 64 bits hold every step when k <= 3 or n < 2^16; 128 bits
// otherwise.
inline std::uint64_t Choose(std::uint64_t n, int k) {
  if (k < 0 || static_cast<std::uint64_t>(k) > n) return 0;
  // Closed forms for the sizes Index() asks for (division by constants).
  switch (k) {
    case 0: return 1;
    case 1: return n;
    case 2: return n * (n - 1) / 2;
    case 3: return n * (n - 1) * (n - 2) / 6;
    default: break;
  }
  if (k <= 3 || n < (std::uint64_t{1} << 16)) {
    std::uint64_t r = 1;
    for (int i = 1; i <= k; ++i) r = r * (n - static_cast<std::uint64_t>(k) + static_cast<std::uint64_t>(i)) / static_cast<std::uint64_t>(i);
    return r;
  }
  Uint128 r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - static_cast<std::uint64_t>(k) + static_cast<std::uint64_t>(i)) / static_cast<unsigned>(i);
  return static_cast<std::uint64_t>(r);
}

// C(n, k) for n <= 13 (rank sets of one suit), by table.
struct SmallChoose {
  std::array<std::array<std::uint32_t, 14>, 14> c{};
  constexpr SmallChoose() {
    for (int n = 0; n < 14; ++n) {
      c[n][0] = 1;
      for (int k = 1; k <= n; ++k) c[n][k] = c[n - 1][k - 1] + (k <= n - 1 ? c[n - 1][k] : 0);
    }
  }
};
constexpr SmallChoose kSmall;

// Largest b in [lo, hi] with Choose(b, t) <= x (Choose(lo, t) <= x holds).
std::uint64_t LargestWithChooseAtMost(std::uint64_t x, int t, std::uint64_t lo, std::uint64_t hi) {
  if (t == 1) return x;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    if (Choose(mid, t) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Rank of a multiset of k values (sorted descending in `v`) among multisets
// of k values from [0, n): combination with repetition, colexicographic.
std::uint64_t MultisetRank(const std::uint64_t* v_desc, int k) {
  std::uint64_t r = 0;
  for (int t = 1; t <= k; ++t) r += Choose(v_desc[k - t] + static_cast<std::uint64_t>(t - 1), t);
  return r;
}

void MultisetUnrank(std::uint64_t rank, int k, std::uint64_t n, std::uint64_t* v_desc) {
  std::uint64_t hi = n + static_cast<std::uint64_t>(k) - 2;
  for (int t = k; t >= 1; --t) {
    const std::uint64_t b = LargestWithChooseAtMost(rank, t, static_cast<std::uint64_t>(t - 1), hi);
    rank -= Choose(b, t);
    v_desc[k - t] = b - static_cast<std::uint64_t>(t - 1);
    hi = b - 1;
  }
}

// Sorts four keys descending: a sorting network of five compare-exchanges,
// written with min/max so that it compiles to conditional moves (the order
// of random hands' suits is unpredictable).
inline void SortDescending4(std::uint64_t* k) {
  auto cx = [&](int a, int b) {
    const std::uint64_t x = k[a], y = k[b];
    k[a] = x > y ? x : y;
    k[b] = x > y ? y : x;
  };
  cx(0, 1);
  cx(2, 3);
  cx(0, 2);
  cx(1, 3);
  cx(1, 2);
}

// Colexicographic rank of every 13-bit rank set among the sets of its size:
// the sum of C(position, t) over its ranks, the t-th lowest (from 1) at
// `position`. Does not depend on how many ranks the universe has.
struct ColexTable {
  std::array<std::uint16_t, 1 << 13> rank{};
  constexpr ColexTable() {
    for (unsigned set = 0; set < rank.size(); ++set) {
      unsigned r = 0;
      int t = 1;
      for (int pos = 0; pos < 13; ++pos)
        if (set >> pos & 1u) r += kSmall.c[pos][t++];
      rank[set] = static_cast<std::uint16_t>(r);
    }
  }
};
constexpr ColexTable kColex;

// The bits of `set` at positions where `used` is clear, packed towards bit 0.
inline unsigned CompressUnused(unsigned set, unsigned used) {
#ifdef __BMI2__
  return _pext_u32(set, ~used & 0x1FFFu);
#else
  // Remove the used positions from the highest down.
  for (unsigned u = used; u != 0;) {
    const int top = 31 - std::countl_zero(u);
    set = (set & ((1u << top) - 1)) | ((set >> (top + 1)) << top);
    u &= ~(1u << top);
  }
  return set;
#endif
}

// The ranks (13-bit set) of one suit's cards in a card mask.
inline unsigned RanksOfSuit(CardMask mask, int suit) {
  constexpr CardMask kClubs = 0x1111111111111ULL;  // bit 4 * rank
#ifdef __BMI2__
  return static_cast<unsigned>(_pext_u64(mask, kClubs << suit));
#else
  mask >>= suit;
  unsigned set = 0;
  for (int r = 0; r < kNumRanks; ++r) set |= static_cast<unsigned>(mask >> (4 * r) & 1u) << r;
  return set;
#endif
}

constexpr std::uint64_t kHashMultiplier = 0x9E3779B97F4A7C15ULL;
constexpr int kShapeShift = 40;  // suit key = shape << 40 | rank of the suit tuple
constexpr std::uint64_t kSuitRankMask = (std::uint64_t{1} << kShapeShift) - 1;

}  // namespace

HandIndexer::HandIndexer(std::span<const int> cards_per_round) {
  if (cards_per_round.empty() || cards_per_round.size() > static_cast<std::size_t>(kMaxRounds))
    throw std::invalid_argument("HandIndexer: 1 to 4 rounds expected, got " + std::to_string(cards_per_round.size()));
  rounds_ = static_cast<int>(cards_per_round.size());
  int total = 0;
  for (int r = 0; r < rounds_; ++r) {
    const int c = cards_per_round[static_cast<std::size_t>(r)];
    if (c < 1) throw std::invalid_argument("HandIndexer: every round deals at least one card");
    total += c;
    cards_per_round_[r] = c;
    cards_through_[r] = total;
  }
  if (total > kMaxCardsPerHand)
    throw std::invalid_argument("HandIndexer: at most 7 cards in all, got " + std::to_string(total));
  for (int r = 0; r < rounds_; ++r) BuildRound(r);
}

int HandIndexer::ShapeDigit(int shape, int round) const {
  for (int j = 0; j < round; ++j) shape /= cards_per_round_[j] + 1;
  return shape % (cards_per_round_[round] + 1);
}

void HandIndexer::BuildRound(int round) {
  Round& rd = rounds_data_[round];
  int codes = 1;
  for (int j = 0; j <= round; ++j) codes *= cards_per_round_[j] + 1;
  rd.num_shape_codes = codes;
  rd.shape_size.assign(static_cast<std::size_t>(codes), 0);
  for (int s = 0; s < codes; ++s) {
    std::uint64_t size = 1;
    int used = 0;
    for (int j = 0; j <= round; ++j) {
      const int m = ShapeDigit(s, j);
      size *= kSmall.c[13 - used][m];
      used += m;
    }
    rd.shape_size[static_cast<std::size_t>(s)] = size;
  }
  // Every descending 4-tuple of shapes whose sizes add up to each round's cards.
  rd.configurations.clear();
  std::array<int, 4> t{};
  for (t[0] = 0; t[0] < codes; ++t[0])
    for (t[1] = 0; t[1] <= t[0]; ++t[1])
      for (t[2] = 0; t[2] <= t[1]; ++t[2])
        for (t[3] = 0; t[3] <= t[2]; ++t[3]) {
          bool ok = true;
          for (int j = 0; j <= round && ok; ++j) {
            int sum = 0;
            for (int s : t) sum += ShapeDigit(s, j);
            ok = sum == cards_per_round_[j];
          }
          if (!ok) continue;
          Configuration c{};
          for (int i = 0; i < 4; ++i) c.key = (c.key << 16) | static_cast<std::uint64_t>(t[i]);
          c.size = 1;
          for (int i = 0; i < 4;) {
            int k = 1;
            while (i + k < 4 && t[i + k] == t[i]) ++k;
            Group& g = c.groups[static_cast<std::size_t>(c.num_groups++)];
            g.shape = t[i];
            g.multiplicity = k;
            g.suit_size = rd.shape_size[static_cast<std::size_t>(t[i])];
            g.radix = c.size;
            c.size *= Choose(g.suit_size + static_cast<std::uint64_t>(k) - 1, k);
            i += k;
          }
          rd.configurations.push_back(c);
        }
  std::sort(rd.configurations.begin(), rd.configurations.end(),
            [](const Configuration& a, const Configuration& b) { return a.key < b.key; });
  rd.size = 0;
  for (Configuration& c : rd.configurations) {
    c.offset = rd.size;
    rd.size += c.size;
  }
  int bits = 1;
  while ((std::size_t{1} << bits) < 2 * rd.configurations.size()) ++bits;
  rd.slot_shift = 64 - bits;
  rd.slots.assign(std::size_t{1} << bits, 0);
  for (std::size_t i = 0; i < rd.configurations.size(); ++i) {
    std::size_t slot = (rd.configurations[i].key * kHashMultiplier) >> rd.slot_shift;
    while (rd.slots[slot] != 0) slot = (slot + 1) & (rd.slots.size() - 1);
    rd.slots[slot] = static_cast<std::uint32_t>(i + 1);
  }
}

const HandIndexer::Configuration& HandIndexer::FindConfiguration(int round, std::uint64_t key) const {
  const Round& rd = rounds_data_[round];
  std::size_t slot = (key * kHashMultiplier) >> rd.slot_shift;
  for (;;) {
    const std::uint32_t entry = rd.slots[slot];  // every hand has a configuration: never 0 here
    const Configuration& c = rd.configurations[entry - 1];
    if (c.key == key) return c;
    slot = (slot + 1) & (rd.slots.size() - 1);
  }
}

std::uint64_t HandIndexer::SuitKey(int round, const std::array<CardMask, kMaxRounds>& masks, int suit) const {
  std::uint64_t rank = 0;
  std::uint64_t mult = 1;
  int code = 0;
  int code_mult = 1;
  unsigned used = 0;
  for (int j = 0; j <= round; ++j) {
    const unsigned a = RanksOfSuit(masks[static_cast<std::size_t>(j)], suit);
    const int m = std::popcount(a);
    rank += mult * kColex.rank[CompressUnused(a, used)];
    mult *= kSmall.c[13 - std::popcount(used)][m];
    code += code_mult * m;
    code_mult *= cards_per_round_[j] + 1;
    used |= a;
  }
  return (static_cast<std::uint64_t>(code) << kShapeShift) | rank;
}

std::uint64_t HandIndexer::Index(int round, const Card* cards) const {
  std::array<CardMask, kMaxRounds> masks{};
  int i = 0;
  for (int j = 0; j <= round; ++j) {
    CardMask m = 0;
    for (int n = 0; n < cards_per_round_[j]; ++n) m |= MaskOf(cards[i++]);
    masks[static_cast<std::size_t>(j)] = m;
  }
  std::array<std::uint64_t, kNumSuits> keys{};
  for (int s = 0; s < kNumSuits; ++s) keys[static_cast<std::size_t>(s)] = SuitKey(round, masks, s);
  SortDescending4(keys.data());
  std::uint64_t config_key = 0;
  for (std::uint64_t k : keys) config_key = (config_key << 16) | (k >> kShapeShift);
  const Configuration& c = FindConfiguration(round, config_key);
  std::uint64_t index = c.offset;
  std::array<std::uint64_t, kNumSuits> values{};
  int pos = 0;
  for (int g = 0; g < c.num_groups; ++g) {
    const Group& group = c.groups[static_cast<std::size_t>(g)];
    for (int k = 0; k < group.multiplicity; ++k)
      values[static_cast<std::size_t>(k)] = keys[static_cast<std::size_t>(pos + k)] & kSuitRankMask;
    index += group.radix * MultisetRank(values.data(), group.multiplicity);
    pos += group.multiplicity;
  }
  return index;
}

void HandIndexer::SuitUnrank(int round, int shape, std::uint64_t rank, int suit, Card* out,
                             std::array<int, kMaxRounds>& filled) const {
  unsigned used = 0;
  for (int j = 0; j <= round; ++j) {
    const int m = ShapeDigit(shape, j);
    const int remaining = 13 - std::popcount(used);
    const std::uint32_t count = kSmall.c[remaining][m];
    std::uint32_t colex = static_cast<std::uint32_t>(rank % count);
    rank /= count;
    unsigned set = 0;
    for (int t = m; t >= 1; --t) {
      int p = t - 1;
      while (p + 1 < remaining && kSmall.c[p + 1][t] <= colex) ++p;
      colex -= kSmall.c[p][t];
      // The p-th rank (from 0) not used by earlier rounds.
      int r = 0;
      for (int seen = -1;; ++r)
        if (!(used >> r & 1u) && ++seen == p) break;
      set |= 1u << r;
    }
    int base = j == 0 ? 0 : cards_through_[j - 1];
    for (unsigned bits = set; bits != 0; bits &= bits - 1)
      out[base + filled[static_cast<std::size_t>(j)]++] = MakeCard(std::countr_zero(bits), suit);
    used |= set;
  }
}

void HandIndexer::Unindex(int round, std::uint64_t index, Card* cards) const {
  const auto& configs = rounds_data_[round].configurations;
  const auto it = std::upper_bound(configs.begin(), configs.end(), index,
                                   [](std::uint64_t i, const Configuration& c) { return i < c.offset; });
  const Configuration& c = *(it - 1);
  std::uint64_t rem = index - c.offset;
  std::array<int, kMaxRounds> filled{};
  int suit = 0;
  std::array<std::uint64_t, kNumSuits> values{};
  for (int g = 0; g < c.num_groups; ++g) {
    const Group& group = c.groups[static_cast<std::size_t>(g)];
    const std::uint64_t count = Choose(group.suit_size + static_cast<std::uint64_t>(group.multiplicity) - 1,
                                       group.multiplicity);
    const std::uint64_t rank = (rem / group.radix) % count;
    MultisetUnrank(rank, group.multiplicity, group.suit_size, values.data());
    for (int k = 0; k < group.multiplicity; ++k, ++suit)
      SuitUnrank(round, group.shape, values[static_cast<std::size_t>(k)], suit, cards, filled);
  }
  // Each round's cards ascending.
  for (int j = 0; j <= round; ++j) {
    Card* first = cards + (j == 0 ? 0 : cards_through_[j - 1]);
    std::sort(first, first + cards_per_round_[j]);
  }
}

HoldemIndexer::HoldemIndexer(IsomorphismMode mode) : mode_(mode) {
  if (mode == IsomorphismMode::kSplitBoard) {
    const int rounds[] = {2, 3, 1, 1};
    indexers_.emplace_back(rounds);
  } else {
    for (int street = 0; street < static_cast<int>(kNumStreets); ++street) {
      const int rounds[] = {2, kBoardCards[static_cast<std::size_t>(street)]};
      indexers_.emplace_back(std::span<const int>(rounds, street == 0 ? 1 : 2));
    }
  }
}

std::uint64_t HoldemIndexer::size(int street) const {
  if (mode_ == IsomorphismMode::kSplitBoard) return indexers_[0].size(street);
  return indexers_[static_cast<std::size_t>(street)].size(street == 0 ? 0 : 1);
}

std::uint64_t HoldemIndexer::Index(int street, const Card* hole, const Card* board) const {
  std::array<Card, 7> cards{};
  cards[0] = hole[0];
  cards[1] = hole[1];
  const int n = kBoardCards[static_cast<std::size_t>(street)];
  for (int i = 0; i < n; ++i) cards[static_cast<std::size_t>(2 + i)] = board[i];
  if (mode_ == IsomorphismMode::kSplitBoard) return indexers_[0].Index(street, cards.data());
  return indexers_[static_cast<std::size_t>(street)].Index(street == 0 ? 0 : 1, cards.data());
}

void HoldemIndexer::Unindex(int street, std::uint64_t index, Card* hole, Card* board) const {
  std::array<Card, 7> cards{};
  if (mode_ == IsomorphismMode::kSplitBoard) indexers_[0].Unindex(street, index, cards.data());
  else indexers_[static_cast<std::size_t>(street)].Unindex(street == 0 ? 0 : 1, index, cards.data());
  hole[0] = cards[0];
  hole[1] = cards[1];
  const int n = kBoardCards[static_cast<std::size_t>(street)];
  for (int i = 0; i < n; ++i) board[i] = cards[static_cast<std::size_t>(2 + i)];
}

}  // namespace bp::abstraction

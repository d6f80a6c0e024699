#include "trainer/blueprint.h"

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/core.h>

#include "abstraction/bet_translation.h"
#include "base/check.h"
#include "base/coding.h"
#include "base/memory.h"
#include "solver/regret_matching.h"
#include "trainer/game_registry.h"
#include "trainer/query.h"

namespace bp::trainer {

const base::FrameFormat kBlueprintFormat{"BPBLUEP1",
                                         "blueprint",
                                         3,
                                         {{1, base::FrameLayout::kNoLength, base::Checksum::Kind::kFnv1a64},
                                          {2, base::FrameLayout::kNoLength, base::Checksum::Kind::kXxh3}},
                                         {}};

void Blueprint::Write(const std::filesystem::path& path, const Config& config, std::uint64_t iterations,
                      std::uint64_t bucket_fingerprint, std::span<const float> probabilities) {
  const std::string yaml = ToYaml(config);
  std::string head;
  base::PutFixed<std::uint64_t>(head, iterations);
  base::PutFixed<std::uint64_t>(head, bucket_fingerprint);
  base::PutFixed<std::uint64_t>(head, probabilities.size());
  base::PutString(head, yaml);
  head.append((8 - head.size() % 8) % 8, '\0');
  base::WriteFramedFile(path, kBlueprintFormat, head.size() + probabilities.size_bytes(), [&](base::FileSink& out) {
    out.Write(head);
    out.Write(probabilities.data(), probabilities.size_bytes());
  });
}

BlueprintFile DecodeBlueprint(std::span<const char> file, const std::string& path) {
  base::FrameView frame;
  try {
    frame = base::CheckFrame(file, kBlueprintFormat, path);
  } catch (const base::FileError& e) {
    throw abstraction::AssetError(e.what());
  }
  auto bad = [&](const std::string& what) { return abstraction::AssetError(fmt::format("{}: {}", path, what)); };
  BlueprintFile f;
  try {
    base::ByteReader in(frame.body);
    f.iterations = in.Read<std::uint64_t>("iterations");
    f.bucket_fingerprint = in.Read<std::uint64_t>("bucket fingerprint");
    f.entries = in.Read<std::uint64_t>("entries");
    const std::string yaml = in.ReadString("config");
    in.Align(8, "padding");
    f.probabilities = in.ReadBytes(in.remaining(), "probabilities");
    if (f.probabilities.size() % sizeof(float) != 0 || f.entries != f.probabilities.size() / sizeof(float)) {
      throw bad(fmt::format("truncated or malformed blueprint: {} probabilities claimed, {} bytes hold them", f.entries,
                            f.probabilities.size()));
    }
    f.config = ParseConfig(yaml, path + " (its config)", {}, Inapplicable::kIgnoreInText);
  } catch (const base::CodingError& e) {
    throw bad(std::string("corrupt: ") + e.what());
  }
  if (f.config.game.name != GameName::kNlhe) {
    throw bad(fmt::format("blueprints are for nlhe runs, this one's game is {}", NameOf(f.config.game.name)));
  }
  return f;
}

Blueprint Blueprint::Open(const std::string& path, const std::string& buckets) {
  std::string bytes;
  try {
    bytes = base::ReadWholeFile(path, kBlueprintFormat);
  } catch (const base::FileError& e) {
    throw abstraction::AssetError(e.what());
  }
  auto bad = [&](const std::string& what) { return abstraction::AssetError(fmt::format("{}: {}", path, what)); };
  const BlueprintFile file = DecodeBlueprint(bytes, path);
  Blueprint b;
  b.iterations_ = file.iterations;
  b.config_ = file.config;
  const std::uint64_t fingerprint = file.bucket_fingerprint, entries = file.entries;
  const std::span<const char> table = file.probabilities;
  const std::string bucket_path = buckets.empty() ? b.config_.abstraction.buckets : buckets;
  b.buckets_ = std::make_unique<abstraction::BucketFile>(abstraction::BucketFile::Open(bucket_path));
  if (b.buckets_->fingerprint() != fingerprint) {
    throw bad(fmt::format("trained with the bucket file of fingerprint {:016x}, but {} has {:016x}", fingerprint,
                          bucket_path, b.buckets_->fingerprint()));
  }
  b.evaluator_ = std::make_unique<abstraction::HandEvaluator>();
  b.game_ = std::make_unique<abstraction::NlheGame>(MakeNlheGame(b.config_, *b.buckets_, *b.evaluator_));
  b.layout_ = std::make_unique<solver::TableLayout>(*b.game_);
  if (b.layout_->num_entries() != entries) {
    throw bad(fmt::format("{} probabilities, but its config's tree and buckets have {} entries", entries,
                          b.layout_->num_entries()));
  }
  b.probabilities_.resize(entries);
  std::memcpy(b.probabilities_.data(), table.data(), table.size());
  return b;
}

const float* Blueprint::At(std::uint32_t node, std::uint32_t bucket) const {
  return probabilities_.data() + layout_->entry_offset(node) +
         static_cast<std::uint64_t>(bucket) * static_cast<std::uint64_t>(game_->NumActions(node));
}

std::uint32_t Blueprint::Locate(int seat, const std::vector<std::string>& history, std::size_t board_cards) const {
  using abstraction::ActionKind;
  const auto& tree = game_->tree();
  abstraction::NlheState state = abstraction::NlheState::NewHand(TableOf(config_));
  std::uint32_t node = abstraction::BettingTree::kRoot;
  std::string done;
  auto fail = [&](const std::string& what) {
    return ConfigError(fmt::format("query after '{}': {}", done, what));
  };
  for (const std::string& action : history) {
    if (state.IsTerminal() || tree.IsTerminal(node)) throw fail("the hand is over");
    if (action.empty()) throw fail("an empty action (f, k, c, r<chips> or a)");
    auto find = [&](std::initializer_list<ActionKind> kinds) {
      for (int a = 0; a < tree.NumActions(node); ++a) {
        for (ActionKind k : kinds)
          if (tree.Action(node, a).kind == k) return a;
      }
      return -1;
    };
    int child = -1;
    if (action == "f" && state.CanFold()) {
      child = find({ActionKind::kFold});
      state.Fold();
    } else if ((action == "k" && state.CanCheck()) || (action == "c" && !state.CanCheck())) {
      child = find({ActionKind::kCheck, ActionKind::kCall});
      state.CheckOrCall();
    } else if ((action == "a" || action[0] == 'r') && state.CanRaise()) {
      std::int32_t to = state.MaxRaiseTo();
      if (action != "a") {
        const auto chips = RaiseChips(action);
        if (!chips) throw fail("'" + Printable(action) + "' is not r<chips> (1 to 1000000000)");
        to = *chips;
        if (to < state.MinRaiseTo() || to > state.MaxRaiseTo()) {
          throw fail(fmt::format("a raise to {} is illegal here (from {} to {})", to, state.MinRaiseTo(),
                                 state.MaxRaiseTo()));
        }
      }
      try {
        const auto t = abstraction::TranslateRaise(tree, node, state, to);
        child = t.lower_probability >= 0.5 ? t.lower : t.upper;
      } catch (const std::invalid_argument&) {
        child = -1;
      }
      state.RaiseTo(to);
    } else {
      throw fail("'" + Printable(action) + "' is not a legal action (f, k, c, r<chips> or a)");
    }
    if (child < 0) throw fail("'" + Printable(action) + "' has no counterpart in the betting abstraction");
    node = tree.Child(node, child);
    done += (done.empty() ? "" : " ") + action;
  }
  if (state.IsTerminal() || tree.IsTerminal(node)) throw fail("the hand is over");
  if (tree.Player(node) != seat) throw fail(fmt::format("seat {} is to act, not seat {}", tree.Player(node), seat));
  const int street = tree.StreetOf(node);
  const int needed = abstraction::kBoardCards[static_cast<std::size_t>(street)];
  if (board_cards != static_cast<std::size_t>(needed)) {
    throw fail(fmt::format("the {} needs {} board cards, found {}", abstraction::StreetName(street), needed,
                           board_cards));
  }
  return node;
}

std::vector<std::string> Blueprint::ActionNames(std::uint32_t node) const {
  std::vector<std::string> names;
  for (int a = 0; a < game_->NumActions(node); ++a) names.push_back(game_->ActionName(node, a));
  return names;
}

std::vector<BlueprintAction> Blueprint::Query(int seat, const std::vector<std::string>& history,
                                              const abstraction::Card* hole,
                                              const std::vector<abstraction::Card>& board) const {
  const std::uint32_t node = Locate(seat, history, board.size());
  for (std::size_t i = 0; i < board.size() + 2; ++i) {  // a possible deal: every card once
    const abstraction::Card c = i < 2 ? hole[i] : board[i - 2];
    for (std::size_t j = 0; j < i; ++j) {
      if ((j < 2 ? hole[j] : board[j - 2]) == c) {
        throw ConfigError(fmt::format("query: {} is dealt twice", abstraction::CardName(c)));
      }
    }
  }
  const int street = game_->tree().StreetOf(node);
  const float* p = At(node, buckets_->Bucket(street, hole, board.data()));
  std::vector<BlueprintAction> out;
  for (int a = 0; a < game_->NumActions(node); ++a) out.push_back({game_->ActionName(node, a), p[a]});
  return out;
}

const std::vector<std::array<abstraction::Card, 2>>& Blueprint::HolePairs() {
  static const std::vector<std::array<abstraction::Card, 2>> pairs = [] {
    std::vector<std::array<abstraction::Card, 2>> v;
    for (int a = 1; a < abstraction::kNumCards; ++a) {
      for (int b = 0; b < a; ++b) v.push_back({static_cast<abstraction::Card>(a), static_cast<abstraction::Card>(b)});
    }
    return v;
  }();
  return pairs;
}

std::vector<float> Blueprint::QueryAllHoles(std::uint32_t node, const std::vector<abstraction::Card>& board) const {
  const int street = game_->tree().StreetOf(node);
  BP_CHECK_EQ(board.size(), static_cast<std::size_t>(abstraction::kBoardCards[static_cast<std::size_t>(street)]));
  const auto n = static_cast<std::size_t>(game_->NumActions(node));
  abstraction::CardMask dead = 0;
  for (abstraction::Card c : board) dead |= abstraction::MaskOf(c);
  std::vector<float> out(HolePairs().size() * n, std::numeric_limits<float>::quiet_NaN());
  for (std::size_t i = 0; i < HolePairs().size(); ++i) {
    const auto& hole = HolePairs()[i];
    if ((dead & (abstraction::MaskOf(hole[0]) | abstraction::MaskOf(hole[1]))) != 0) continue;
    const float* p = At(node, buckets_->Bucket(street, hole.data(), board.data()));
    std::copy(p, p + n, out.begin() + static_cast<std::ptrdiff_t>(i * n));
  }
  return out;
}

template <class R>
void StrategyProbabilities(const solver::TableLayout& layout, const R* regrets, std::span<const double> strategy_sum,
                           std::uint64_t first, std::span<float> out) {
  const std::uint64_t last = first + out.size();
  for (solver::NodeId node = 0; node < layout.num_nodes(); ++node) {
    const int n = layout.num_actions(node);
    if (n == 0 || layout.entry_offset(node) < first || layout.entry_end(node) > last) continue;
    for (std::uint64_t e = layout.entry_offset(node); e < layout.entry_end(node); e += static_cast<std::uint64_t>(n)) {
      double p[solver::kMaxActions];
      if (e + static_cast<std::uint64_t>(n) <= strategy_sum.size()) {
        solver::NormalizeStrategySum(strategy_sum.data() + e, n, p);
      } else {
        R r[solver::kMaxActions];
        for (int a = 0; a < n; ++a) {
          r[a] = std::atomic_ref<const R>(regrets[e + static_cast<std::uint64_t>(a)]).load(std::memory_order_relaxed);
        }
        solver::RegretMatching(r, n, p);
      }
      for (int a = 0; a < n; ++a) out[e - first + static_cast<std::uint64_t>(a)] = static_cast<float>(p[a]);
    }
  }
}

template <class R>
std::vector<float> StrategyProbabilities(const solver::TableLayout& layout, const R* regrets,
                                         std::span<const double> strategy_sum, std::uint64_t first) {
  std::vector<float> out;
  base::AllocatePopulatedPrivate(out, layout.num_entries() - first);  // no page fault per page
  StrategyProbabilities(layout, regrets, strategy_sum, first, std::span<float>(out));
  return out;
}

template void StrategyProbabilities(const solver::TableLayout&, const double*, std::span<const double>, std::uint64_t,
                                    std::span<float>);
template void StrategyProbabilities(const solver::TableLayout&, const std::int32_t*, std::span<const double>,
                                    std::uint64_t, std::span<float>);
template std::vector<float> StrategyProbabilities(const solver::TableLayout&, const double*, std::span<const double>,
                                                  std::uint64_t);
template std::vector<float> StrategyProbabilities(const solver::TableLayout&, const std::int32_t*,
                                                  std::span<const double>, std::uint64_t);

}  // namespace bp::trainer

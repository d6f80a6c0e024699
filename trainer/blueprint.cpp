#include "trainer/blueprint.h"

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/core.h>

#include "abstraction/bet_translation.h"
#include "abstraction/checksum.h"
#include "ipc/segment.h"
#include "solver/regret_matching.h"
#include "trainer/checkpoint.h"

namespace bp::trainer {
namespace {

constexpr char kMagic[8] = {'B', 'P', 'B', 'L', 'U', 'E', 'P', '1'};
// 2: XXH3-64 checksum; 1 (earlier versions, still read): FNV-1a 64.
constexpr std::uint32_t kVersion = 2;


template <class T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
T Get(const std::string& in, std::size_t offset) {
  T v;
  std::memcpy(&v, in.data() + offset, sizeof v);
  return v;
}

}  // namespace

void Blueprint::Write(const std::string& path, const Config& config, std::uint64_t iterations,
                      std::uint64_t bucket_fingerprint, const std::vector<float>& probabilities) {
  const std::string yaml = ToYaml(config);
  std::string head(kMagic, 8);
  Put<std::uint32_t>(head, kVersion);
  Put<std::uint32_t>(head, 0);
  Put<std::uint64_t>(head, iterations);
  Put<std::uint64_t>(head, bucket_fingerprint);
  Put<std::uint64_t>(head, probabilities.size());
  Put<std::uint64_t>(head, yaml.size());
  head += yaml;
  head.append((8 - head.size() % 8) % 8, '\0');
  const std::string tmp = path + ".tmp";
  if (!WriteChecksummed(tmp, head, probabilities)) {
    throw abstraction::AssetError(fmt::format("{}: cannot write the blueprint", tmp));
  }
  std::filesystem::rename(tmp, path);
}

Blueprint Blueprint::Open(const std::string& path, const std::string& buckets) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw abstraction::AssetError(fmt::format("{}: cannot open blueprint: {}", path, std::strerror(errno)));
  const std::string bytes = ReadWholeFile(in, path);
  auto bad = [&](const std::string& what) { return abstraction::AssetError(fmt::format("{}: {}", path, what)); };
  if (bytes.size() < 56 || std::memcmp(bytes.data(), kMagic, 8) != 0) throw bad("not a blueprint file (magic is not BPBLUEP1)");
  const std::uint32_t version = Get<std::uint32_t>(bytes, 8);
  if (version != kVersion && version != 1) {
    throw bad(fmt::format("blueprint version {}, this build reads versions 1 and {}", version, kVersion));
  }
  const std::size_t body = bytes.size() - 8;
  const auto kind = version == 1 ? abstraction::Checksum::Kind::kFnv1a64 : abstraction::Checksum::Kind::kXxh3;
  if (abstraction::Checksum::Of(kind, bytes.data(), body) != Get<std::uint64_t>(bytes, body)) {
    throw bad("checksum mismatch: the file is corrupt");
  }
  Blueprint b;
  b.iterations_ = Get<std::uint64_t>(bytes, 16);
  const auto fingerprint = Get<std::uint64_t>(bytes, 24);
  const auto entries = Get<std::uint64_t>(bytes, 32);
  const auto yaml_size = Get<std::uint64_t>(bytes, 40);
  const std::size_t table = (48 + yaml_size + 7) / 8 * 8;
  if (table + entries * sizeof(float) != body) throw bad("truncated or malformed blueprint");
  b.config_ = ParseConfig(bytes.substr(48, yaml_size), path + " (its config)", {}, Inapplicable::kIgnoreInText);
  if (b.config_.game.name != "nlhe") throw bad("blueprints are for nlhe runs, this one's game is " + b.config_.game.name);
  const std::string bucket_path = buckets.empty() ? b.config_.abstraction.buckets : buckets;
  b.buckets_ = std::make_unique<abstraction::BucketFile>(abstraction::BucketFile::Open(bucket_path));
  if (b.buckets_->fingerprint() != fingerprint) {
    throw bad(fmt::format("trained with the bucket file of fingerprint {:016x}, but {} has {:016x}", fingerprint,
                          bucket_path, b.buckets_->fingerprint()));
  }
  b.evaluator_ = std::make_unique<abstraction::HandEvaluator>();
  b.game_ = std::make_unique<abstraction::NlheGame>(TableOf(b.config_), b.config_.betting, *b.buckets_, *b.evaluator_);
  b.layout_ = std::make_unique<solver::TableLayout>(*b.game_);
  if (b.layout_->num_entries() != entries) {
    throw bad(fmt::format("{} probabilities, but its config's tree and buckets have {} entries", entries,
                          b.layout_->num_entries()));
  }
  b.probabilities_.resize(entries);
  std::memcpy(b.probabilities_.data(), bytes.data() + table, entries * sizeof(float));
  return b;
}

const float* Blueprint::At(std::uint32_t node, std::uint32_t bucket) const {
  return probabilities_.data() + layout_->entry_offset(node) +
         static_cast<std::uint64_t>(bucket) * static_cast<std::uint64_t>(game_->NumActions(node));
}

std::vector<BlueprintAction> Blueprint::Query(int seat, const std::vector<std::string>& history,
                                              const abstraction::Card* hole,
                                              const std::vector<abstraction::Card>& board) const {
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
        try {
          to = static_cast<std::int32_t>(std::stol(action.substr(1)));
        } catch (const std::exception&) {
          throw fail("'" + action + "' is not r<chips>");
        }
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
      throw fail("'" + action + "' is not a legal action (f, k, c, r<chips> or a)");
    }
    if (child < 0) throw fail("'" + action + "' has no counterpart in the betting abstraction");
    node = tree.Child(node, child);
    done += (done.empty() ? "" : " ") + action;
  }
  if (state.IsTerminal() || tree.IsTerminal(node)) throw fail("the hand is over");
  if (tree.Player(node) != seat) throw fail(fmt::format("seat {} is to act, not seat {}", tree.Player(node), seat));
  const int street = tree.StreetOf(node);
  if (board.size() != static_cast<std::size_t>(abstraction::HoldemIndexer::kBoardCards[static_cast<std::size_t>(street)])) {
    throw fail(fmt::format("the {} needs {} board cards, found {}", street == 0 ? "preflop" : street == 1 ? "flop" : street == 2 ? "turn" : "river",
                           abstraction::HoldemIndexer::kBoardCards[static_cast<std::size_t>(street)], board.size()));
  }
  const std::uint32_t bucket = buckets_->Bucket(street, hole, board.data());
  const float* p = At(node, bucket);
  std::vector<BlueprintAction> out;
  for (int a = 0; a < tree.NumActions(node); ++a) out.push_back({game_->ActionName(node, a), p[a]});
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
  ipc::AllocatePopulatedPrivate(out, layout.num_entries() - first);  // no page fault per page
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

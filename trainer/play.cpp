#include "trainer/play.h"

#include <fmt/core.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "abstraction/card.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/nlhe_state.h"
#include "abstraction/reference_evaluator.h"
#include "solver/regret_matching.h"
#include "solver/rng.h"
#include "trainer/blueprint.h"
#include "trainer/query.h"

namespace bp::trainer {
namespace {

using abstraction::ActionKind;
using abstraction::Card;
using abstraction::NlheState;

volatile sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

// SIGINT ends the session: a read it interrupts fails (no SA_RESTART).
class InterruptScope {
 public:
  InterruptScope() {
    struct sigaction sa {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &old_);
  }
  ~InterruptScope() { sigaction(SIGINT, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

std::string Cards(const Card* cards, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? " " : "") + abstraction::CardName(cards[i]);
  return s;
}

// The running score: the player's result per hand, in big blinds.
struct Score {
  std::vector<double> bb;
  double Total() const {
    double t = 0;
    for (double x : bb) t += x;
    return t;
  }
  std::string Line() const {
    const double n = static_cast<double>(bb.size());
    if (bb.empty()) return "no hands played";
    const double mean = Total() / n;
    double var = 0;
    for (double x : bb) var += (x - mean) * (x - mean);
    std::string interval = "interval needs 2 hands";
    if (bb.size() >= 2) {
      const double half = 1.96 * std::sqrt(var / (n - 1) / n) * 100;
      interval = fmt::format("95% interval {:+.0f} to {:+.0f}", mean * 100 - half, mean * 100 + half);
    }
    return fmt::format("{} hand{}, you {:+.2f} bb: {:+.0f} bb/100 ({})", bb.size(), bb.size() == 1 ? "" : "s",
                       Total(), mean * 100, interval);
  }
};

struct Decision {
  std::string street, history, chosen;
  std::vector<BlueprintAction> actions;
};

class Session {
 public:
  Session(const PlayOptions& options, std::istream& in, std::FILE* out)
      : options_(options), in_(in), out_(out), blueprint_(Blueprint::Open(options.blueprint, options.buckets)) {
    const Config& c = blueprint_.config();
    if (c.game.players != 2) {
      throw ConfigError(fmt::format("{}: play is heads-up; this blueprint is for {} players", options.blueprint,
                                    c.game.players));
    }
    bb_ = c.game.big_blind;
    seed_ = options.seed ? *options.seed : std::random_device{}() * 0x100000001ULL ^ std::random_device{}();
    rng_.Seed(seed_);
  }

  int Run() {
    const Config& c = blueprint_.config();
    fmt::print(out_, "heads-up against {} ({} iterations): stacks {}, blinds {}/{}{}; seed {}\n", options_.blueprint,
               blueprint_.iterations(), c.game.stacks[0], c.game.small_blind, c.game.big_blind,
               c.game.ante ? fmt::format(", ante {}", c.game.ante) : "", seed_);
    fmt::print(out_, "actions: f fold, k check, c call, b<chips>/r<chips> bet or raise to a street total, a all-in, "
                     "q quit, ? help\n");
    for (std::uint64_t hand = 0; options_.hands == 0 || hand < options_.hands; ++hand) {
      if (!PlayHand(hand)) break;
    }
    fmt::print(out_, "\nsession over: {}\n", score_.Line());
    std::fflush(out_);
    return 0;
  }

 private:
  // False when the session ends during the hand (it is not counted).
  bool PlayHand(std::uint64_t hand) {
    const int you = static_cast<int>(hand % 2), bot = 1 - you;
    Card deck[abstraction::kNumCards];
    for (int i = 0; i < abstraction::kNumCards; ++i) deck[i] = static_cast<Card>(i);
    for (int i = 0; i < 9; ++i) {  // a partial shuffle: 2 + 2 hole cards, 5 board cards
      const int j = i + static_cast<int>(rng_.UniformBelow(static_cast<std::uint32_t>(abstraction::kNumCards - i)));
      std::swap(deck[i], deck[j]);
    }
    Card hole[2][2] = {{deck[0], deck[1]}, {deck[2], deck[3]}};
    const Card* board = deck + 4;
    NlheState state = NlheState::NewHand(TableOf(blueprint_.config()));
    std::vector<std::string> history;
    std::vector<Decision> decisions;
    off_tree_ = false;
    fmt::print(out_, "\n=== hand {}: you are seat {} ({}), the bot seat {}\n", hand + 1, you,
               you == 0 ? "button, small blind" : "big blind", bot);
    fmt::print(out_, "your cards: {}\n", Cards(hole[you], 2));
    int shown_street = 0;
    while (!state.IsTerminal()) {
      const int street = static_cast<int>(state.street());
      if (street != shown_street) {
        shown_street = street;
        fmt::print(out_, "--- {}: {}\n", abstraction::StreetName(street),
                   Cards(board, static_cast<std::size_t>(abstraction::kBoardCards[static_cast<std::size_t>(street)])));
      }
      const std::vector<Card> visible(board, board + abstraction::kBoardCards[static_cast<std::size_t>(street)]);
      std::string action;
      if (state.ToAct() == you) {
        const auto chosen = AskPlayer(state, you);
        if (!chosen) return false;
        action = *chosen;
        fmt::print(out_, "you: {}\n", Describe(state, action));
      } else {
        action = BotAction(state, bot, history, hole[bot], visible, decisions);
        fmt::print(out_, "bot: {}\n", Describe(state, action));
      }
      Apply(state, action);
      history.push_back(action);
    }
    // Run out and settle.
    std::array<abstraction::HandRank, abstraction::kMaxPlayers> ranks{};
    if (!state.FoldedOut()) {
      if (shown_street < 3) fmt::print(out_, "--- board: {}\n", Cards(board, 5));
      for (int p = 0; p < 2; ++p) {
        const Card seven[7] = {hole[p][0], hole[p][1], board[0], board[1], board[2], board[3], board[4]};
        ranks[static_cast<std::size_t>(p)] = evaluator_.Evaluate7(seven);
      }
      fmt::print(out_, "showdown: you {} ({}), the bot {} ({})\n", Cards(hole[you], 2),
                 abstraction::CategoryName(abstraction::CategoryOf(ranks[static_cast<std::size_t>(you)])),
                 Cards(hole[bot], 2),
                 abstraction::CategoryName(abstraction::CategoryOf(ranks[static_cast<std::size_t>(bot)])));
    } else {
      fmt::print(out_, "{} folded; the bot had {}\n", state.folded(you) ? "you" : "the bot", Cards(hole[bot], 2));
    }
    const auto payoffs = state.Payoffs(ranks);
    const std::int32_t won = payoffs[static_cast<std::size_t>(you)];
    score_.bb.push_back(static_cast<double>(won) / bb_);
    fmt::print(out_, "result of hand {}: you {:+d}, the bot {:+d} chips\n", hand + 1, won,
               payoffs[static_cast<std::size_t>(bot)]);
    if (options_.reveal) {
      for (const Decision& d : decisions) {
        std::string probs;
        for (const auto& a : d.actions) probs += fmt::format(" {} {:.1f}%", a.name, 100 * a.probability);
        fmt::print(out_, "  the bot on the {} after '{}':{}; played {}\n", d.street, d.history, probs, d.chosen);
      }
    }
    fmt::print(out_, "score: {}\n", score_.Line());
    return true;
  }

  // The legal actions with their chips.
  std::string Legal(const NlheState& state, int seat) const {
    std::vector<std::string> parts;
    if (state.CanFold()) parts.push_back("f fold");
    if (state.CanCheck()) {
      parts.push_back("k check");
    } else {
      parts.push_back(fmt::format("c call {}", std::min(state.CallAmount(), state.stack(seat))));
    }
    if (state.CanRaise()) {
      const char* verb = state.current_bet() == 0 ? "b" : "r";
      if (state.MinRaiseTo() < state.MaxRaiseTo()) {
        parts.push_back(fmt::format("{}<{}..{}> {} to", verb, state.MinRaiseTo(), state.MaxRaiseTo(),
                                    *verb == 'b' ? "bet" : "raise"));
      }
      parts.push_back(fmt::format("a all-in to {}", state.MaxRaiseTo()));
    }
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
    return s;
  }

  // The player's action in query syntax, or nothing when input ends.
  std::optional<std::string> AskPlayer(const NlheState& state, int you) {
    for (;;) {
      fmt::print(out_, "pot {}, your stack {}, the bot's {}; to call {}\n", state.pot(), state.stack(you),
                 state.stack(1 - you), state.CallAmount());
      fmt::print(out_, "[{}]> ", Legal(state, you));
      std::fflush(out_);
      std::string line;
      if (g_interrupted || !std::getline(in_, line) || g_interrupted) {
        fmt::print(out_, "\n");
        return std::nullopt;
      }
      std::string s;
      for (char ch : line) {
        if (!std::isspace(static_cast<unsigned char>(ch))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      if (s == "q" || s == "quit" || s == "exit") return std::nullopt;
      if (s == "?" || s == "h" || s == "help") {
        fmt::print(out_, "f fold, k check, c call, b<chips>/r<chips> bet or raise to a street total "
                         "(e.g. r600), a all-in, q quit\n");
        continue;
      }
      std::string problem;
      if (s == "f") {
        if (state.CanFold()) return s;
        problem = "nothing to call: check with k";
      } else if (s == "k" || (s == "c" && state.CanCheck())) {
        if (state.CanCheck()) return std::string("k");
        problem = fmt::format("you face a bet: call {} with c, or fold with f", state.CallAmount());
      } else if (s == "c") {
        return s;
      } else if (s == "a" || s == "allin") {
        if (state.CanRaise()) return std::string("a");
        problem = "you cannot raise here: call with c or fold with f";
      } else if (s.size() > 1 && (s[0] == 'b' || s[0] == 'r')) {
        const auto chips = RaiseChips("r" + s.substr(1));
        if (!state.CanRaise()) {
          problem = "you cannot raise here";
        } else if (!chips) {
          problem = fmt::format("'{}': expected {}<chips>, e.g. {}{}", Printable(line), s[0], s[0], state.MinRaiseTo());
        } else if (*chips < state.MinRaiseTo() || *chips > state.MaxRaiseTo()) {
          problem = fmt::format("{} to {} is not legal: from {} to {}", s[0] == 'b' ? "a bet" : "a raise", *chips,
                                state.MinRaiseTo(), state.MaxRaiseTo());
        } else {
          return *chips == state.MaxRaiseTo() ? std::string("a") : fmt::format("r{}", *chips);
        }
      } else {
        problem = fmt::format("'{}' is not an action; type ? for help", Printable(line));
      }
      fmt::print(out_, "{}\n", problem);
    }
  }

  // The bot's action: the blueprint's strategy sampled; its tree action
  // played with the real chips (a size out of the real range clamped to
  // it). Where the blueprint has no node for the real history (an action
  // the abstraction lacks), it checks or calls.
  std::string BotAction(const NlheState& state, int bot, const std::vector<std::string>& history, const Card* hole,
                        const std::vector<Card>& board, std::vector<Decision>& decisions) {
    std::string joined;
    for (const auto& h : history) joined += (joined.empty() ? "" : "-") + h;
    std::vector<BlueprintAction> actions;
    if (!off_tree_) {
      try {
        actions = blueprint_.Query(bot, history, hole, board);
      } catch (const ConfigError& e) {
        fmt::print(out_, "(the blueprint has no strategy here: {}; the bot checks or calls to the end of the hand)\n",
                   e.what());
        off_tree_ = true;
      }
    }
    if (off_tree_) return state.CanCheck() ? "k" : "c";
    double p[solver::kMaxActions];
    for (std::size_t a = 0; a < actions.size(); ++a) p[a] = actions[a].probability;
    const auto pick = static_cast<std::size_t>(
        solver::SampleIndex(p, static_cast<int>(actions.size()), rng_.UniformDouble()));
    const std::string& name = actions[pick].name;
    std::string real;
    if (name == "f") {
      real = state.CanFold() ? "f" : "k";
    } else if (name == "k" || name == "c") {
      real = state.CanCheck() ? "k" : "c";
    } else if (!state.CanRaise()) {
      real = state.CanCheck() ? "k" : "c";
    } else if (name[0] == 'a') {
      real = "a";
    } else {
      const auto to = RaiseChips(name);
      const std::int32_t chips = std::clamp(to.value_or(state.MinRaiseTo()), state.MinRaiseTo(), state.MaxRaiseTo());
      real = chips == state.MaxRaiseTo() ? "a" : fmt::format("r{}", chips);
    }
    decisions.push_back({abstraction::StreetName(static_cast<int>(state.street())), joined, real, std::move(actions)});
    return real;
  }

  static std::string Describe(const NlheState& state, const std::string& action) {
    if (action == "f") return "fold";
    if (action == "k") return "check";
    if (action == "c") return fmt::format("call {}", std::min(state.CallAmount(), state.stack(state.ToAct())));
    if (action == "a") return fmt::format("all-in to {}", state.MaxRaiseTo());
    return fmt::format("{} to {}", state.current_bet() == 0 ? "bet" : "raise", action.substr(1));
  }

  static void Apply(NlheState& state, const std::string& action) {
    if (action == "f") {
      state.Fold();
    } else if (action == "k" || action == "c") {
      state.CheckOrCall();
    } else if (action == "a") {
      state.RaiseTo(state.MaxRaiseTo());
    } else {
      state.RaiseTo(*RaiseChips(action));
    }
  }

  const PlayOptions& options_;
  std::istream& in_;
  std::FILE* out_;
  Blueprint blueprint_;
  abstraction::HandEvaluator evaluator_;
  solver::Rng rng_;
  std::uint64_t seed_ = 0;
  double bb_ = 1;
  bool off_tree_ = false;  // this hand left the betting abstraction
  Score score_;
};

}  // namespace

int Play(const PlayOptions& options, std::istream& in, std::FILE* out) {
  g_interrupted = 0;
  const InterruptScope scope;
  Session session(options, in, out);
  return session.Run();
}

}  // namespace bp::trainer

#include "trainer/config.h"
#include "trainer/config_checks.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <sstream>

namespace bp::trainer {

namespace {

template <class E>
std::string OptionalName(const std::optional<E>& value) {
  return value ? std::string(NameOf(*value)) : std::string("auto");
}

Interval ParseInterval(const std::string& s) {
  if (s == "off") return {Interval::Unit::kIterations, 0};
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {Interval::Unit::kIterations, static_cast<double>(ParseUInt(s, 0, UINT64_MAX))};
  }
  try {
    return {Interval::Unit::kSeconds, ParseDurationSeconds(s)};
  } catch (const std::invalid_argument&) {
    throw Expected{"an iteration count (e.g. 1000000), a duration (e.g. 30m), or off"};
  }
}

// A regret bound: a number at most 0 (in the game's utility units).
double ParseNonPositive(const std::string& s, bool allow_off) {
  try {
    return ParseReal(s, -1e300, 0);
  } catch (const Expected&) {
    throw Expected{allow_off ? "a number at most 0 (utility units: big blinds for nlhe) or off"
                             : "a number at most 0 (utility units: big blinds for nlhe)"};
  }
}

std::int32_t ParseChips(const std::string& s, std::int64_t lo) {
  return static_cast<std::int32_t>(ParseUInt(s, static_cast<std::uint64_t>(lo), 1000000000));
}

std::vector<std::int32_t> ParseStacks(const std::string& s) {
  std::vector<std::int32_t> stacks;
  std::size_t start = 0;
  for (;;) {
    const auto end = s.find(',', start);
    std::string item = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    try {
      stacks.push_back(ParseChips(item, 1));
    } catch (const Expected&) {
      throw Expected{"chips from 1 to 1000000000, one value for every seat or a list of one per seat"};
    }
    if (end == std::string::npos) return stacks;
    start = end + 1;
  }
}

std::string JoinStacks(const std::vector<std::int32_t>& stacks) {
  std::string out;
  for (std::size_t i = 0; i < stacks.size(); ++i) out += (i ? ", " : "") + std::to_string(stacks[i]);
  return out;
}

void AddStreetFields(std::vector<Field<Config>>& f, int street, const char* name) {
  const std::string prefix = std::string("betting.") + name + ".";
  if (street == 0) {
    f.push_back({prefix + "limp", [](const std::string& s, Config& c) { c.betting.streets[0].limp = ParseBool(s); },
                 [](const Config& c) { return std::string(c.betting.streets[0].limp ? "true" : "false"); }, true});
  }
  f.push_back({prefix + "max_raises",
               [street](const std::string& s, Config& c) {
                 c.betting.streets[static_cast<std::size_t>(street)].max_raises = static_cast<int>(ParseUInt(s, 0, 16));
               },
               [street](const Config& c) {
                 return std::to_string(c.betting.streets[static_cast<std::size_t>(street)].max_raises);
               },
               true});
  f.push_back({prefix + "sizes",
               [street](const std::string& s, Config& c) {
                 try {
                   c.betting.streets[static_cast<std::size_t>(street)].sizes = abstraction::ParseSizes(s);
                 } catch (const std::invalid_argument& e) {
                   throw Expected{std::string("pot fractions or allin per raise depth, e.g. [[0.5, 1, allin], "
                                              "[allin]] (") + e.what() + ")"};
                 }
               },
               [street](const Config& c) {
                 return abstraction::FormatSizes(c.betting.streets[static_cast<std::size_t>(street)].sizes);
               },
               true, ListForm::kListOfLists});
}

const YamlSchema<Config>& Schema() {
  static const YamlSchema<Config> schema([] {
    std::vector<Field<Config>> f;
    f.push_back({"game.name", [](const std::string& s, Config& c) { c.game.name = *ParseEnumOf<GameName>(s); },
                 [](const Config& c) { return std::string(NameOf(c.game.name)); }, true});
    f.push_back({"game.players",
                 [](const std::string& s, Config& c) { c.game.players = static_cast<int>(ParseUInt(s, 2, 6)); },
                 [](const Config& c) { return std::to_string(c.game.players); }, true});
    f.push_back({"game.stacks", [](const std::string& s, Config& c) { c.game.stacks = ParseStacks(s); },
                 [](const Config& c) { return JoinStacks(c.game.stacks); }, true, ListForm::kList});
    f.push_back({"game.small_blind", [](const std::string& s, Config& c) { c.game.small_blind = ParseChips(s, 1); },
                 [](const Config& c) { return std::to_string(c.game.small_blind); }, true});
    f.push_back({"game.big_blind", [](const std::string& s, Config& c) { c.game.big_blind = ParseChips(s, 1); },
                 [](const Config& c) { return std::to_string(c.game.big_blind); }, true});
    f.push_back({"game.ante", [](const std::string& s, Config& c) { c.game.ante = ParseChips(s, 0); },
                 [](const Config& c) { return std::to_string(c.game.ante); }, true});
    // Not an identity key as a path: a run resumes with the same file under
    // any name (IdentityKeys' abstraction.buckets_fingerprint).
    f.push_back({"abstraction.buckets", [](const std::string& s, Config& c) { c.abstraction.buckets = s; },
                 [](const Config& c) { return c.abstraction.buckets; }});
    f.push_back({"abstraction.preflop_equity",
                 [](const std::string& s, Config& c) {
                   if (s.empty()) throw Expected{"a file path"};
                   c.abstraction.preflop_equity = s;
                 },
                 [](const Config& c) { return c.abstraction.preflop_equity; }});
    for (int street = 0; street < static_cast<int>(abstraction::kNumStreets); ++street) {
      AddStreetFields(f, street, abstraction::StreetName(street));
    }
    f.push_back({"solver.sampling",
                 [](const std::string& s, Config& c) { c.solver.sampling = ParseEnum(s, {"external", "full"}); },
                 [](const Config& c) { return c.solver.sampling; }, true});
    for (const auto& item : {std::pair{"solver.regret_weight", &Config::Solver::regret_weight},
                             std::pair{"solver.average_weight", &Config::Solver::average_weight}}) {
      const auto member = item.second;
      f.push_back({item.first,
                   [member](const std::string& s, Config& c) { c.solver.*member = *ParseEnumOf<IterationWeighting>(s); },
                   [member](const Config& c) { return std::string(NameOf(c.solver.*member)); }, true});
    }
    const auto optional_interval = [&f](const char* key, std::optional<Interval> Config::Solver::*member,
                                        bool identity) {
      f.push_back({key,
                   [member](const std::string& s, Config& c) {
                     c.solver.*member = s == "auto" ? std::nullopt : std::optional<Interval>(ParseInterval(s));
                   },
                   [member](const Config& c) {
                     const auto& v = c.solver.*member;
                     return v ? v->ToString() : std::string("auto");
                   },
                   identity});
    };
    optional_interval("solver.discount_interval", &Config::Solver::discount_interval, true);
    optional_interval("solver.discount_stop", &Config::Solver::discount_stop, true);
    f.push_back({"solver.regret_floor",
                 [](const std::string& s, Config& c) {
                   c.solver.regret_floor = s == "off" ? -std::numeric_limits<double>::infinity() : ParseNonPositive(s, true);
                 },
                 [](const Config& c) {
                   return std::isinf(c.solver.regret_floor) ? std::string("off")
                                                            : fmt::format("{}", c.solver.regret_floor);
                 }});
    optional_interval("solver.prune_start", &Config::Solver::prune_start, false);
    f.push_back({"solver.prune_threshold",
                 [](const std::string& s, Config& c) { c.solver.prune_threshold = ParseNonPositive(s, false); },
                 [](const Config& c) { return fmt::format("{}", c.solver.prune_threshold); }});
    f.push_back({"solver.prune_probability",
                 [](const std::string& s, Config& c) { c.solver.prune_probability = ParseReal(s, 0, 1); },
                 [](const Config& c) { return fmt::format("{}", c.solver.prune_probability); }});
    f.push_back({"solver.average",
                 [](const std::string& s, Config& c) { c.solver.average = ParseEnumOf<AverageStreets>(s, true); },
                 [](const Config& c) { return OptionalName(c.solver.average); }, true});
    f.push_back({"solver.average_start",
                 [](const std::string& s, Config& c) { c.solver.average_start = ParseInterval(s); },
                 [](const Config& c) { return c.solver.average_start.ToString(); }});
    f.push_back({"solver.average_update",
                 [](const std::string& s, Config& c) { c.solver.average_update = ParseEnumOf<AverageUpdate>(s, true); },
                 [](const Config& c) { return OptionalName(c.solver.average_update); }, true});
    f.push_back({"solver.average_interval",
                 [](const std::string& s, Config& c) { c.solver.average_interval = ParseUInt(s, 1, 1ULL << 40); },
                 [](const Config& c) { return std::to_string(c.solver.average_interval); }});
    f.push_back({"run.iterations",
                 [](const std::string& s, Config& c) { c.run.iterations = ParseUInt(s, 0, 1ULL << 50); },
                 [](const Config& c) { return std::to_string(c.run.iterations); }});
    f.push_back({"run.time_budget",
                 [](const std::string& s, Config& c) { c.run.time_budget_s = ParseDurationField(s, 0); },
                 [](const Config& c) { return FormatSeconds(c.run.time_budget_s); }});
    f.push_back({"run.num_workers",
                 [](const std::string& s, Config& c) { c.run.num_workers = static_cast<int>(ParseUInt(s, 0, 256)); },
                 [](const Config& c) { return std::to_string(c.run.num_workers); }});
    f.push_back({"run.batch_size",
                 [](const std::string& s, Config& c) { c.run.batch_size = ParseUInt(s, 1, 100000000); },
                 [](const Config& c) { return std::to_string(c.run.batch_size); }});
    f.push_back({"run.queue_depth",
                 [](const std::string& s, Config& c) { c.run.queue_depth = static_cast<int>(ParseUInt(s, 2, 16)); },
                 [](const Config& c) { return std::to_string(c.run.queue_depth); }});
    f.push_back({"run.put_timeout",
                 [](const std::string& s, Config& c) {
                   c.run.put_timeout_s = ParseDurationField(s, 0.001);
                   if (c.run.put_timeout_s > 86400) throw Expected{"a duration from 1ms to 24h"};
                 },
                 [](const Config& c) { return FormatSeconds(c.run.put_timeout_s); }});
    f.push_back({"run.worker_timeout",
                 [](const std::string& s, Config& c) {
                   const Expected expected{"auto or a duration from 100ms to 24h"};
                   try {
                     c.run.worker_timeout_s = s == "auto" ? 0 : ParseDurationField(s, 0.1);
                   } catch (const Expected&) {
                     throw expected;
                   }
                   if (c.run.worker_timeout_s > 86400) throw expected;
                 },
                 [](const Config& c) {
                   return c.run.worker_timeout_s == 0 ? std::string("auto") : FormatSeconds(c.run.worker_timeout_s);
                 }});
    f.push_back({"run.max_worker_deaths",
                 [](const std::string& s, Config& c) {
                   c.run.max_worker_deaths = static_cast<int>(ParseUInt(s, 1, 1000000));
                 },
                 [](const Config& c) { return std::to_string(c.run.max_worker_deaths); }});
    f.push_back({"run.pin_workers", [](const std::string& s, Config& c) { c.run.pin_workers = ParseBool(s); },
                 [](const Config& c) { return std::string(c.run.pin_workers ? "true" : "false"); }});
    f.push_back({"run.coordinator_cpu",
                 [](const std::string& s, Config& c) { c.run.coordinator_cpu = *ParseEnumOf<CoordinatorCpu>(s); },
                 [](const Config& c) { return std::string(NameOf(c.run.coordinator_cpu)); }});
    f.push_back({"run.deterministic", [](const std::string& s, Config& c) { c.run.deterministic = ParseBool(s); },
                 [](const Config& c) { return std::string(c.run.deterministic ? "true" : "false"); }});
    f.push_back({"run.seed", [](const std::string& s, Config& c) { c.run.seed = ParseUInt(s, 0, UINT64_MAX); },
                 [](const Config& c) { return std::to_string(c.run.seed); }});
    f.push_back({"checkpoint.interval",
                 [](const std::string& s, Config& c) { c.checkpoint.interval = ParseInterval(s); },
                 [](const Config& c) { return c.checkpoint.interval.ToString(); }});
    f.push_back({"checkpoint.keep",
                 [](const std::string& s, Config& c) { c.checkpoint.keep = static_cast<int>(ParseUInt(s, 1, 1000)); },
                 [](const Config& c) { return std::to_string(c.checkpoint.keep); }});
    f.push_back({"checkpoint.snapshot_interval",
                 [](const std::string& s, Config& c) { c.checkpoint.snapshot_interval = ParseInterval(s); },
                 [](const Config& c) { return c.checkpoint.snapshot_interval.ToString(); }});
    f.push_back({"checkpoint.snapshot_start",
                 [](const std::string& s, Config& c) { c.checkpoint.snapshot_start = ParseInterval(s); },
                 [](const Config& c) { return c.checkpoint.snapshot_start.ToString(); }});
    f.push_back({"checkpoint.max_failures",
                 [](const std::string& s, Config& c) { c.checkpoint.max_failures = static_cast<int>(ParseUInt(s, 0, 1000000)); },
                 [](const Config& c) { return std::to_string(c.checkpoint.max_failures); }});
    f.push_back({"checkpoint.curve", [](const std::string& s, Config& c) { c.checkpoint.curve = ParseBool(s); },
                 [](const Config& c) { return std::string(c.checkpoint.curve ? "true" : "false"); }});
    f.push_back({"distributed.sync_interval",
                 [](const std::string& s, Config& c) {
                   if (s == "auto") {
                     c.distributed.sync_interval.reset();
                     return;
                   }
                   const Interval i = ParseInterval(s);
                   if (i.off() || i.value <= 0) throw Expected{"auto, a duration such as 50ms or an iteration count"};
                   c.distributed.sync_interval = i;
                 },
                 [](const Config& c) {
                   return c.distributed.sync_interval ? c.distributed.sync_interval->ToString() : std::string("auto");
                 }});
    f.push_back({"logging.logdir",
                 [](const std::string& s, Config& c) {
                   if (s.empty()) throw Expected{"a directory path"};
                   c.logging.logdir = s;
                 },
                 [](const Config& c) { return c.logging.logdir; }});
    f.push_back({"logging.metrics_interval",
                 [](const std::string& s, Config& c) { c.logging.metrics_interval_s = ParseDurationField(s, 0.05); },
                 [](const Config& c) { return FormatSeconds(c.logging.metrics_interval_s); }});
    f.push_back({"logging.exploitability_interval",
                 [](const std::string& s, Config& c) {
                   c.logging.exploitability_interval_s = ParseDurationField(s, 0);
                 },
                 [](const Config& c) { return FormatSeconds(c.logging.exploitability_interval_s); }});
    f.push_back({"logging.progress",
                 [](const std::string& s, Config& c) { c.logging.progress = *ParseEnumOf<ProgressStyle>(s); },
                 [](const Config& c) { return std::string(NameOf(c.logging.progress)); }});
    // Keys that mean something for some games only: given for another game,
    // they are an error (a config that sets game.players but forgets
    // game.name would otherwise train leduc).
    const auto only_for = [&f](const std::string& prefix, std::vector<GameName> games, const std::string& why) {
      std::string names;
      for (std::size_t i = 0; i < games.size(); ++i) {
        names += (i == 0 ? "" : i + 1 == games.size() ? " or " : ", ") + std::string(NameOf(games[i]));
      }
      for (auto& field : f) {
        if (field.path.rfind(prefix, 0) != 0) continue;
        field.inapplicable = [games, names, why](const Config& c) {
          if (std::find(games.begin(), games.end(), c.game.name) != games.end()) return std::string();
          return fmt::format("expected only with game.name {} ({}), found with game.name {}", names, why,
                             NameOf(c.game.name));
        };
      }
    };
    for (const char* key : {"game.players", "game.stacks", "game.small_blind", "game.big_blind", "game.ante"}) {
      only_for(key, {GameName::kNlhe, GameName::kNlhePreflop}, "the table of no-limit hold'em");
    }
    only_for("betting.", {GameName::kNlhe, GameName::kNlhePreflop}, "the bet sizes of no-limit hold'em");
    only_for("abstraction.buckets", {GameName::kNlhe}, "bucket files are for nlhe");
    only_for("checkpoint.curve", {GameName::kNlhe}, "the strength curve of no-limit hold'em blueprints");
    only_for("abstraction.preflop_equity", {GameName::kNlhePreflop}, "the push/fold game's showdown equities");
    return f;
  }());
  return schema;
}

}  // namespace

abstraction::BettingAbstraction Config::DefaultBetting() {
  abstraction::BettingAbstraction b;
  b.streets[0] = {3, abstraction::ParseSizes("0.5, 1, 2, allin | 1, allin | allin"), true};
  for (std::size_t s = 1; s < abstraction::kNumStreets; ++s) b.streets[s] = {2, abstraction::ParseSizes("0.5, 1, allin | 1, allin"), true};
  return b;
}

abstraction::TableConfig TableOf(const Config& config) {
  abstraction::TableConfig t;
  t.players = config.game.players;
  for (int p = 0; p < t.players; ++p) {
    t.stacks[static_cast<std::size_t>(p)] =
        config.game.stacks[config.game.stacks.size() == 1 ? 0 : static_cast<std::size_t>(p)];
  }
  t.small_blind = config.game.small_blind;
  t.big_blind = config.game.big_blind;
  t.ante = config.game.ante;
  t.button = 0;
  return t;
}

solver::SamplingOptions Config::Solver::SamplingOptionsFor(int streets) const {
  solver::SamplingOptions o;
  o.average_streets = NumAveragedStreets(streets);
  o.prune_threshold = prune_threshold;
  o.prune_probability = prune_probability;
  o.sampled_average_interval = average_update == AverageUpdate::kSampled ? average_interval : 0;
  o.regret_weight_power = static_cast<int>(regret_weight);
  o.average_weight_power = static_cast<int>(average_weight);
  o.full_width = FullWidth();
  o.regret_floor = regret_floor;
  return o;
}

std::string Interval::ToString() const {
  if (off()) return "off";
  // An iteration count was parsed from a u64; converted back without
  // overflow (2^64 - 1 becomes the double 2^64).
  if (unit == Unit::kIterations) {
    return fmt::format("{}", value >= 18446744073709551615.0 ? UINT64_MAX : static_cast<std::uint64_t>(value));
  }
  return FormatSeconds(value);
}

std::vector<std::string> KnownKeys() { return Schema().KnownKeys(); }

Config ParseConfig(const std::string& yaml_text, const std::string& source, const std::vector<Override>& overrides,
                   Inapplicable inapplicable) {
  Config config;
  config.source = source;
  Schema().Parse(yaml_text, source, overrides, config, inapplicable);
  CheckAcrossKeys(config, source);
  ResolveSolverDefaults(config, source);
  return config;
}

Config LoadConfig(const std::string& path, const std::vector<Override>& overrides) {
  const std::string text = ReadConfigFile(path);
  // A file with no keys (empty, or comments only) is a mistake, not a wish
  // for the defaults.
  bool keys = false;
  try {
    const YAML::Node root = YAML::Load(text);
    keys = !root.IsNull() && !(root.IsMap() && root.size() == 0);
  } catch (const YAML::Exception&) {
    keys = true;  // ParseConfig reports where it is malformed
  }
  if (!keys) {
    throw ConfigError(fmt::format("{}: expected a config with at least game.name (e.g. 'game: {{name: leduc}}'), "
                                  "found no keys",
                                  path));
  }
  return ParseConfig(text, path, overrides);
}

std::string ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw ConfigError(fmt::format("{}: cannot read config file: {}", path, std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ToYaml(const Config& config) {
  return Schema().ToYaml(config, "# Resolved configuration: every key, defaults filled in.\n");
}

std::map<std::string, std::string> IdentityKeys(const Config& config, std::optional<std::uint64_t> bucket_fingerprint) {
  auto keys = Schema().IdentityKeys(config);
  if (bucket_fingerprint) keys["abstraction.buckets_fingerprint"] = fmt::format("{:016x}", *bucket_fingerprint);
  return keys;
}

}  // namespace bp::trainer

#include "trainer/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/core.h>
#include <fstream>
#include <functional>
#include <sstream>

namespace bp::trainer {

namespace {

// Thrown by a field parser: what was expected; the caller adds where and what was found.
struct Expected {
  std::string what;
};

// How a key takes a YAML list: not at all, a list of scalars (joined with
// ", "), or a list of lists (inner lists joined with ", ", outer with " | ").
enum class ListForm { kNone, kList, kListOfLists };

struct Field {
  std::string path;  // "section.key" or "section.group.key"
  std::function<void(const std::string&, Config&)> set;
  std::function<std::string(const Config&)> get;
  bool identity = false;  // must match to resume a checkpoint
  ListForm list = ListForm::kNone;
};

std::uint64_t ParseUInt(const std::string& s, std::uint64_t lo, std::uint64_t hi) {
  const std::string expected = fmt::format("an integer from {} to {}", lo, hi);
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Expected{expected};
  }
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE || v < lo || v > hi) throw Expected{expected};
  return v;
}

bool ParseBool(const std::string& s) {
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  throw Expected{"true or false"};
}

std::string ParseEnum(const std::string& s, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (s == a) return s;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw Expected{"one of " + list};
}

double ParseDurationField(const std::string& s, double min_s) {
  try {
    const double v = ParseDurationSeconds(s);
    if (v >= min_s) return v;
  } catch (const std::invalid_argument&) {
  }
  throw Expected{min_s > 0 ? fmt::format("a duration of at least {}s such as 90s, 30m, 8h", min_s)
                           : std::string("a duration such as 90s, 30m, 8h (0 = no limit)")};
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

std::string FormatSeconds(double s) {
  if (s == 0) return "0";
  if (std::fmod(s, 3600) == 0) return fmt::format("{}h", s / 3600);
  if (std::fmod(s, 60) == 0) return fmt::format("{}m", s / 60);
  if (s < 1) return fmt::format("{}ms", s * 1000);
  return fmt::format("{}s", s);
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

void AddStreetFields(std::vector<Field>& f, int street, const char* name) {
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

const std::vector<Field>& Schema() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> f;
    f.push_back({"game.name",
                 [](const std::string& s, Config& c) { c.game.name = ParseEnum(s, {"kuhn", "leduc", "nlhe"}); },
                 [](const Config& c) { return c.game.name; }, true});
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
    f.push_back({"abstraction.buckets", [](const std::string& s, Config& c) { c.abstraction.buckets = s; },
                 [](const Config& c) { return c.abstraction.buckets; }, true});
    AddStreetFields(f, 0, "preflop");
    AddStreetFields(f, 1, "flop");
    AddStreetFields(f, 2, "turn");
    AddStreetFields(f, 3, "river");
    f.push_back({"solver.sampling",
                 [](const std::string& s, Config& c) { c.solver.sampling = ParseEnum(s, {"external"}); },
                 [](const Config& c) { return c.solver.sampling; }, true});
    f.push_back({"solver.discount_interval",
                 [](const std::string& s, Config& c) { c.solver.discount_interval = ParseUInt(s, 0, 1ULL << 50); },
                 [](const Config& c) { return std::to_string(c.solver.discount_interval); }, true});
    f.push_back({"solver.discount_stop",
                 [](const std::string& s, Config& c) { c.solver.discount_stop = ParseUInt(s, 0, 1ULL << 50); },
                 [](const Config& c) { return std::to_string(c.solver.discount_stop); }, true});
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
                 [](const std::string& s, Config& c) { c.run.put_timeout_s = ParseDurationField(s, 0.001); },
                 [](const Config& c) { return FormatSeconds(c.run.put_timeout_s); }});
    f.push_back({"run.pin_workers", [](const std::string& s, Config& c) { c.run.pin_workers = ParseBool(s); },
                 [](const Config& c) { return std::string(c.run.pin_workers ? "true" : "false"); }});
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
                 [](const std::string& s, Config& c) { c.logging.progress = ParseEnum(s, {"auto", "bar", "lines"}); },
                 [](const Config& c) { return c.logging.progress; }});
    return f;
  }();
  return fields;
}

const Field* FindField(const std::string& path) {
  for (const Field& f : Schema()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// " (did you mean 'x'?)" for the closest of `candidates`, if close enough.
std::string Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(3, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::vector<std::string> Sections() {
  std::vector<std::string> s;
  for (const Field& f : Schema()) {
    const std::string section = f.path.substr(0, f.path.find('.'));
    if (std::find(s.begin(), s.end(), section) == s.end()) s.push_back(section);
  }
  return s;
}

// Names directly under `prefix`: "betting" -> preflop, flop, turn, river.
std::vector<std::string> ChildrenOf(const std::string& prefix) {
  std::vector<std::string> names;
  for (const Field& f : Schema()) {
    if (f.path.rfind(prefix + ".", 0) != 0) continue;
    const std::string rest = f.path.substr(prefix.size() + 1);
    const std::string name = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string Where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

std::string Found(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: return "'" + node.Scalar() + "'";
  }
}

// The text of a key's value: a scalar as is, a list in the field's list form.
std::string ValueText(const Field& field, const YAML::Node& value, const std::string& source) {
  if (value.IsScalar()) return value.Scalar();
  if (!value.IsSequence() || field.list == ListForm::kNone) {
    throw ConfigError(fmt::format("{}: {}: expected {}, found {}", Where(source, value.Mark()), field.path,
                                  field.list == ListForm::kNone ? "a single value" : "a value or a list",
                                  Found(value)));
  }
  bool all_scalars = true;
  for (const auto& item : value) all_scalars = all_scalars && item.IsScalar();
  auto join_scalars = [&](const YAML::Node& list) {
    std::string out;
    for (const auto& item : list) {
      if (!item.IsScalar()) {
        throw ConfigError(fmt::format("{}: {}: expected a single value in the list, found {}",
                                      Where(source, item.Mark()), field.path, Found(item)));
      }
      out += (out.empty() ? "" : ", ") + item.Scalar();
    }
    return out;
  };
  if (field.list == ListForm::kList || all_scalars) return join_scalars(value);
  std::string out;
  for (const auto& depth : value) {
    if (!depth.IsSequence()) {
      throw ConfigError(fmt::format("{}: {}: expected a list per raise depth, found {}", Where(source, depth.Mark()),
                                    field.path, Found(depth)));
    }
    out += (out.empty() ? "" : " | ") + join_scalars(depth);
  }
  return out;
}

void SetField(const Field& field, const std::string& value, Config& config, const std::string& where) {
  try {
    field.set(value, config);
  } catch (const Expected& e) {
    throw ConfigError(fmt::format("{}: {}: expected {}, found '{}'", where, field.path, e.what, value));
  }
}

void SetField(const Field& field, const std::string& value, Config& config, const std::string& where);

// The keys of mapping `node` at key path `prefix`, nested mappings included.
void ParseMap(const YAML::Node& node, const std::string& prefix, Config& config, const std::string& source) {
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = prefix + "." + key;
    if (const Field* field = FindField(path)) {
      SetField(*field, ValueText(*field, kv.second, source), config, Where(source, kv.second.Mark()));
      continue;
    }
    if (ChildrenOf(path).empty()) {
      std::string hint = Suggest(key, ChildrenOf(prefix));
      for (const Field& f : Schema()) {  // a key that belongs elsewhere
        if (hint.empty() && f.path.size() > key.size() && f.path.ends_with("." + key)) {
          hint = " (it exists only as " + f.path + ")";
        }
      }
      throw ConfigError(fmt::format("{}: unknown key '{}'{}", Where(source, kv.first.Mark()), path, hint));
    }
    if (kv.second.IsNull()) continue;
    if (!kv.second.IsMap()) {
      throw ConfigError(fmt::format("{}: {}: expected a mapping of keys ({}), found {}", Where(source, kv.second.Mark()),
                                    path, Join(ChildrenOf(path)), Found(kv.second)));
    }
    ParseMap(kv.second, path, config, source);
  }
}

void ApplyOverrides(const std::vector<Override>& overrides, Config& config) {
  std::vector<std::string> all = KnownKeys();
  for (const Override& o : overrides) {
    const Field* field = FindField(o.key);
    if (field == nullptr) {
      throw ConfigError(fmt::format("command line ({}): unknown key '{}'{}", o.origin, o.key, Suggest(o.key, all)));
    }
    SetField(*field, o.value, config, "command line (" + o.origin + ")");
  }
}

// Checks that involve several keys.
void Validate(const Config& config, const std::string& source) {
  const auto& g = config.game;
  if (g.stacks.size() != 1 && g.stacks.size() != static_cast<std::size_t>(g.players)) {
    throw ConfigError(fmt::format("{}: game.stacks: expected one value for every seat or {} values (game.players), "
                                  "found {}",
                                  source, g.players, g.stacks.size()));
  }
  if (g.small_blind > g.big_blind) {
    throw ConfigError(fmt::format("{}: game.small_blind: expected at most game.big_blind ({}), found {}", source,
                                  g.big_blind, g.small_blind));
  }
  constexpr std::array<const char*, 4> kStreets = {"preflop", "flop", "turn", "river"};
  for (std::size_t street = 0; street < 4; ++street) {
    const auto& b = config.betting.streets[street];
    if (b.max_raises > 0 && b.sizes.empty()) {
      throw ConfigError(fmt::format("{}: betting.{}.sizes: expected at least one size when max_raises is {}, "
                                    "found none",
                                    source, kStreets[street], b.max_raises));
    }
  }
}

}  // namespace

abstraction::BettingAbstraction Config::DefaultBetting() {
  abstraction::BettingAbstraction b;
  b.streets[0] = {3, abstraction::ParseSizes("0.5, 1, 2, allin | 1, allin | allin"), true};
  for (std::size_t s = 1; s < 4; ++s) b.streets[s] = {2, abstraction::ParseSizes("0.5, 1, allin | 1, allin"), true};
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

std::string Interval::ToString() const {
  if (off()) return "off";
  if (unit == Unit::kIterations) return fmt::format("{}", static_cast<std::uint64_t>(value));
  return FormatSeconds(value);
}

double ParseDurationSeconds(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("empty duration");
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw std::invalid_argument("not a duration: " + text);
  }
  const std::string unit = text.substr(pos);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "ms") scale = 1e-3;
  else if (unit == "m" || unit == "min") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  if (scale == 0 || !std::isfinite(v) || v < 0 || text[0] == '-' || text[0] == '+' || std::isspace(text[0])) {
    throw std::invalid_argument("not a duration: " + text);
  }
  return v * scale;
}

std::vector<std::string> KnownKeys() {
  std::vector<std::string> keys;
  for (const Field& f : Schema()) keys.push_back(f.path);
  return keys;
}

Config ParseConfig(const std::string& yaml_text, const std::string& source, const std::vector<Override>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: invalid YAML: {}", Where(source, e.mark), e.msg));
  }
  Config config;
  config.source = source;
  if (root.IsNull()) {
    // An empty file: every default.
  } else if (!root.IsMap()) {
    throw ConfigError(fmt::format("{}: expected a mapping of sections (game, run, ...), found {}",
                                  Where(source, root.Mark()), Found(root)));
  } else {
    const std::vector<std::string> sections = Sections();
    for (const auto& section_pair : root) {
      const std::string section = section_pair.first.Scalar();
      const YAML::Node body = section_pair.second;
      if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
        throw ConfigError(fmt::format("{}: unknown section '{}'{}; sections are {}",
                                      Where(source, section_pair.first.Mark()), section, Suggest(section, sections),
                                      Join(sections)));
      }
      if (body.IsNull()) continue;
      if (!body.IsMap()) {
        throw ConfigError(fmt::format("{}: {}: expected a mapping of keys, found {}", Where(source, body.Mark()),
                                      section, Found(body)));
      }
      ParseMap(body, section, config, source);
    }
  }
  ApplyOverrides(overrides, config);
  Validate(config, source);
  if (config.solver.discount_interval > 0 && config.solver.discount_stop == 0) {
    throw ConfigError(fmt::format("{}: solver.discount_stop: expected a positive iteration count when "
                                  "solver.discount_interval is set, found 0",
                                  source));
  }
  return config;
}

Config LoadConfig(const std::string& path, const std::vector<Override>& overrides) {
  std::ifstream in(path);
  if (!in) {
    throw ConfigError(fmt::format("{}: cannot read config file: {}", path, std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, overrides);
}

std::string ToYaml(const Config& config) {
  std::string out = "# Resolved configuration: every key, defaults filled in.\n";
  std::vector<std::string> open;  // the enclosing mappings of the previous key
  for (const Field& f : Schema()) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const auto dot = f.path.find('.', start);
      parts.push_back(f.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    std::size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    for (std::size_t d = common; d + 1 < parts.size(); ++d) {
      out += std::string(2 * d, ' ') + parts[d] + ":\n";
      open.push_back(parts[d]);
    }
    YAML::Emitter value;
    value << f.get(config);
    out += std::string(2 * (parts.size() - 1), ' ') + parts.back() + ": " + value.c_str() + "\n";
  }
  return out;
}

std::map<std::string, std::string> IdentityKeys(const Config& config) {
  std::map<std::string, std::string> keys;
  for (const Field& f : Schema()) {
    if (f.identity) keys[f.path] = f.get(config);
  }
  return keys;
}

}  // namespace bp::trainer

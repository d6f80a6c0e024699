// YamlSchema<T>: reads a typed configuration T from YAML (yaml-cpp) and from
// "key.path=value" overrides, validating every key against a list of fields,
// and writes it back as YAML with every key present. Shared by
// train_blueprint's config and build_buckets' config.
//
// A field is a key path ("run.batch_size", "betting.flop.sizes") with a
// parser from text into T and a printer back to text. Keys may nest to any
// depth. List-valued fields accept a YAML list or the same as text (see
// ListForm). Errors throw ConfigError: "FILE:LINE:COL: key.path: expected
// ..., found ..." (or "command line (--flag): ..."), with a "did you mean"
// suggestion for unknown keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <stdexcept>
#include <string>
#include <vector>

namespace bp::trainer {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One override "key.path=value" and where it came from (for messages).
struct Override {
  std::string key;
  std::string value;
  std::string origin;  // e.g. "--batch-size" or "--set"
};

// `text` with every byte outside printable ASCII as \xNN: what an error
// message shows of an input.
std::string Printable(std::string_view text);

// "key.path=value" from a --set flag; ConfigError if there is no '='.
Override ParseSetOverride(const std::string& text);

// Thrown by a field parser: what was expected; the schema adds where and
// what was found.
struct Expected {
  std::string what;
};

// How a key takes a YAML list: not at all, a list of scalars (joined with
// ", "), or a list of lists (inner lists joined with ", ", outer with " | ";
// a flat list is one inner list).
enum class ListForm { kNone, kList, kListOfLists };

template <class T>
struct Field {
  std::string path;
  std::function<void(const std::string&, T&)> set;
  std::function<std::string(const T&)> get;
  bool identity = false;  // must match to resume a checkpoint
  ListForm list = ListForm::kNone;
  // Whether the key means anything for this config (null: always). Returns ""
  // when it does, else "expected ..., found ..." saying why not. A key given
  // where it means nothing is an error; ToYaml and IdentityKeys leave it out.
  std::function<std::string(const T&)> inapplicable = {};
};

// What Parse does with a key of the YAML text that means nothing for the
// config (Field::inapplicable): refuse it, or reset it to its default (for
// configs written by an older version that printed every key).
enum class Inapplicable { kError, kIgnoreInText };

// Field parsers: each throws Expected.
std::uint64_t ParseUInt(const std::string& s, std::uint64_t lo, std::uint64_t hi);
double ParseReal(const std::string& s, double lo, double hi);
bool ParseBool(const std::string& s);
std::string ParseEnum(const std::string& s, std::initializer_list<const char*> allowed);

// A typed choice (an enum class) and its names in the config, in the order
// messages list them: specialise EnumNames<E> with
//   static constexpr std::array<std::pair<E, std::string_view>, N> kValues
template <class E>
struct EnumNames;

template <class E>
std::string_view NameOf(E value) {
  for (const auto& [v, name] : EnumNames<E>::kValues) {
    if (v == value) return name;
  }
  return "?";
}
// The value named `s`; Expected "one of a, b, c" (with "auto" first when
// `automatic`, for which it returns nullopt) otherwise.
template <class E>
std::optional<E> ParseEnumOf(const std::string& s, bool automatic = false) {
  std::string list = automatic ? "auto" : "";
  if (automatic && s == "auto") return std::nullopt;
  for (const auto& [v, name] : EnumNames<E>::kValues) {
    if (s == name) return v;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  throw Expected{"one of " + list};
}
// "90s", "30m", "8h", "1.5h", "250ms" or plain seconds; throws std::invalid_argument.
double ParseDurationSeconds(const std::string& text);
double ParseDurationField(const std::string& s, double min_s);
std::string FormatSeconds(double s);

namespace schema_detail {
std::string Suggest(const std::string& word, const std::vector<std::string>& candidates);
std::string Where(const std::string& source, const YAML::Mark& mark);
std::string Found(const YAML::Node& node);
std::string Join(const std::vector<std::string>& items);
std::string ValueText(const std::string& path, ListForm list, const YAML::Node& value, const std::string& source);
std::vector<std::string> Split(const std::string& path, char sep);
}  // namespace schema_detail

template <class T>
class YamlSchema {
 public:
  explicit YamlSchema(std::vector<Field<T>> fields) : fields_(std::move(fields)) {}

  const std::vector<Field<T>>& fields() const { return fields_; }

  const Field<T>* Find(const std::string& path) const {
    for (const auto& f : fields_) {
      if (f.path == path) return &f;
    }
    return nullptr;
  }

  std::vector<std::string> KnownKeys() const {
    std::vector<std::string> keys;
    for (const auto& f : fields_) keys.push_back(f.path);
    return keys;
  }

  // Names directly under `prefix` ("" for the top-level sections).
  std::vector<std::string> ChildrenOf(const std::string& prefix) const {
    std::vector<std::string> names;
    for (const auto& f : fields_) {
      std::string rest;
      if (prefix.empty()) rest = f.path;
      else if (f.path.rfind(prefix + ".", 0) == 0) rest = f.path.substr(prefix.size() + 1);
      else continue;
      const std::string name = rest.substr(0, rest.find('.'));
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    return names;
  }

  // Parses `yaml_text` into `config` (which holds the defaults), then applies
  // `overrides`; then checks that every key given means something.
  void Parse(const std::string& yaml_text, const std::string& source, const std::vector<Override>& overrides,
             T& config, Inapplicable inapplicable = Inapplicable::kError) const {
    using namespace schema_detail;
    const T defaults = config;
    std::vector<Given> given;
    YAML::Node root;
    try {
      root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
      throw ConfigError(source_prefix(Where(source, e.mark)) + "invalid YAML: " + e.msg);
    }
    const std::vector<std::string> sections = ChildrenOf("");
    if (!root.IsNull()) {
      if (!root.IsMap()) {
        throw ConfigError(Where(source, root.Mark()) + ": expected a mapping of sections (" + sections[0] + ", " +
                          sections[1] + ", ...), found " + Found(root));
      }
      for (const auto& kv : root) {
        const std::string section = kv.first.Scalar();
        if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
          throw ConfigError(Where(source, kv.first.Mark()) + ": unknown section '" + Printable(section) + "'" +
                            Suggest(section, sections) + "; sections are " + Join(sections));
        }
        if (kv.second.IsNull()) continue;
        if (const Field<T>* field = Find(section)) {  // a top-level key
          Set(*field, ValueText(field->path, field->list, kv.second, source), config, Where(source, kv.second.Mark()));
          given.push_back({field, Where(source, kv.second.Mark()), true});
          continue;
        }
        if (!kv.second.IsMap()) {
          throw ConfigError(Where(source, kv.second.Mark()) + ": " + section + ": expected a mapping of keys, found " +
                            Found(kv.second));
        }
        ParseMap(kv.second, section, config, source, given);
      }
    }
    for (const Override& o : overrides) {
      const Field<T>* field = Find(o.key);
      if (field == nullptr) {
        throw ConfigError("command line (" + o.origin + "): unknown key '" + Printable(o.key) + "'" +
                          Suggest(o.key, KnownKeys()));
      }
      Set(*field, o.value, config, "command line (" + o.origin + ")");
      given.push_back({field, "command line (" + o.origin + ")", false});
    }
    for (const Given& g : given) {
      if (!g.field->inapplicable) continue;
      const std::string why = g.field->inapplicable(config);
      if (why.empty()) continue;
      if (g.in_text && inapplicable == Inapplicable::kIgnoreInText) {
        g.field->set(g.field->get(defaults), config);
      } else {
        throw ConfigError(g.where + ": " + g.field->path + ": " + why);
      }
    }
  }

  // Every key that means something for `config`, nested by its path, two
  // spaces per level.
  std::string ToYaml(const T& config, const std::string& header) const {
    std::string out = header;
    std::vector<std::string> open;
    for (const auto& f : fields_) {
      if (!Applies(f, config)) continue;
      const std::vector<std::string> parts = schema_detail::Split(f.path, '.');
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

  std::map<std::string, std::string> IdentityKeys(const T& config) const {
    std::map<std::string, std::string> keys;
    for (const auto& f : fields_) {
      if (f.identity && Applies(f, config)) keys[f.path] = f.get(config);
    }
    return keys;
  }

 private:
  // A key given in the text or on the command line, and where.
  struct Given {
    const Field<T>* field;
    std::string where;
    bool in_text;
  };

  static bool Applies(const Field<T>& f, const T& config) { return !f.inapplicable || f.inapplicable(config).empty(); }

  static std::string source_prefix(const std::string& where) { return where + ": "; }

  static void Set(const Field<T>& field, const std::string& value, T& config, const std::string& where) {
    try {
      field.set(value, config);
    } catch (const Expected& e) {
      throw ConfigError(where + ": " + field.path + ": expected " + e.what + ", found '" + Printable(value) + "'");
    }
  }

  void ParseMap(const YAML::Node& node, const std::string& prefix, T& config, const std::string& source,
                std::vector<Given>& given) const {
    using namespace schema_detail;
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      const std::string path = prefix + "." + key;
      if (const Field<T>* field = Find(path)) {
        Set(*field, ValueText(path, field->list, kv.second, source), config, Where(source, kv.second.Mark()));
        given.push_back({field, Where(source, kv.second.Mark()), true});
        continue;
      }
      if (ChildrenOf(path).empty()) {
        std::string hint = Suggest(key, ChildrenOf(prefix));
        for (const auto& f : fields_) {  // a key that belongs elsewhere
          if (hint.empty() && f.path.size() > key.size() && f.path.ends_with("." + key)) {
            hint = " (it exists only as " + f.path + ")";
          }
        }
        throw ConfigError(Where(source, kv.first.Mark()) + ": unknown key '" + Printable(path) + "'" + hint);
      }
      if (kv.second.IsNull()) continue;
      if (!kv.second.IsMap()) {
        throw ConfigError(Where(source, kv.second.Mark()) + ": " + path + ": expected a mapping of keys (" +
                          Join(ChildrenOf(path)) + "), found " + Found(kv.second));
      }
      ParseMap(kv.second, path, config, source, given);
    }
  }

  std::vector<Field<T>> fields_;
};

}  // namespace bp::trainer

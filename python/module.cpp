// bpmccfr._core: the C++ half of the Python module (the package's
// __init__.py re-exports it and adds read_metrics). Every function here
// calls the trainer's own API; what goes wrong arrives as a bpmccfr.Error
// subclass with the message the command line prints after "error: ".
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "abstraction/bucket_file.h"
#include "abstraction/card.h"
#include "abstraction/hand_indexer.h"
#include "abstraction/preflop_equity.h"
#include "base/file_system.h"
#include "solver/regret_matching.h"
#include "solver/rng.h"
#include "trainer/blueprint.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/preflop_chart.h"
#include "trainer/query.h"
#include "trainer/run_dir.h"
#include "trainer/small_game.h"

namespace py = pybind11;
using namespace bp;
using abstraction::Card;

namespace {

// YAML scalars as Python values: integers, reals and booleans where the text
// is one, strings otherwise ("off", "auto", "60s").
py::object ScalarOf(const std::string& s) {
  if (s == "true") return py::bool_(true);
  if (s == "false") return py::bool_(false);
  if (!s.empty()) {
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    bool digits = i < s.size();
    for (std::size_t j = i; j < s.size(); ++j) digits = digits && std::isdigit(static_cast<unsigned char>(s[j]));
    if (digits) return py::module_::import("builtins").attr("int")(s);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && std::isdigit(static_cast<unsigned char>(s.back()))) return py::float_(d);
  }
  return py::str(s);
}

py::object ToPython(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      py::dict d;
      for (const auto& kv : node) d[py::str(kv.first.as<std::string>())] = ToPython(kv.second);
      return std::move(d);
    }
    case YAML::NodeType::Sequence: {
      py::list l;
      for (const auto& item : node) l.append(ToPython(item));
      return std::move(l);
    }
    case YAML::NodeType::Scalar:
      return ScalarOf(node.as<std::string>());
    default:
      return py::none();
  }
}

// The resolved config (every key with its value after defaults) as a dict.
py::dict ConfigDict(const trainer::Config& config) {
  return ToPython(YAML::Load(trainer::ToYaml(config))).cast<py::dict>();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw trainer::ConfigError(path + ": cannot open the config file");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A run directory's config.yaml, or a config file, resolved.
py::dict ReadConfig(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string file = fs::is_directory(path) ? (fs::path(path) / "config.yaml").string() : path;
  trainer::Config config;
  {
    py::gil_scoped_release release;
    config = trainer::ParseConfig(Slurp(file), file, {}, trainer::Inapplicable::kIgnoreInText);
  }
  return ConfigDict(config);
}

int StreetOf(const py::object& street) {
  if (py::isinstance<py::str>(street)) {
    const std::string s = street.cast<std::string>();
    for (int i = 0; i < static_cast<int>(abstraction::kNumStreets); ++i) {
      if (s == abstraction::StreetName(i)) return i;
    }
    throw trainer::ConfigError("street: expected preflop, flop, turn, river or 0 to 3, found '" +
                               trainer::Printable(s) + "'");
  }
  if (py::isinstance<py::int_>(street) && !py::isinstance<py::bool_>(street)) {
    const long long i = street.cast<long long>();
    if (i >= 0 && i < static_cast<long long>(abstraction::kNumStreets)) return static_cast<int>(i);
    throw trainer::ConfigError("street: expected preflop, flop, turn, river or 0 to 3, found " + std::to_string(i));
  }
  throw py::type_error("street: expected a name (preflop, flop, turn, river) or a number from 0 to 3");
}

// Hole cards and the board of `street`, parsed and checked as the command line does.
struct Cards {
  std::vector<Card> hole, board;
};
std::vector<Card> ParseBoard(const std::string& board_text) {
  return board_text.empty() ? std::vector<Card>{} : trainer::ParseCardList(board_text, "--board", 3, 5);
}

Cards ParseCards(const std::string& hole_text, const std::string& board_text, int street) {
  Cards c;
  c.hole = trainer::ParseCardList(hole_text, "--hole", 2, 2);
  c.board = ParseBoard(board_text);
  trainer::CheckDisjoint(c.hole, c.board);
  if (street >= 0) {
    const int need = abstraction::kBoardCards[static_cast<std::size_t>(street)];
    if (c.board.size() != static_cast<std::size_t>(need)) {
      throw trainer::ConfigError(fmt::format("command line (--board): the {} needs {} board cards, found {}",
                                             abstraction::StreetName(street), need, c.board.size()));
    }
  }
  return c;
}

abstraction::IsomorphismMode ModeOf(const std::string& mode) {
  if (mode == "board_as_set") return abstraction::IsomorphismMode::kBoardAsSet;
  if (mode == "split_board") return abstraction::IsomorphismMode::kSplitBoard;
  throw trainer::ConfigError("mode: expected board_as_set or split_board, found '" + trainer::Printable(mode) + "'");
}
const char* ModeName(abstraction::IsomorphismMode mode) {
  return mode == abstraction::IsomorphismMode::kBoardAsSet ? "board_as_set" : "split_board";
}

std::string CardsText(const Card* cards, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += abstraction::CardName(cards[i]);
  return s;
}

py::tuple Unindex(const abstraction::HoldemIndexer& indexer, int street, std::uint64_t index) {
  if (index >= indexer.size(street)) {
    throw trainer::ConfigError(fmt::format("index: expected below {} on the {}, found {}", indexer.size(street),
                                           abstraction::StreetName(street), index));
  }
  Card hole[2], board[5];
  indexer.Unindex(street, index, hole, board);
  return py::make_tuple(CardsText(hole, 2),
                        CardsText(board, static_cast<std::size_t>(abstraction::kBoardCards[static_cast<std::size_t>(street)])));
}

class PyBlueprint {
 public:
  PyBlueprint(const std::string& path, const std::string& buckets) : path_(path) {
    py::gil_scoped_release release;
    blueprint_ = std::make_unique<trainer::Blueprint>(trainer::Blueprint::Open(path, buckets));
  }

  const trainer::Blueprint& get() const { return *blueprint_; }
  const std::string& path() const { return path_; }

  py::dict Strategy(int seat, const std::string& history, const std::string& hole, const std::string& board) const {
    py::dict out;
    for (const auto& a : Query(seat, history, hole, board)) out[py::str(a.name)] = a.probability;
    return out;
  }

  std::string Sample(int seat, const std::string& history, const std::string& hole, const std::string& board,
                     std::uint64_t seed) const {
    const auto actions = Query(seat, history, hole, board);
    double p[solver::kMaxActions];
    for (std::size_t a = 0; a < actions.size(); ++a) p[a] = actions[a].probability;
    solver::Rng rng(seed);
    return actions[static_cast<std::size_t>(
                       solver::SampleIndex(p, static_cast<int>(actions.size()), rng.UniformDouble()))]
        .name;
  }

  py::tuple Chart(const std::string& position, const std::string& facing) const {
    const trainer::PreflopChart chart = trainer::BlueprintChart(*blueprint_, position, facing);
    const auto n = static_cast<py::ssize_t>(chart.actions.size());
    py::array_t<double> array({py::ssize_t{13}, py::ssize_t{13}, n});
    auto a = array.mutable_unchecked<3>();
    for (py::ssize_t r = 0; r < 13; ++r) {
      for (py::ssize_t col = 0; col < 13; ++col) {
        for (py::ssize_t k = 0; k < n; ++k) {
          a(r, col, k) = chart.probability[static_cast<std::size_t>(r)][static_cast<std::size_t>(col)][static_cast<std::size_t>(k)];
        }
      }
    }
    return py::make_tuple(array, chart.actions);
  }

  py::tuple Table(int seat, const std::string& history, const std::string& board_text) const {
    const std::vector<Card> board = ParseBoard(board_text);
    const std::uint32_t node = blueprint_->Locate(seat, trainer::ParseHistory(history), board.size());
    const std::vector<std::string> names = blueprint_->ActionNames(node);
    std::vector<float> values;
    {
      py::gil_scoped_release release;
      values = blueprint_->QueryAllHoles(node, board);
    }
    const auto& pairs = trainer::Blueprint::HolePairs();
    py::array_t<float> array({static_cast<py::ssize_t>(pairs.size()), static_cast<py::ssize_t>(names.size())});
    std::copy(values.begin(), values.end(), array.mutable_data());
    std::vector<std::string> hands;
    hands.reserve(pairs.size());
    for (const auto& p : pairs) hands.push_back(CardsText(p.data(), 2));
    return py::make_tuple(names, hands, array);
  }

 private:
  // The query's texts parsed as the command line parses them, then asked.
  std::vector<trainer::BlueprintAction> Query(int seat, const std::string& history, const std::string& hole,
                                              const std::string& board) const {
    const Cards c = ParseCards(hole, board, -1);
    return blueprint_->Query(seat, trainer::ParseHistory(history), c.hole.data(), c.board);
  }

  std::string path_;
  std::unique_ptr<trainer::Blueprint> blueprint_;
};

class PyCheckpoint {
 public:
  // A checkpoint file, or a run directory: its newest checkpoint that reads.
  explicit PyCheckpoint(const std::string& path) : path_(path) {
    py::gil_scoped_release release;
    if (std::filesystem::is_directory(path)) {
      const auto all = trainer::RunDir(path).ListCheckpoints();  // newest first
      if (all.empty()) {
        throw trainer::CheckpointError(fmt::format("{}: no checkpoints in {}", path,
                                                   trainer::RunDir(path).Checkpoints().string()));
      }
      std::optional<trainer::CheckpointError> first;
      for (const auto& file : all) {
        try {
          data_ = trainer::ReadCheckpoint(file);
          path_ = file.string();
          first.reset();
          break;
        } catch (const trainer::CheckpointError& e) {
          if (!first) first = e;
        }
      }
      if (first) throw *first;
    } else {
      data_ = trainer::ReadCheckpoint(path);
    }
    config_ = trainer::ParseConfig(data_.config_yaml, path_ + " (its config)", {}, trainer::Inapplicable::kIgnoreInText);
  }
  const trainer::CheckpointData& data() const { return data_; }
  const trainer::Config& config() const { return config_; }
  const std::string& path() const { return path_; }

  py::dict AverageStrategy() const {
    std::vector<trainer::InfosetStrategy> all;
    {
      py::gil_scoped_release release;
      all = trainer::AverageStrategies(data_, config_);
    }
    py::dict out;
    for (const auto& s : all) {
      py::dict probs;
      for (std::size_t a = 0; a < s.actions.size(); ++a) probs[py::str(s.actions[a])] = s.average[a];
      out[py::str(s.infoset)] = probs;
    }
    return out;
  }

  double Exploitability(const std::string& equity_path) const {
    py::gil_scoped_release release;
    std::optional<abstraction::PreflopEquity> equity;
    if (config_.game.name == trainer::GameName::kNlhePreflop) {
      equity.emplace(abstraction::PreflopEquity::Load(equity_path.empty() ? config_.abstraction.preflop_equity
                                                                           : equity_path));
    }
    return trainer::ExactExploitability(data_, config_, equity ? &*equity : nullptr);
  }

 private:
  std::string path_;
  trainer::CheckpointData data_;
  trainer::Config config_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "bpmccfr: the strategies the blueprint trainer learned (C++ core)";

  py::object error = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "bpmccfr.Error", "Anything the trainer's API refuses: a bad file, config, query or argument.", PyExc_Exception,
      nullptr));
  m.attr("Error") = error;
  py::register_exception<trainer::ConfigError>(m, "ConfigError", error);
  py::register_exception<abstraction::AssetError>(m, "AssetError", error);
  py::register_exception<trainer::CheckpointError>(m, "CheckpointError", error);
  py::register_exception<base::FileError>(m, "FileError", error);

  py::class_<PyBlueprint>(m, "Blueprint",
                          "A blueprint.bin of a no-limit run and the bucket file it was trained with.")
      .def(py::init<const std::string&, const std::string&>(), py::arg("path"), py::arg("buckets") = "",
           "Opens PATH and its bucket file (the one its config names, or BUCKETS).")
      .def_property_readonly("path", &PyBlueprint::path)
      .def_property_readonly("game", [](const PyBlueprint& b) { return std::string(trainer::NameOf(b.get().config().game.name)); })
      .def_property_readonly("players", [](const PyBlueprint& b) { return b.get().config().game.players; })
      .def_property_readonly("stacks",
                             [](const PyBlueprint& b) {
                               const auto t = trainer::TableOf(b.get().config());
                               return std::vector<std::int32_t>(t.stacks.begin(), t.stacks.begin() + t.players);
                             })
      .def_property_readonly("small_blind", [](const PyBlueprint& b) { return b.get().config().game.small_blind; })
      .def_property_readonly("big_blind", [](const PyBlueprint& b) { return b.get().config().game.big_blind; })
      .def_property_readonly("ante", [](const PyBlueprint& b) { return b.get().config().game.ante; })
      .def_property_readonly("iterations", [](const PyBlueprint& b) { return b.get().iterations(); })
      .def_property_readonly("bucket_fingerprint",
                             [](const PyBlueprint& b) { return b.get().game().buckets().fingerprint(); })
      .def_property_readonly("buckets_path", [](const PyBlueprint& b) { return b.get().game().buckets().path(); })
      .def_property_readonly("config", [](const PyBlueprint& b) { return ConfigDict(b.get().config()); },
                             "The run's resolved config as a dict.")
      .def_property_readonly("betting",
                             [](const PyBlueprint& b) {
                               const py::dict config = ConfigDict(b.get().config());
                               return py::object(config["betting"]);
                             },
                             "The betting abstraction: per street max_raises, sizes and limp.")
      .def("strategy", &PyBlueprint::Strategy, py::arg("seat"), py::arg("history"), py::arg("hole"),
           py::arg("board") = "",
           "Action -> probability for SEAT after HISTORY (train_blueprint query's syntax: f, k, c, r<chips>, a "
           "joined by '-') with HOLE ('AsKd') on BOARD ('2c7hKs').")
      .def("sample", &PyBlueprint::Sample, py::arg("seat"), py::arg("history"), py::arg("hole"),
           py::arg("board") = "", py::kw_only(), py::arg("seed"),
           "One action drawn from strategy(...) with the generator seeded by SEED.")
      .def("preflop_chart", &PyBlueprint::Chart, py::arg("position") = "btn", py::arg("facing") = "",
           "(array 13 x 13 x actions, action labels) of POSITION's first preflop decision after FACING, as "
           "inspect --preflop-chart: rows and columns A..2, suited above the diagonal.")
      .def("strategy_table", &PyBlueprint::Table, py::arg("seat"), py::arg("history") = "", py::arg("board") = "",
           "(action labels, 1326 hand names, float32 array 1326 x actions) at one node for every hole pair; NaN "
           "rows for hands that share a card with the board.");

  py::class_<abstraction::HoldemIndexer>(m, "HandIndexer", "Canonical (suit-isomorphic) indices of hold'em hands.")
      .def(py::init([](const std::string& mode) { return std::make_unique<abstraction::HoldemIndexer>(ModeOf(mode)); }),
           py::arg("mode") = "board_as_set")
      .def_property_readonly("mode", [](const abstraction::HoldemIndexer& i) { return std::string(ModeName(i.mode())); })
      .def("size", [](const abstraction::HoldemIndexer& i, const py::object& street) { return i.size(StreetOf(street)); },
           py::arg("street"), "Number of classes on STREET.")
      .def("index",
           [](const abstraction::HoldemIndexer& i, const py::object& street, const std::string& hole,
              const std::string& board) {
             const int s = StreetOf(street);
             const Cards c = ParseCards(hole, board, s);
             return i.Index(s, c.hole.data(), c.board.data());
           },
           py::arg("street"), py::arg("hole"), py::arg("board") = "")
      .def("unindex", [](const abstraction::HoldemIndexer& i, const py::object& street,
                         std::uint64_t index) { return Unindex(i, StreetOf(street), index); },
           py::arg("street"), py::arg("index"), "(hole, board) of one hand of the class.");

  py::class_<abstraction::BucketFile>(m, "Buckets", "A bucket file from build_buckets: hand -> bucket per street.")
      .def(py::init([](const std::string& path) {
             py::gil_scoped_release release;
             return std::make_unique<abstraction::BucketFile>(abstraction::BucketFile::Open(path));
           }),
           py::arg("path"))
      .def_property_readonly("path", &abstraction::BucketFile::path)
      .def_property_readonly("fingerprint", &abstraction::BucketFile::fingerprint)
      .def_property_readonly("mode", [](const abstraction::BucketFile& f) { return std::string(ModeName(f.mode())); })
      .def_property_readonly("counts",
                             [](const abstraction::BucketFile& f) {
                               std::vector<std::uint32_t> c;
                               for (int s = 0; s < static_cast<int>(abstraction::kNumStreets); ++s) c.push_back(f.buckets(s));
                               return c;
                             },
                             "Buckets on the preflop, flop, turn and river.")
      .def("bucket",
           [](const abstraction::BucketFile& f, const py::object& street, const std::string& hole,
              const std::string& board) {
             const int s = StreetOf(street);
             const Cards c = ParseCards(hole, board, s);
             return f.Bucket(s, c.hole.data(), c.board.data());
           },
           py::arg("street"), py::arg("hole"), py::arg("board") = "")
      .def("bucket_of_index",
           [](const abstraction::BucketFile& f, const py::object& street, std::uint64_t index) {
             const int s = StreetOf(street);
             if (index >= f.entries(s)) {
               throw trainer::ConfigError(fmt::format("index: expected below {} on the {}, found {}", f.entries(s),
                                                      abstraction::StreetName(s), index));
             }
             return f.BucketOfIndex(s, index);
           },
           py::arg("street"), py::arg("index"))
      .def_property_readonly("indexer", [](const abstraction::BucketFile& f) { return abstraction::HoldemIndexer(f.mode()); },
                             "The HandIndexer the file's tables are indexed by.");

  py::class_<PyCheckpoint>(m, "Checkpoint",
                           "A checkpoint of a run: a file (checkpoints/ckpt-N.bin), or a run directory for its "
                           "newest checkpoint that reads.")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def_property_readonly("path", &PyCheckpoint::path)
      .def_property_readonly("game", [](const PyCheckpoint& c) { return std::string(trainer::NameOf(c.config().game.name)); })
      .def_property_readonly("iterations", [](const PyCheckpoint& c) { return c.data().iterations; })
      .def_property_readonly("elapsed_s", [](const PyCheckpoint& c) { return c.data().elapsed_s; })
      .def_property_readonly("config", [](const PyCheckpoint& c) { return ConfigDict(c.config()); })
      .def("average_strategy", &PyCheckpoint::AverageStrategy,
           "Infoset name -> {action: probability}: the average strategy (kuhn, leduc, nlhe_preflop).")
      .def("exploitability", &PyCheckpoint::Exploitability, py::arg("equity") = "",
           "The exact exploitability of the average strategy, as the trainer logs it. nlhe_preflop reads the "
           "showdown equities from EQUITY or the config's abstraction.preflop_equity.");

  m.def("read_config", &ReadConfig, py::arg("path"),
        "The resolved config of a run directory (its config.yaml) or of a config file, as a dict.");
  m.def("chart_hand_names",
        [] {
          std::vector<std::vector<std::string>> names(13);
          for (int r = 0; r < 13; ++r)
            for (int c = 0; c < 13; ++c) names[static_cast<std::size_t>(r)].push_back(trainer::ChartHandName(r, c));
          return names;
        },
        "13 x 13 hand names of a preflop chart's cells ('AA', 'AKs', 'AKo', ...).");
}

// The query's text: hole cards, board and history, one per line.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "trainer/query.h"
#include "trainer/yaml_schema.h"

using namespace bp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::string hole, board, history;
  std::getline(in, hole);
  std::getline(in, board);
  std::getline(in, history);
  try {
    const auto h = trainer::ParseCardList(hole, "--hole", 2, 2);
    const auto b = trainer::ParseCardList(board, "--board", 3, 5);
    trainer::CheckDisjoint(h, b);
  } catch (const trainer::ConfigError&) {
  }
  try {
    for (const std::string& action : trainer::ParseHistory(history)) {
      if (action[0] == 'r' && !trainer::RaiseChips(action)) std::abort();  // accepted means parsed
    }
  } catch (const trainer::ConfigError&) {
  }
  return 0;
}

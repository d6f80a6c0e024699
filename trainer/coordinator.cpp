#include "trainer/coordinator.h"

#include <fmt/core.h>

#include "base/fnv.h"

namespace bp::trainer {

std::string AbstractionFingerprint(const std::string& game_name, const solver::TableLayout& layout) {
  std::uint64_t h = base::Fnv1a64(game_name.data(), game_name.size());
  for (solver::NodeId n = 0; n < layout.num_nodes(); ++n) {
    const std::uint64_t words[3] = {layout.entry_offset(n), layout.infoset_offset(n),
                                    static_cast<std::uint64_t>(layout.num_actions(n))};
    h = base::Fnv1a64(words, sizeof(words), h);
  }
  return fmt::format("{}:{}:{}:{:016x}", game_name, layout.num_infosets(), layout.num_entries(), h);
}

}  // namespace bp::trainer

// The checks of a config that involve several keys, and the "auto" solver
// keys filled in; ParseConfig (config.cpp) calls them after the schema has
// read every key. Both throw ConfigError naming the source and the key.
#pragma once

#include <string>

#include "trainer/config.h"

namespace bp::trainer {

// The stacks against the players, the blinds, sizes where raises are allowed.
void CheckAcrossKeys(const Config& config, const std::string& source);
// The "auto" solver keys: Pluribus' values for nlhe, plain MCCFR otherwise;
// then the solver keys against each other (units, floor and threshold,
// durations in deterministic mode, expected updates with two players only).
void ResolveSolverDefaults(Config& config, const std::string& source);

}  // namespace bp::trainer

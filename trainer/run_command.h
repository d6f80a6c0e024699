// RunCommand: the body of a command-line tool's main, with what it throws
// turned into one "error: ..." line on stderr and the exit code the tools
// share: 2 for bad input (usage, a config, an asset file such as a bucket
// file or a blueprint, a checkpoint to resume or inspect), 1 for a runtime
// failure (a file the system would not let us write, anything else).
#pragma once

#include <fmt/core.h>

#include <cstdio>
#include <exception>

#include "abstraction/bucket_file.h"
#include "trainer/checkpoint.h"
#include "trainer/yaml_schema.h"

namespace bp::trainer {

template <class Body>
int RunCommand(Body&& body) {
  try {
    return body();
  } catch (const ConfigError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const abstraction::AssetError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const CheckpointError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}

}  // namespace bp::trainer

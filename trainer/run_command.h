// RunCommand: the body of a command-line tool's main, with what it throws
// turned into one "error: ..." line on stderr and the exit code the tools
// share: 2 for bad input (usage, a config, an asset file such as a bucket
// file or a blueprint, a checkpoint to resume or inspect), 1 for a runtime
// failure (a file the system would not let us write, anything else).
#pragma once

#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "abstraction/bucket_file.h"
#include "base/file_system.h"
#include "trainer/checkpoint.h"
#include "trainer/yaml_schema.h"

namespace bp::trainer {

// BP_WRITE_FAULTS=SPEC makes the file writes of the tool fail as SPEC says
// (base/file_system.h): for tests of a full or failing disk. ConfigError if
// SPEC is not one.
inline void InstallWriteFaults() {
  const char* spec = std::getenv("BP_WRITE_FAULTS");
  if (spec == nullptr || *spec == '\0') return;
  const auto fault = base::ParseWriteFault(spec);
  if (!fault) {
    throw ConfigError(fmt::format("BP_WRITE_FAULTS: expected PATTERN:FAULT[:skip=N][:count=M] with FAULT one of "
                                  "enospc, eio, short, fsync, rename, open; found '{}'",
                                  Printable(spec)));
  }
  static base::FaultyFileSystem faulty(*fault);
  base::UseFiles(&faulty);
}

template <class Body>
int RunCommand(Body&& body) {
  try {
    InstallWriteFaults();
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

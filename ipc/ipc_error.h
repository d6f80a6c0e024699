// IpcError: a failure at the shared-memory boundary (create, attach, map,
// validate). The message names the segment, what was expected and what was
// found.
#pragma once

#include <stdexcept>

namespace bp::ipc {

class IpcError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bp::ipc

#include "trainer/train_main.h"

namespace bp::trainer {
int Inspect(const InspectOptions&) { return 2; }
}  // namespace bp::trainer

#include "trainer/rank_sync.h"

namespace bp::trainer {
namespace {
const DistributedContext* g_current = nullptr;
}  // namespace

const DistributedContext* CurrentDistributed() { return g_current; }
void SetCurrentDistributed(const DistributedContext* context) { g_current = context; }

}  // namespace bp::trainer

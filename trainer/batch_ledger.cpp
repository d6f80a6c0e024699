#include "trainer/batch_ledger.h"

#include <algorithm>

#include "base/check.h"
#include "trainer/shared_state.h"

namespace bp::trainer {

BatchLedger::BatchLedger(std::uint32_t workers, std::uint64_t run_seed, BatchNumbering numbering)
    : run_seed_(run_seed),
      numbering_(numbering),
      next_batch_id_(numbering.first_id),
      next_iteration_(numbering.first_iteration),
      in_flight_(workers) {
  BP_CHECK_GE(numbering_.stride, 1u);
  BP_CHECK_LT(numbering_.offset, numbering_.stride);
}

BatchLedger::BatchLedger(std::uint32_t workers, const CheckpointData& checkpoint, std::uint32_t stride,
                         std::uint32_t offset)
    : BatchLedger(workers, checkpoint.seed, {checkpoint.next_batch_id, checkpoint.next_iteration, stride, offset}) {
  iterations_ = checkpoint.iterations;
  iterations_before_ = checkpoint.iterations;
  applied_before_ = checkpoint.batches_applied;
  for (const PendingBatch& p : checkpoint.pending) {
    carried_.push_back({p.batch_id, p.first_iteration, p.count, p.seed});
    unapplied_.insert(p.batch_id);
  }
}

std::optional<Batch> BatchLedger::Issue(std::uint32_t worker, std::uint64_t batch_size, std::uint64_t iteration_limit) {
  BP_CHECK_LT(worker, in_flight_.size());
  Batch batch;
  if (!carried_.empty()) {
    batch = carried_.front();
    carried_.pop_front();
    ++totals_.issued;
  } else if (!reissue_.empty()) {
    batch = reissue_.front();
    reissue_.pop_front();
    ++totals_.reissued;
  } else if (numbering_.stride == 1) {
    if (iteration_limit > 0 && next_iteration_ >= iteration_limit) return std::nullopt;
    std::uint64_t count = batch_size;
    if (iteration_limit > 0) count = std::min(count, iteration_limit - next_iteration_);
    batch = {next_batch_id_, next_iteration_, count, BatchSeed(run_seed_, next_batch_id_)};
    ++issued_new_;
    ++next_batch_id_;
    next_iteration_ += count;
    unapplied_.insert(batch.id);
    ++totals_.issued;
  } else {
    BP_CHECK_EQ(iteration_limit, 0u);  // rank 0 decides when a run over ranks stops
    const std::uint64_t k = numbering_.offset + numbering_.stride * issued_new_;
    const std::uint64_t id = numbering_.first_id + k;
    batch = {id, numbering_.first_iteration + k * batch_size, batch_size, BatchSeed(run_seed_, id)};
    ++issued_new_;
    next_batch_id_ = numbering_.first_id + numbering_.stride * issued_new_;
    next_iteration_ = batch.first_iteration + (numbering_.stride - numbering_.offset) * batch_size;
    unapplied_.insert(batch.id);
    ++totals_.issued;
  }
  in_flight_[worker].push_back(batch);
  return batch;
}

std::optional<Batch> BatchLedger::Complete(std::uint32_t worker, std::uint64_t id) {
  if (worker < in_flight_.size()) {
    auto& queue = in_flight_[worker];
    const auto it = std::find_if(queue.begin(), queue.end(), [&](const Batch& b) { return b.id == id; });
    if (it != queue.end() && unapplied_.erase(id) == 1) {
      const Batch batch = *it;
      queue.erase(it);
      ++totals_.applied;
      iterations_ += batch.count;
      return batch;
    }
  }
  ++totals_.duplicates;
  return std::nullopt;
}

std::size_t BatchLedger::Lose(std::uint32_t worker) {
  BP_CHECK_LT(worker, in_flight_.size());
  auto& queue = in_flight_[worker];
  const std::size_t lost = queue.size();
  totals_.lost += lost;
  reissue_.insert(reissue_.begin(), queue.begin(), queue.end());
  queue.clear();
  return lost;
}

std::size_t BatchLedger::InFlight() const {
  std::size_t n = 0;
  for (const auto& q : in_flight_) n += q.size();
  return n;
}

std::vector<PendingBatch> BatchLedger::Pending() const {
  std::vector<PendingBatch> out;
  auto add = [&](const Batch& b) { out.push_back({b.id, b.first_iteration, b.count, b.seed}); };
  for (const Batch& b : carried_) add(b);
  for (const Batch& b : reissue_) add(b);
  for (const auto& q : in_flight_) {
    for (const Batch& b : q) add(b);
  }
  return out;
}

std::uint64_t BatchLedger::unapplied_iterations() const {
  std::uint64_t n = 0;
  auto add = [&](const std::deque<Batch>& batches) {
    for (const Batch& b : batches) n += b.count;
  };
  add(carried_);
  add(reissue_);
  for (const auto& q : in_flight_) add(q);
  return n;
}

void BatchLedger::SaveTo(CheckpointData& checkpoint) const {
  checkpoint.iterations = iterations_;
  checkpoint.batches_applied = batches_applied();
  checkpoint.next_batch_id = next_batch_id_;
  checkpoint.next_iteration = next_iteration_;
  checkpoint.seed = run_seed_;
  checkpoint.pending = Pending();
}

bool BatchLedger::ExactlyOnce() const {
  return InFlight() == 0 && totals_.duplicates == 0 &&
         totals_.applied == totals_.issued - totals_.lost + totals_.reissued;
}

}  // namespace bp::trainer

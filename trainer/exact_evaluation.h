// ExactEvaluation<G>: the exploitability of the average strategy, for games
// small enough to enumerate (solver::EnumerableGame: Kuhn, Leduc,
// push/fold), computed on a thread of its own from a copy of the strategy
// sums, so that a slow exact evaluation never stalls the coordinator.
//
// The coordinator thread owns the object: it starts an evaluation (one at a
// time) with the sums it copies then, polls for the result, and joins before
// it forks (fork copies only the calling thread). The evaluation thread
// reads only the copy and the immutable game, layout and evaluator. For other
// games every call is a no-op and there is no value.
#pragma once

#include <atomic>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "ipc/wake_affinity.h"
#include "solver/exact_evaluator.h"
#include "solver/policy.h"
#include "solver/table_layout.h"

namespace bp::trainer {

namespace exact_detail {
struct None {};
template <class G, bool = solver::EnumerableGame<G>>
struct EvaluatorOf {
  using type = None;
};
template <class G>
struct EvaluatorOf<G, true> {
  using type = solver::ExactEvaluator<G>;
};
}  // namespace exact_detail

template <class G>
class ExactEvaluation {
 public:
  static constexpr bool kEnumerable = solver::EnumerableGame<G>;

  // cpus: where its thread runs (not the CPU the coordinator may be bound to).
  ExactEvaluation(const G& game, const solver::TableLayout& layout, ipc::CpuMask cpus) : layout_(layout), cpus_(cpus) {
    if constexpr (kEnumerable) evaluator_.emplace(game, layout);
  }
  ExactEvaluation(const ExactEvaluation&) = delete;
  ExactEvaluation& operator=(const ExactEvaluation&) = delete;
  ~ExactEvaluation() { Join(); }

  // Whether the average strategy of `sums` can be evaluated: an enumerable
  // game whose strategy sums cover every street.
  bool Possible(std::span<const double> sums) const { return kEnumerable && sums.size() == layout_.num_entries(); }

  // Starts evaluating `sums` unless an evaluation is running or impossible.
  void Start(std::span<const double> sums) {
    if constexpr (kEnumerable) {
      if (pending_ || !Possible(sums)) return;
      copy_.assign(sums.begin(), sums.end());
      done_.store(false);
      pending_ = true;
      thread_ = std::thread([this] {
        cpus_.ApplyToThisThread();
        result_ = evaluator_->Exploitability(solver::TabularPolicy::Average(layout_, copy_));
        done_.store(true, std::memory_order_release);
      });
    }
  }
  // The result of a finished evaluation, once.
  std::optional<double> Poll() {
    if (!pending_ || !done_.load(std::memory_order_acquire)) return std::nullopt;
    Join();
    pending_ = false;
    return result_;
  }
  // Waits for the thread; its result stays for Poll.
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  // The exploitability of `sums` computed now, on the calling thread.
  std::optional<double> Now(std::span<const double> sums) const {
    if constexpr (kEnumerable) {
      if (Possible(sums)) return evaluator_->Exploitability(solver::TabularPolicy::Average(layout_, sums));
    }
    return std::nullopt;
  }

 private:
  using Evaluator = typename exact_detail::EvaluatorOf<G>::type;

  const solver::TableLayout& layout_;
  ipc::CpuMask cpus_;
  std::optional<Evaluator> evaluator_;  // built once
  std::thread thread_;
  std::vector<double> copy_;  // the evaluation thread's while pending_
  std::atomic<bool> done_{false};
  double result_ = 0;
  bool pending_ = false;  // started and its result not taken yet
};

}  // namespace bp::trainer

// sync_bench: what keeping replicas in step costs (trainer/rank_sync.h), and
// what K ranks would reach over a network. Run it under mpirun, ranks on one
// host over shared memory and loopback:
//
//   OMPI_MCA_btl=self,vader OMPI_MCA_oob_tcp_if_include=lo \
//     mpirun -np 2 build/bench/sync_bench [--configs hunl_200bb,6max] [--touched 10000,100000,1000000]
//
// Measured, per config's table (its betting tree with 169/200/200/200
// buckets): SumTouched with T touched entries per rank (scattered rows of 3
// actions), and SumDense over a slice of the table scaled to the whole
// table (a dense exchange of a 309M-entry table does not fit a test host).
// Projected, for K = 2 .. 64 ranks, from the flags (a model, not a
// measurement): a sync gathers (K-1) contributions of T entries to rank 0
// and broadcasts the merged list down a binomial tree:
//   t_sync = 2 ceil(log2 K) latency + ((K-1) S + ceil(log2 K) S_merged) / bandwidth
// with S = 24 T bytes (entries in runs of 3: 8 bytes each, plus a 16-byte
// header per run), S_merged = min(K S, the table's runs), and ranks that
// train at --rank-rate iterations/s, touch --touched-per-iteration entries an
// iteration and sync every --sync-iterations iterations of each rank:
//   throughput = K rate (I / rate) / (I / rate + t_sync)
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "abstraction/betting_tree.h"
#include "bench/machine.h"
#include "distributed/replica_sync.h"
#include "solver/rng.h"
#include "trainer/config.h"
#include "trainer/median.h"

using namespace bp;

namespace {

std::uint64_t TableEntries(const std::string& config_path) {
  const trainer::Config config = trainer::LoadConfig(config_path, {});
  const abstraction::BettingTree tree(trainer::TableOf(config), config.betting);
  return tree.summary().InfosetActions({169, 200, 200, 200});
}

}  // namespace

int main(int argc, char** argv) {
  distributed::MpiSession mpi(&argc, &argv);
  CLI::App app{"Sync cost of replicated tables over MPI (run under mpirun), and a projection to K ranks."};
  std::vector<std::string> configs = {"hunl_200bb", "6max"};
  std::vector<std::uint64_t> touched = {10000, 100000, 1000000};
  int reps = 5;
  double bandwidth_gbps = 10, latency_us = 50, rank_rate = 2e6, touched_per_iteration = 40, sync_iterations = 40000;
  std::uint64_t dense_slice = 1 << 24;
  std::string config_dir = "configs";
  app.add_option("--configs", configs, "Configs under --config-dir (without .yaml)")->capture_default_str();
  app.add_option("--config-dir", config_dir, "Where the configs are")->capture_default_str();
  app.add_option("--touched", touched, "Touched entries per rank per sync to measure")->capture_default_str();
  app.add_option("--reps", reps, "Repetitions per measurement (the median is shown)")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--dense-slice", dense_slice, "Entries of the dense exchange measured (then scaled to the table)")
      ->capture_default_str();
  app.add_option("--bandwidth-gbps", bandwidth_gbps, "Projection: network bandwidth, Gb/s")->capture_default_str();
  app.add_option("--latency-us", latency_us, "Projection: one message's latency, microseconds")->capture_default_str();
  app.add_option("--rank-rate", rank_rate, "Projection: iterations/s of one rank (a node's workers)")
      ->capture_default_str();
  app.add_option("--touched-per-iteration", touched_per_iteration,
                 "Projection: table entries one iteration touches (distinct within a sync)")
      ->capture_default_str();
  app.add_option("--sync-iterations", sync_iterations, "Projection: iterations of each rank between syncs")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    MPI_Finalize();
    std::exit(code == 0 ? 0 : 2);
  }
  const bool root = mpi.rank() == 0;
  if (root) {
    fmt::print("machine: {}; {} ranks on this host (MPI over what the environment selects; tests use shared memory "
               "and loopback)\n",
               bench::MachineDescription(), mpi.size());
  }
  for (const std::string& name : configs) {
    const std::uint64_t entries = TableEntries(config_dir + "/" + name + ".yaml");
    if (root) fmt::print("\n{}: {} table entries\n{:>12} {:>12} {:>14} {:>14}\n", name, entries, "exchange", "entries/rank",
                         "bytes/rank", "median ms");
    for (std::uint64_t t : touched) {
      t = std::min(t, entries);
      distributed::DeltaLog log(entries);
      solver::Rng rng(static_cast<std::uint64_t>(mpi.rank()) * 7919 + t);
      const double d[3] = {1.5, -2.0, 0.25};
      while (log.touched() < t) {
        const std::uint64_t at = static_cast<std::uint64_t>(rng.UniformDouble() * static_cast<double>(entries - 3));
        log.Add(at, 3, d);
      }
      const std::vector<std::byte> mine = log.Encode();
      std::vector<double> ms;
      for (int r = 0; r < reps; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        distributed::SyncStats stats;
        distributed::SumTouched(MPI_COMM_WORLD, mine, entries, &stats);
        double slowest = stats.seconds;
        MPI_Allreduce(MPI_IN_PLACE, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        ms.push_back(1000 * slowest);
      }
      if (root) fmt::print("{:>12} {:>12} {:>14} {:>14.3f}\n", "touched", log.touched(), mine.size(), trainer::Median(ms));
    }
    const std::uint64_t slice = std::min(dense_slice, entries);
    std::vector<double> mine(slice, 1.0), sum(slice);
    std::vector<double> ms;
    for (int r = 0; r < std::min(reps, 3); ++r) {
      MPI_Barrier(MPI_COMM_WORLD);
      const distributed::SyncStats stats = distributed::SumDense(MPI_COMM_WORLD, mine, sum);
      double slowest = stats.seconds;
      MPI_Allreduce(MPI_IN_PLACE, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      ms.push_back(1000 * slowest);
    }
    if (root) {
      const double scale = static_cast<double>(entries) / static_cast<double>(slice);
      fmt::print("{:>12} {:>12} {:>14} {:>14.1f}   (measured on {} entries: {:.1f} ms, scaled)\n", "dense", entries,
                 8 * entries, trainer::Median(ms) * scale, slice, trainer::Median(ms));
    }
  }
  if (root) {
    const double bytes_per_s = bandwidth_gbps * 1e9 / 8, latency = latency_us * 1e-6;
    const double t_entries = std::min(touched_per_iteration * sync_iterations, 1e12);
    const double s = 8 * t_entries + 16 * t_entries / 3;  // 8 bytes an entry, a 16-byte header a run of 3
    fmt::print("\nprojection (a model, not measured): {:.0f} Gb/s, {:.0f} us a message; a rank {:.3g} it/s, {:.0f} "
               "entries an iteration, a sync every {:.0f} iterations of each rank ({:.3g} entries, {:.1f} MB a rank)\n",
               bandwidth_gbps, latency_us, rank_rate, touched_per_iteration, sync_iterations, t_entries, s / 1e6);
    fmt::print("{:>4} {:>12} {:>16} {:>12}\n", "K", "sync ms", "it/s (all)", "efficiency");
    for (int k : {2, 4, 8, 16, 32, 64}) {
      const double logk = std::ceil(std::log2(static_cast<double>(k)));
      const double merged = std::min(static_cast<double>(k) * s, 1e18);
      const double t_sync = 2 * logk * latency + ((k - 1) * s + logk * merged) / bytes_per_s;
      const double compute = sync_iterations / rank_rate;
      const double throughput = k * rank_rate * compute / (compute + t_sync);
      fmt::print("{:>4} {:>12.2f} {:>16.3g} {:>11.0f}%\n", k, 1000 * t_sync, throughput,
                 100 * throughput / (k * rank_rate));
    }
  }
  return 0;
}

# Fixtures of the Python module's tests: runs trained here by the build's
# train_blueprint (ctest passes the paths in the environment).
import glob
import os
import subprocess

import pytest


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through ctest (tests/CMakeLists.txt)")
    return value


@pytest.fixture(scope="session")
def train_blueprint():
    return _env("BP_TRAIN_BLUEPRINT")


@pytest.fixture(scope="session")
def config_dir():
    return _env("BP_CONFIG_DIR")


def run(*args, stdin=None, check=True):
    result = subprocess.run([str(a) for a in args], input=stdin, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def nlhe_run(tmp_path_factory, train_blueprint, config_dir):
    """A hunl_quick run of 100k iterations on a hashed 8-bucket abstraction."""
    root = tmp_path_factory.mktemp("nlhe")
    buckets = root / "buckets.bin"
    run(_env("BP_MAKE_TEST_BUCKETS"), buckets, 8)
    logdir = root / "run"
    run(train_blueprint, "--config", os.path.join(config_dir, "hunl_quick.yaml"), "--buckets", buckets,
        "--iters", 100000, "--num-workers", 1, "--time-budget", 0, "--logdir", logdir,
        "--set", "logging.progress=lines")
    assert (logdir / "blueprint.bin").is_file()
    yield {"dir": logdir, "blueprint": logdir / "blueprint.bin", "buckets": buckets}
    buckets.unlink()  # 138 MB


def small_run(tmp_path_factory, train_blueprint, config_dir, game, iters):
    logdir = tmp_path_factory.mktemp(game) / "run"
    # Deterministic: what the run learns must not depend on the machine's
    # load (Kuhn at 200k iterations is 0.0028 so; it was 0.0107 once with
    # batches in flight on a busy host).
    run(train_blueprint, "--config", os.path.join(config_dir, f"{game}.yaml"), "--iters", iters,
        "--num-workers", 1, "--time-budget", 0, "--deterministic", "--logdir", logdir,
        "--set", "logging.progress=lines")
    checkpoints = sorted(glob.glob(str(logdir / "checkpoints" / "ckpt-*.bin")))
    assert checkpoints
    return {"dir": logdir, "checkpoint": checkpoints[-1]}


@pytest.fixture(scope="session")
def leduc_run(tmp_path_factory, train_blueprint, config_dir):
    return small_run(tmp_path_factory, train_blueprint, config_dir, "leduc", 200000)


@pytest.fixture(scope="session")
def kuhn_run(tmp_path_factory, train_blueprint, config_dir):
    return small_run(tmp_path_factory, train_blueprint, config_dir, "kuhn", 200000)

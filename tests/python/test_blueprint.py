# The binding of a no-limit blueprint against the command line that reads
# the same file: query, the preflop chart, and their errors.
import os
import re
import shutil

import numpy as np
import pytest

import bpmccfr
from conftest import run

SPOTS = [
    (0, "", "AsKd", ""),
    (1, "r300", "AsKd", ""),
    (1, "r250", "9c8c", ""),  # off the tree: translated
    (0, "r300-r900", "JsJd", ""),
    (1, "r300-c", "QhQd", "2c7hKs"),
    (0, "r300-c-k", "Tc9c", "2c 7h Ks"),
    (1, "r300-c-k-k", "AhAd", "2c7hKs3d"),
    (0, "r300-c-r300", "5h4h", "2c7hKs"),
]


def cli_query(train_blueprint, blueprint, seat, history, hole, board):
    args = [train_blueprint, "query", blueprint, "--seat", seat, "--history", history, "--hole", hole]
    if board:
        args += ["--board", board]
    out = run(*args).stdout
    rows = re.findall(r"^\s+(\S+)\s+([0-9.]+)%$", out, re.M)
    assert rows, out
    return {name: float(p) / 100 for name, p in rows}


def test_metadata(nlhe_run):
    bp = bpmccfr.Blueprint(str(nlhe_run["blueprint"]))
    assert bp.game == "nlhe"
    assert bp.players == 2
    assert bp.stacks == [20000, 20000]
    assert (bp.small_blind, bp.big_blind, bp.ante) == (50, 100, 0)
    assert bp.iterations == 100000
    assert bp.bucket_fingerprint == bpmccfr.Buckets(str(nlhe_run["buckets"])).fingerprint
    assert bp.config["game"]["name"] == "nlhe"
    assert bp.config["run"]["iterations"] == 100000
    assert bp.betting["preflop"]["max_raises"] == 3
    assert bp.betting["preflop"]["limp"] is False


@pytest.mark.parametrize("seat,history,hole,board", SPOTS)
def test_strategy_equals_query(nlhe_run, train_blueprint, seat, history, hole, board):
    bp = bpmccfr.Blueprint(str(nlhe_run["blueprint"]))
    got = bp.strategy(seat, history, hole, board)
    want = cli_query(train_blueprint, nlhe_run["blueprint"], seat, history, hole, board)
    assert list(got) == list(want)
    for action, p in want.items():
        assert got[action] == pytest.approx(p, abs=5.1e-5)
    assert sum(got.values()) == pytest.approx(1, abs=1e-5)


def test_table_equals_strategy_and_blocks_board_cards(nlhe_run):
    bp = bpmccfr.Blueprint(str(nlhe_run["blueprint"]))
    actions, hands, table = bp.strategy_table(1, "r300-c", "2c7hKs")
    assert actions == ["k", "r300", "a19700"]
    assert table.shape == (1326, 3) and table.dtype == np.float32
    assert len(set(hands)) == 1326
    blocked = [i for i, h in enumerate(hands) if any(c in ("2c", "7h", "Ks") for c in (h[:2], h[2:]))]
    assert len(blocked) == 1326 - 1176  # C(49, 2) hands remain
    assert np.isnan(table[blocked]).all()
    free = np.setdiff1d(np.arange(1326), blocked)
    assert not np.isnan(table[free]).any()
    assert np.allclose(table[free].sum(axis=1), 1, atol=1e-5)
    for i in free[::97]:
        want = bp.strategy(1, "r300-c", hands[i], "2c7hKs")
        assert table[i].tolist() == pytest.approx(list(want.values()), abs=1e-7)


def test_sample_is_seeded_and_follows_the_strategy(nlhe_run):
    bp = bpmccfr.Blueprint(str(nlhe_run["blueprint"]))
    actions, hands, table = bp.strategy_table(1, "r300")
    mixed = int(np.argmin(np.nanmax(table, axis=1)))  # the most mixed hand
    hole = hands[mixed]
    assert bp.sample(1, "r300", hole, seed=5) == bp.sample(1, "r300", hole, seed=5)
    n = 4000
    counts = {a: 0 for a in actions}
    for seed in range(n):
        counts[bp.sample(1, "r300", hole, seed=seed)] += 1
    for a, p in zip(actions, table[mixed]):
        sigma = max((p * (1 - p) / n) ** 0.5, 1e-3)
        assert abs(counts[a] / n - p) < 5 * sigma, (a, counts, table[mixed])


def parse_chart_grids(text):
    grids = {}
    for title in ("raise or all-in", "check or call", "fold"):
        block = text.split(f"\n{title} (%")[1].split("\n")[2:15]
        grids[title] = [[int(v) for v in line.split()[1:]] for line in block]
    return grids


@pytest.mark.parametrize("position,facing", [("btn", ""), ("bb", "r300"), ("btn", "r300-r900")])
def test_chart_equals_inspect(nlhe_run, train_blueprint, position, facing):
    bp = bpmccfr.Blueprint(str(nlhe_run["blueprint"]))
    chart, actions = bp.preflop_chart(position, facing)
    assert chart.shape == (13, 13, len(actions))
    args = [train_blueprint, "inspect", nlhe_run["blueprint"], "--preflop-chart", "--position", position]
    if facing:
        args += ["--facing", facing]
    grids = parse_chart_grids(run(*args).stdout)
    kinds = {"raise or all-in": lambda a: a[0] in "ra", "check or call": lambda a: a in ("k", "c"),
             "fold": lambda a: a == "f"}
    for title, grid in grids.items():
        for r in range(13):
            for c in range(13):
                total = 0.0
                for k, a in enumerate(actions):
                    if kinds[title](a):
                        total += float(chart[r, c, k])
                assert int(f"{100 * total:.0f}") == grid[r][c], (title, r, c)
    names = bpmccfr.chart_hand_names()
    assert (names[0][0], names[0][1], names[1][0], names[12][12]) == ("AA", "AKs", "AKo", "22")


def cli_error(train_blueprint, *args):
    result = run(train_blueprint, *args, check=False)
    assert result.returncode == 2, result
    assert result.stderr.startswith("error: ")
    return result.stderr[len("error: "):].strip()


def test_query_errors_carry_the_command_line_messages(nlhe_run, train_blueprint):
    bp = bpmccfr.Blueprint(str(nlhe_run["blueprint"]))
    path = str(nlhe_run["blueprint"])
    cases = [
        ((0, "x", "AsKd", ""), ["--seat", "0", "--history", "x", "--hole", "AsKd"]),
        ((0, "r300", "AsKd", ""), ["--seat", "0", "--history", "r300", "--hole", "AsKd"]),
        ((1, "r150", "AsKd", ""), ["--seat", "1", "--history", "r150", "--hole", "AsKd"]),
        ((1, "r300-c", "AsKd", ""), ["--seat", "1", "--history", "r300-c", "--hole", "AsKd"]),
        ((0, "", "AsAs", ""), ["--seat", "0", "--hole", "AsAs"]),
        ((1, "r300-c", "AsKd", "As7hKs"), ["--seat", "1", "--history", "r300-c", "--hole", "AsKd", "--board", "As7hKs"]),
    ]
    for call, flags in cases:
        with pytest.raises(bpmccfr.ConfigError) as raised:
            bp.strategy(*call)
        assert str(raised.value) == cli_error(train_blueprint, "query", path, *flags)
        assert isinstance(raised.value, bpmccfr.Error)
    with pytest.raises(bpmccfr.ConfigError) as raised:
        bp.preflop_chart("utg")
    assert str(raised.value) == cli_error(train_blueprint, "inspect", path, "--preflop-chart", "--position", "utg")


def test_bad_files_raise(nlhe_run, tmp_path, train_blueprint):
    truncated = tmp_path / "truncated.bin"
    data = nlhe_run["blueprint"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(bpmccfr.AssetError) as raised:
        bpmccfr.Blueprint(str(truncated))
    assert str(truncated) in str(raised.value)
    assert str(raised.value) == cli_error(train_blueprint, "query", truncated, "--seat", "0", "--hole", "AsKd")
    flipped = tmp_path / "flipped.bin"
    corrupt = bytearray(data)
    corrupt[len(corrupt) // 2] ^= 0x40
    flipped.write_bytes(bytes(corrupt))
    with pytest.raises(bpmccfr.AssetError):
        bpmccfr.Blueprint(str(flipped))
    with pytest.raises(bpmccfr.AssetError):
        bpmccfr.Blueprint(str(tmp_path / "missing.bin"))
    with pytest.raises(bpmccfr.AssetError):
        bpmccfr.Blueprint(__file__)
    other = tmp_path / "other_buckets.bin"
    run(os.environ["BP_MAKE_TEST_BUCKETS"], other, 7)
    with pytest.raises(bpmccfr.AssetError) as raised:
        bpmccfr.Blueprint(str(nlhe_run["blueprint"]), buckets=str(other))
    assert "fingerprint" in str(raised.value)
    other.unlink()  # 138 MB
    with pytest.raises(bpmccfr.AssetError):
        bpmccfr.Buckets(str(truncated))
    half = tmp_path / "half_buckets.bin"
    with open(nlhe_run["buckets"], "rb") as f:
        half.write_bytes(f.read(1 << 20))
    with pytest.raises(bpmccfr.AssetError):
        bpmccfr.Buckets(str(half))


def test_buckets_and_indexer(nlhe_run):
    buckets = bpmccfr.Buckets(str(nlhe_run["buckets"]))
    assert buckets.counts == [169, 8, 8, 8]
    assert buckets.mode == "board_as_set"
    indexer = buckets.indexer
    assert [indexer.size(s) for s in ("preflop", "flop", "turn", "river")] == [169, 1286792, 13960050, 123156254]
    # Suit permutations are one class, and so one bucket.
    assert indexer.index("flop", "AsKd", "2c7hKs") == indexer.index(1, "AhKc", "2d7sKh")
    assert indexer.index(0, "AsKs") != indexer.index(0, "AsKd")
    for street, hole, board in [(0, "7c2d", ""), (1, "AsKd", "2c7hKs"), (2, "QcQd", "2c7hKs9d"), (3, "5h4h", "2c7hKs9d3h")]:
        index = indexer.index(street, hole, board)
        assert buckets.bucket(street, hole, board) == buckets.bucket_of_index(street, index)
        h, b = indexer.unindex(street, index)
        assert indexer.index(street, h, b) == index
    # The test file keeps the preflop lossless: the bucket is the class.
    assert buckets.bucket("preflop", "AsAh") == indexer.index(0, "AsAh")
    with pytest.raises(bpmccfr.ConfigError):
        buckets.bucket("flop", "AsKd", "2c7h")
    with pytest.raises(bpmccfr.ConfigError):
        buckets.bucket("fifth", "AsKd", "")
    with pytest.raises(bpmccfr.ConfigError):
        buckets.bucket(0, "AsKd", "2c7hKs")
    with pytest.raises(bpmccfr.ConfigError):
        indexer.unindex(0, 169)
    with pytest.raises(bpmccfr.ConfigError):
        bpmccfr.HandIndexer("sorted")
    with pytest.raises(TypeError):
        buckets.bucket(1.5, "AsKd", "2c7hKs")

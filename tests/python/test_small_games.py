# Checkpoints of the small games: every infoset's average strategy and the
# exact exploitability, against what the trainer logged and printed.
import json
import re

import pytest

import bpmccfr
from conftest import run


def final_row(run_dir):
    rows = bpmccfr.read_metrics(str(run_dir), as_dataframe=False)
    assert rows[-1]["final"] is True
    return rows[-1]


def test_leduc_exploitability_equals_the_trainers(leduc_run):
    ckpt = bpmccfr.Checkpoint(leduc_run["checkpoint"])
    assert ckpt.game == "leduc"
    assert ckpt.iterations == 200000
    row = final_row(leduc_run["dir"])
    assert row["iterations"] == ckpt.iterations
    assert ckpt.exploitability() == row["exploitability"]
    assert 0 < ckpt.exploitability() < 0.2


def test_leduc_average_strategy_equals_inspect(leduc_run, train_blueprint):
    ckpt = bpmccfr.Checkpoint(leduc_run["checkpoint"])
    strategy = ckpt.average_strategy()
    assert len(strategy) == 936
    for name, probs in strategy.items():
        assert sum(probs.values()) == pytest.approx(1, abs=1e-12), name
    for name in ("Js:", "Ks:r", "Ks Qh:cc/r"):
        out = run(train_blueprint, "inspect", leduc_run["checkpoint"], "--infoset", name).stdout
        rows = re.findall(r"^\s+(\S+)\s+([0-9.]+)\s+([0-9.]+)\s+(-?[0-9.]+)$", out, re.M)
        assert [a for a, *_ in rows] == list(strategy[name]), out
        for action, average, _, _ in rows:
            assert strategy[name][action] == pytest.approx(float(average), abs=5.1e-5)


def test_kuhn(kuhn_run):
    ckpt = bpmccfr.Checkpoint(kuhn_run["checkpoint"])
    strategy = ckpt.average_strategy()
    assert len(strategy) == 12
    assert ckpt.exploitability() == final_row(kuhn_run["dir"])["exploitability"]
    assert ckpt.exploitability() < 0.01
    # Player 1 with the king always bets after a check (an equilibrium fact).
    king_after_check = [n for n in strategy if n.startswith("K") and n.endswith("p")]
    assert king_after_check
    for name in king_after_check:
        assert max(strategy[name], key=strategy[name].get) in ("b", "r")


def test_read_config_is_resolved(leduc_run):
    config = bpmccfr.read_config(str(leduc_run["dir"]))
    assert config["game"]["name"] == "leduc"
    assert config["run"]["iterations"] == 200000
    assert config["run"]["num_workers"] == 1
    assert config["solver"]["sampling"] == "external"
    assert bpmccfr.Checkpoint(leduc_run["checkpoint"]).config == config


def test_bad_checkpoints_raise(leduc_run, nlhe_run, tmp_path):
    data = open(leduc_run["checkpoint"], "rb").read()
    truncated = tmp_path / "ckpt-1.bin"
    truncated.write_bytes(data[: len(data) - 100])
    with pytest.raises(bpmccfr.CheckpointError) as raised:
        bpmccfr.Checkpoint(str(truncated))
    assert str(truncated) in str(raised.value)
    with pytest.raises(bpmccfr.CheckpointError):
        bpmccfr.Checkpoint(str(tmp_path / "none.bin"))
    # A run directory: its newest checkpoint that reads.
    assert bpmccfr.Checkpoint(str(leduc_run["dir"])).path == leduc_run["checkpoint"]
    (tmp_path / "empty" / "checkpoints").mkdir(parents=True)
    with pytest.raises(bpmccfr.CheckpointError, match="no checkpoints"):
        bpmccfr.Checkpoint(str(tmp_path / "empty"))
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\0" * 4096)
    with pytest.raises(bpmccfr.CheckpointError):
        bpmccfr.Checkpoint(str(garbage))
    nlhe = sorted((nlhe_run["dir"] / "checkpoints").glob("ckpt-*.bin"))[-1]
    with pytest.raises(bpmccfr.ConfigError) as raised:
        bpmccfr.Checkpoint(str(nlhe)).average_strategy()
    assert "too large to enumerate" in str(raised.value)
    with pytest.raises(bpmccfr.ConfigError):
        bpmccfr.read_config(str(tmp_path))


def test_read_metrics(leduc_run, tmp_path):
    rows = bpmccfr.read_metrics(str(leduc_run["dir"]), as_dataframe=False)
    lines = (leduc_run["dir"] / "metrics.jsonl").read_text().splitlines()
    assert rows == [json.loads(line) for line in lines]
    default = bpmccfr.read_metrics(str(leduc_run["dir"]))
    try:
        import pandas  # noqa: F401
        assert list(default["iterations"]) == [r["iterations"] for r in rows]
    except ImportError:
        assert default == rows
    # A run killed while writing its last line: that line is skipped, with a warning.
    cut = tmp_path / "metrics.jsonl"
    cut.write_text("\n".join(lines) + "\n" + lines[-1][:20])
    with pytest.warns(UserWarning, match=rf"metrics.jsonl:{len(lines) + 1}: skipped"):
        assert bpmccfr.read_metrics(str(tmp_path), as_dataframe=False) == rows
    with pytest.raises(bpmccfr.FileError):
        bpmccfr.read_metrics(str(tmp_path / "nowhere"))

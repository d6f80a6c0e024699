"""bpmccfr: the strategies the blueprint trainer learned, from Python.

A thin binding over the trainer's C++ API (the extension bpmccfr._core):

    import bpmccfr
    bp = bpmccfr.Blueprint("runs/hunl_quick/blueprint.bin")
    bp.strategy(seat=1, history="r300", hole="AsKd")      # {'f': ..., 'c': ..., ...}
    chart, actions = bp.preflop_chart("btn")               # 13 x 13 x actions
    rows = bpmccfr.read_metrics("runs/hunl_quick")        # list of dicts, or a DataFrame

Errors are bpmccfr.Error (ConfigError, AssetError, CheckpointError,
FileError) with the messages of the command line.
"""

import json
import os
import warnings

from ._core import (  # noqa: F401
    AssetError,
    Blueprint,
    Buckets,
    Checkpoint,
    CheckpointError,
    ConfigError,
    Error,
    FileError,
    HandIndexer,
    chart_hand_names,
    read_config,
)

__all__ = [
    "AssetError", "Blueprint", "Buckets", "Checkpoint", "CheckpointError", "ConfigError", "Error", "FileError",
    "HandIndexer", "chart_hand_names", "read_config", "read_metrics",
]


def read_metrics(run_dir, as_dataframe=None):
    """The rows of RUN_DIR/metrics.jsonl, oldest first.

    A list of dicts, or a pandas DataFrame when pandas is installed (or
    as_dataframe=True; as_dataframe=False always gives the list). A line
    that is not one JSON object (the last line of a run killed mid-write) is
    skipped with a warning naming the file and line, as `inspect` does.
    """
    path = os.path.join(run_dir, "metrics.jsonl") if os.path.isdir(run_dir) else run_dir
    if not os.path.isfile(path):
        raise FileError(f"{path}: no such file (expected a run directory or its metrics.jsonl)")
    rows = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                row = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                row = None
            if not isinstance(row, dict):
                if raw.strip():
                    warnings.warn(f"{path}:{number}: skipped: not a JSON object (a line cut short?)", stacklevel=2)
                continue
            rows.append(row)
    if as_dataframe is False:
        return rows
    try:
        import pandas
    except ImportError:
        if as_dataframe:
            raise
        return rows
    return pandas.json_normalize(rows)

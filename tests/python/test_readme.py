# The README's Python example runs as written, against runs trained here.
import os
import re
import subprocess
import sys

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def test_readme_python_example(nlhe_run, leduc_run, tmp_path):
    text = open(README, encoding="utf-8").read()
    block = re.search(r"<!-- readme-python-example:[^\n]*-->\n```python\n(.*?)\n```", text, re.S)
    assert block, "the README lost its marked Python example"
    (tmp_path / "runs").mkdir()
    os.symlink(nlhe_run["dir"], tmp_path / "runs" / "hunl_quick")
    os.symlink(leduc_run["dir"], tmp_path / "runs" / "leduc")
    script = tmp_path / "example.py"
    script.write_text(block.group(1))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("nlhe 2 [20000, 20000] 100 100000 0x")
    assert lines[-1] == "refused: query after 'r300': seat 1 is to act, not seat 0"

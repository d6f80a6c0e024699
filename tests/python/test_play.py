# Scripted sessions of `train_blueprint play` through standard input.
import re
import signal
import subprocess
import time

import pytest

from conftest import run

STACK, BB = 20000, 100
# Lines tried in turn; the ones illegal at a prompt get a message and the prompt again.
SCRIPT = ["c", "zz", "k", "b250", "r700", "c", "k", "a", "f", "r999999", "c", "k"] * 40


def play(train_blueprint, blueprint, lines, *flags):
    return run(train_blueprint, "play", blueprint, *flags, stdin="\n".join(lines) + "\n")


def check_session(out, hands_expected=None):
    results = [(int(y), int(b)) for y, b in re.findall(r"^result of hand \d+: you ([+-]\d+), the bot ([+-]\d+) chips$", out, re.M)]
    assert results
    if hands_expected is not None:
        assert len(results) == hands_expected
    for you, bot in results:
        assert you + bot == 0  # chips are conserved
        assert abs(you) <= STACK
    # Every prompt: the chips on the table add up, and only legal actions are offered.
    prompts = re.findall(r"^pot (\d+), your stack (\d+), the bot's (\d+); to call (\d+)\n\[(.*)\]> ", out, re.M)
    assert prompts
    for pot, mine, bots, to_call, legal in prompts:
        pot, mine, bots, to_call = int(pot), int(mine), int(bots), int(to_call)
        assert pot + mine + bots == 2 * STACK
        offered = [p.split()[0] for p in legal.split(", ")]
        if to_call == 0:
            assert "k" in offered and "f" not in offered and "c" not in offered, legal
        else:
            assert "f" in offered and "c" in offered and "k" not in offered, legal
            assert f"c call {min(to_call, mine)}" in legal
        allin = re.search(r"a all-in to (\d+)", legal)
        ranged = re.search(r"[br]<(\d+)\.\.(\d+)>", legal)
        if ranged:
            assert allin and int(ranged.group(2)) == int(allin.group(1))
            assert int(ranged.group(1)) < int(ranged.group(2))
        if allin:
            assert mine > to_call  # raising needs chips beyond the call
    # The score is the hands played.
    final = re.search(r"^session over: (\d+) hands?, you ([+-][0-9.]+) bb: ([+-]\d+) bb/100", out, re.M)
    assert final, out[-500:]
    assert int(final.group(1)) == len(results)
    total = sum(y for y, _ in results) / BB
    assert float(final.group(2)) == pytest.approx(total, abs=0.005)
    assert int(final.group(3)) == round(100 * total / len(results))
    return results


def test_scripted_session(nlhe_run, train_blueprint):
    out = play(train_blueprint, nlhe_run["blueprint"], SCRIPT, "--seed", "11", "--hands", "8").stdout
    check_session(out, hands_expected=8)
    assert "'zz' is not an action" in out
    assert "a raise to 999999 is not legal" in out or "a bet to" in out
    # The seats alternate: the player has the button in odd hands.
    seats = re.findall(r"^=== hand (\d+): you are seat (\d)", out, re.M)
    assert [int(s) for _, s in seats] == [(int(h) - 1) % 2 for h, _ in seats]
    # The interval of the running score, recomputed from the hands.
    results = [int(y) / BB for y in re.findall(r"^result of hand \d+: you ([+-]\d+)", out, re.M)]
    n = len(results)
    mean = sum(results) / n
    sd = (sum((x - mean) ** 2 for x in results) / (n - 1)) ** 0.5
    low, high = re.search(r"^session over: .*95% interval ([+-]\d+) to ([+-]\d+)", out, re.M).groups()
    assert int(low) == pytest.approx(100 * (mean - 1.96 * sd / n ** 0.5), abs=1)
    assert int(high) == pytest.approx(100 * (mean + 1.96 * sd / n ** 0.5), abs=1)


def test_seed_replays_the_session(nlhe_run, train_blueprint):
    a = play(train_blueprint, nlhe_run["blueprint"], SCRIPT, "--seed", "3", "--hands", "5").stdout
    b = play(train_blueprint, nlhe_run["blueprint"], SCRIPT, "--seed", "3", "--hands", "5").stdout
    c = play(train_blueprint, nlhe_run["blueprint"], SCRIPT, "--seed", "4", "--hands", "5").stdout
    assert a == b
    assert re.findall(r"^your cards: .*$", a, re.M) != re.findall(r"^your cards: .*$", c, re.M)


def test_reveal_and_end_of_input(nlhe_run, train_blueprint):
    out = play(train_blueprint, nlhe_run["blueprint"], SCRIPT[:30], "--seed", "5", "--reveal").stdout
    assert re.search(r"^  the bot on the (preflop|flop|turn|river) after '.*':( \S+ [0-9.]+%)+; played \S+$", out, re.M)
    check_session(out)  # input ran out mid-hand: that hand is not counted
    assert out.count("=== hand") == len(re.findall(r"^result of hand", out, re.M)) + 1


def test_quit_and_no_hands(nlhe_run, train_blueprint):
    out = play(train_blueprint, nlhe_run["blueprint"], ["q"], "--seed", "1").stdout
    assert "session over: no hands played" in out


def test_ctrl_c_ends_with_the_score(nlhe_run, train_blueprint):
    proc = subprocess.Popen([train_blueprint, "play", str(nlhe_run["blueprint"]), "--seed", "2"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    for _ in range(100):  # wait until it is at a prompt
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "session over:" in out


def test_bad_usage(nlhe_run, train_blueprint, tmp_path):
    bad = run(train_blueprint, "play", tmp_path / "none.bin", check=False)
    assert bad.returncode == 2 and "cannot open" in bad.stderr
    bad = run(train_blueprint, "play", nlhe_run["blueprint"], "--seed", "-1", check=False)
    assert bad.returncode == 2 and "--seed" in bad.stderr

"""tools/paired.py: two models' reports compared item by item."""
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import MODELS_DIR

TOOL = MODELS_DIR / "tools" / "paired.py"
spec = importlib.util.spec_from_file_location("paired", TOOL)
paired = importlib.util.module_from_spec(spec)
spec.loader.exec_module(paired)


def expression_row(clip, mouth_corr, photo=None, sharpness=100.0):
    row = {m: {"corr": 0.5, "amplitude": 1.0, "frames": 10} for m in paired.EXPRESSION_MEASURES}
    row["mouth"] = {"corr": mouth_corr, "amplitude": 0.6, "frames": 10}
    row.update(clip=clip, sharpness={"source": 300.0, "result": sharpness})
    if photo:
        row["photo"] = photo
    return row


def test_differences_are_paired_by_item_with_their_standard_error():
    before = {"a": {"x": 1.0}, "b": {"x": 2.0}, "c": {"x": 3.0}, "only before": {"x": 9.0}}
    after = {"a": {"x": 1.5}, "b": {"x": 2.1}, "c": {"x": 3.4}, "none": {"x": None}}
    after_mean, before_mean, diff, error, count = paired.paired(before, after)["x"]
    differences = np.array([0.5, 0.1, 0.4])
    assert count == 3
    assert before_mean == pytest.approx(2.0) and after_mean == pytest.approx(7.0 / 3)
    assert diff == pytest.approx(differences.mean())
    assert error == pytest.approx(differences.std(ddof=1) / np.sqrt(3))


def test_expression_reports_pair_clips_and_clip_photo_pairs(tmp_path):
    before = {"same_identity_clips": [expression_row("c1", 0.5), expression_row("c2", 0.6)],
              "cross_identity_pairs": [expression_row("c1", 0.2, "p1"), expression_row("c1", 0.3, "p2")]}
    after = {"same_identity_clips": [expression_row("c2", 0.9), expression_row("c1", 0.7, sharpness=150.0)],
             "cross_identity_pairs": [expression_row("c1", 0.3, "p2"), expression_row("c1", 0.2, "p1")]}
    result = paired.compare(before, after)
    assert result["same identity"]["mouth corr"][2] == pytest.approx(0.25)  # (0.2 + 0.3) / 2
    assert result["same identity"]["sharpness"][2] == pytest.approx(25.0)
    assert result["cross identity"]["mouth corr"][2] == pytest.approx(0.0)  # same pairs, listed apart
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(before))
    b.write_text(json.dumps(after))
    proc = subprocess.run([sys.executable, str(TOOL), str(a), str(b), "--out", str(tmp_path / "c.json")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "mouth corr" in proc.stdout and "+0.2500" in proc.stdout
    assert json.loads((tmp_path / "c.json").read_text())["same identity"]["mouth corr"][4] == 2


def test_reconstruction_reports_pair_clips():
    before = {"clips": [{"clip": "x", "l1": 0.07, "akd": 2.0, "mkr": 0.0, "aed": 0.4},
                        {"clip": "y", "l1": 0.08, "akd": 3.0, "mkr": 0.1, "aed": 0.5}]}
    after = {"clips": [{"clip": "y", "l1": 0.07, "akd": 2.0, "mkr": 0.0, "aed": 0.5},
                       {"clip": "x", "l1": 0.07, "akd": 2.0, "mkr": 0.0, "aed": 0.4}]}
    result = paired.compare(before, after)["reconstruction"]
    assert result["l1"][2] == pytest.approx(-0.005) and result["mkr"][2] == pytest.approx(-0.05)

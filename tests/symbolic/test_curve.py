"""The training curve beside a checkpoint survives a kill and carries on across resumes."""

from __future__ import annotations

from songform.symbolic.curve import CSV_EVERY, TrainingCurve


def _steps(folder) -> list[int]:
    lines = (folder / "curve.csv").read_text().splitlines()
    return [int(line.split(",")[0]) for line in lines[1:]]


def test_the_curve_is_kept_before_the_first_validation_and_resumes_without_gaps(tmp_path):
    curve = TrainingCurve(tmp_path)
    for step in range(1, 2 * CSV_EVERY + 7):  # killed here, before any validation
        curve.add({"step": step, "loss": 5.0 - step / 100, "tokens_per_s": 100.0})
    assert _steps(tmp_path) == list(range(1, 2 * CSV_EVERY + 1))
    assert not (tmp_path / "curve.png").exists()
    resumed = TrainingCurve.resume(tmp_path)  # the checkpoint was at step CSV_EVERY + 3
    for step in range(CSV_EVERY + 4, 3 * CSV_EVERY + 1):
        record = {"step": step, "loss": 1.0, "tokens_per_s": 100.0}
        if step == 3 * CSV_EVERY:
            record["valid_nll"] = 0.9
        resumed.add(record)
    assert _steps(tmp_path) == list(range(1, 3 * CSV_EVERY + 1))  # replayed steps replaced
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"

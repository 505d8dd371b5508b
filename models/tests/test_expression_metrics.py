"""fomm.expression's measures, worked by hand on synthetic landmarks and images."""
import numpy as np
import pytest

from fomm import expression


def face(mouth_gap=0.0, eye_gap=0.0, roll_deg=0.0):
    """68 landmarks of a schematic face: eyes 40 px apart, lips and lids opened by the given gaps."""
    marks = np.zeros((68, 2))
    marks[36:42] = [30.0, 50.0]
    marks[42:48] = [70.0, 50.0]
    for upper, lower in expression.LIDS:
        x = 30.0 if upper < 42 else 70.0
        marks[upper] = [x, 50.0 - eye_gap / 2]
        marks[lower] = [x, 50.0 + eye_gap / 2]
    for upper, lower in expression.INNER_LIPS + expression.OUTER_LIPS:
        marks[upper] = [50.0, 80.0 - mouth_gap / 2]
        marks[lower] = [50.0, 80.0 + mouth_gap / 2]
    marks[0], marks[16], marks[30] = [10.0, 60.0], [90.0, 60.0], [50.0, 65.0]
    if roll_deg:
        angle = np.radians(roll_deg)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        marks = (marks - 50.0) @ rotation.T + 50.0
    return marks


def test_openings_are_gaps_over_the_inter_ocular_distance():
    # The eye centres stay 40 px apart whatever the lids do (the lid points move symmetrically).
    assert expression.mouth_opening(face(mouth_gap=8.0)) == pytest.approx(8.0 / 40.0)
    assert expression.eye_opening(face(eye_gap=4.0)) == pytest.approx(4.0 / 40.0)
    assert expression.head_roll(face(roll_deg=10.0)) == pytest.approx(10.0, abs=1e-6)
    assert expression.head_yaw(face()) == pytest.approx(0.0)


def test_a_result_that_opens_half_as_far_correlates_fully_with_amplitude_one_half():
    gaps = 6.0 + 4.0 * np.sin(np.linspace(0, 6 * np.pi, 40))
    driving = [face(mouth_gap=g) for g in gaps]
    half = [face(mouth_gap=6.0 + (g - 6.0) / 2) for g in gaps]
    row = expression.compare(driving, half)
    assert row["mouth"]["corr"] == pytest.approx(1.0, abs=1e-9)
    assert row["mouth"]["amplitude"] == pytest.approx(0.5, abs=0.02)
    # A still mouth on the result: correlation 0 (not undefined), amplitude 0.
    still = expression.compare(driving, [face(mouth_gap=6.0)] * len(gaps))
    assert still["mouth"]["corr"] == 0.0 and still["mouth"]["amplitude"] == 0.0


def test_frames_without_a_face_are_left_out_and_too_few_give_no_figure():
    gaps = np.linspace(2, 10, 12)
    driving = [face(mouth_gap=g) for g in gaps]
    result = [None if i % 2 else face(mouth_gap=g) for i, g in enumerate(gaps)]
    row = expression.compare(driving, result)
    assert row["mouth"]["frames"] == 6
    assert expression.compare(driving[:3], result[:3])["mouth"]["corr"] is None


def test_summaries_weigh_each_clip_by_its_frames():
    rows = [
        {name: {"corr": 1.0, "amplitude": 1.0, "frames": 30} for name in expression.MEASURES},
        {name: {"corr": 0.0, "amplitude": 0.5, "frames": 10} for name in expression.MEASURES},
    ]
    summary = expression.summarise(rows)
    assert summary["mouth"]["corr"] == pytest.approx(0.75)
    assert summary["mouth"]["amplitude"] == pytest.approx(0.875)
    assert summary["mouth"]["pairs"] == 2


def test_sharpness_is_the_laplacian_variance_and_falls_with_blur():
    rng = np.random.default_rng(0)
    flat = np.full((2, 16, 16, 3), 128, dtype=np.uint8)
    assert expression.sharpness(flat) == 0.0
    # One bright pixel on grey: the Laplacian is -4a there and +a at its four neighbours.
    spot = flat[:1].copy()
    spot[0, 8, 8] = 128 + 40
    lap = np.zeros(14 * 14)
    lap[:5] = [-160.0, 40.0, 40.0, 40.0, 40.0]
    assert expression.sharpness(spot) == pytest.approx(lap.var(), rel=1e-6)
    noise = rng.integers(0, 256, size=(1, 32, 32, 3), dtype=np.uint8)
    blurred = ((noise[:, :-1, :-1].astype(np.float64) + noise[:, 1:, :-1] + noise[:, :-1, 1:] + noise[:, 1:, 1:]) / 4).astype(np.uint8)
    assert expression.sharpness(blurred) < expression.sharpness(noise) / 3
    summary = expression.summarise_sharpness(
        [{"sharpness": {"source": 100.0, "result": 50.0}}, {"sharpness": {"source": 200.0, "result": 50.0}}]
    )
    assert summary == {"source": 150.0, "result": 50.0, "ratio": pytest.approx(0.375), "pairs": 2}


def test_a_quick_run_spreads_its_clips_over_the_whole_list():
    clips = [f"clip{i}" for i in range(10)]
    assert expression.spread(clips, 4) == ["clip0", "clip3", "clip6", "clip9"]
    assert expression.spread(clips, 1) == ["clip0"]
    assert expression.spread(clips) == clips
    assert expression.spread(clips, 20) == clips

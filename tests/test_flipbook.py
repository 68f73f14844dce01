"""ui/components/flipbook.py: one frame per slider value, the nearest value shown."""

import pytest

from ui.components import flipbook


def test_nearest_index_snaps_to_the_closest_value():
    values = [0.0, 0.05, 0.1, 0.15]
    assert flipbook.nearest_index(values, 0.0) == 0
    assert flipbook.nearest_index(values, 0.06) == 1
    assert flipbook.nearest_index(values, 0.149) == 3
    assert flipbook.nearest_index(values, 7.0) == 3


@pytest.mark.parametrize("frames, summaries", [(["a"], ["x", "y"]), (["a", "b"], ["x"])])
def test_a_frame_and_a_summary_per_value_are_required(frames, summaries):
    with pytest.raises(ValueError, match="one frame and one summary per slider value"):
        flipbook.flipbook("k", "Level", [0.0, 1.0], 0.0, frames, summaries)

"""Finding X-1: the first frame of every lesson slider is the picture it shows after a slider moves
away and back (the first frame is what the committed notebooks, the site and the slides show)."""
import pytest

from widget_cases import CASES, make_widget


@pytest.mark.parametrize("name", list(CASES))
def test_first_frame_is_the_frame_after_moving_away_and_back(name, assert_same_pixels, assert_shows_the_whole_figure):
    live, sweep = make_widget(name)
    first, start = live.image.value, live.values
    assert_shows_the_whole_figure(live)  # fails where a title returned by show() is misplaced at first
    away = next(values for values in sweep if values != start)
    live.update(**away)
    assert live.image.value != first  # the move changed the picture
    live.update(**start)
    assert_same_pixels(live.image.value, first)  # fails where the first frame had stale or missing artists

"""Plot helpers the figure scripts share: colours readable on white, counted nouns, the run's scale
stated on a figure."""
import matplotlib.colors
import pytest

from mnist1d_repro.plotting import count_text, ordered_colors


def contrast_on_white(color) -> float:
    """WCAG contrast ratio of ``color`` against white."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in matplotlib.colors.to_rgb(color)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 30])
def test_ordered_colours_are_readable_on_white_and_distinct(count):
    colors = ordered_colors(count)
    assert len(colors) == count
    assert min(contrast_on_white(c) for c in colors) >= 3.0  # WCAG's minimum for graphics
    assert len({matplotlib.colors.to_hex(c) for c in colors}) == count


def test_counted_nouns():
    assert count_text(1, "outer step") == "1 outer step"
    assert [count_text(n, "level") for n in (0, 2)] == ["0 levels", "2 levels"]


@pytest.mark.parametrize("scale, stated", [("quick", True), ("paper", False), (None, False)])
def test_a_figure_states_a_scale_other_than_the_papers(tmp_path, scale, stated):
    import matplotlib.pyplot as plt

    from mnist1d_repro.plotting import save_figure

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    save_figure(fig, tmp_path / "figure.png", scale=scale)
    assert (tmp_path / "figure.png").stat().st_size > 0
    assert any("quick scale" in text.get_text() for text in fig.texts) == stated

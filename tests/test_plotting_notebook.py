"""Smoke tests with real assertions for the shared figure helpers and the notebook set-up."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nhtopo_lib as nl  # noqa: E402
from nhtopo_lib import plotting  # noqa: E402


def test_plot_loop_labels_axes_and_draws_arrows():
    fig, ax = plt.subplots()
    z = np.exp(1j * np.linspace(0, 2 * np.pi, 50))
    plotting.plot_loop(ax, z, base=0.0, n_arrows=3, label="loop")
    assert ax.get_xlabel() == "Re $E$" and ax.get_ylabel() == "Im $E$"
    assert len([c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]) == 3
    plt.close(fig)


def test_phase_diagram_shape_check_and_discrete_colorbar():
    fig, ax = plt.subplots()
    x, y = np.linspace(0, 1, 4), np.linspace(0, 1, 3)
    v = np.array([[0, 1, 1, 0], [0, -1, 1, 0], [0, 0, 0, 0]])
    plotting.plot_phase_diagram(ax, x, y, v, xlabel="a", ylabel="b")
    assert ax.get_xlabel() == "a"
    cbar_ax = fig.axes[-1]
    assert list(np.round(cbar_ax.get_yticks())) == [-1, 0, 1]
    with pytest.raises(ValueError, match="shape"):
        plotting.plot_phase_diagram(ax, x, y, v.T, xlabel="a", ylabel="b")
    plt.close(fig)


def test_training_curves_and_spectrum():
    fig, ax = plt.subplots()
    plotting.plot_training_curves(ax, {"cnn": {"train": [1, 0.5, 0.2], "val": [1.1, 0.6, 0.3]}})
    assert ax.get_xlabel() == "epoch" and len(ax.get_lines()) == 2
    plotting.plot_spectrum(ax, [1 + 1j, 2 - 1j])
    plt.close(fig)


def test_init_notebook_seeds_and_style():
    rng = nl.init_notebook(seed=3)
    a = rng.normal(size=3)
    b = nl.init_notebook(seed=3).normal(size=3)
    assert np.array_equal(a, b)
    assert matplotlib.rcParams["axes.grid"] is True


def test_figure_min_text_px_counts_only_visible_text():
    from nhtopo_lib.notebook import figure_min_text_px

    fig, ax = plt.subplots(dpi=100)
    ax.plot([0, 1], [0, 1], label="line")
    ax.tick_params(labelsize=10)
    ax.set_title("title", fontsize=14)
    assert figure_min_text_px(fig) == pytest.approx(10 * 100 / 72)
    leg = ax.legend(fontsize=6)
    assert figure_min_text_px(fig) == pytest.approx(6 * 100 / 72)
    leg.set_visible(False)
    ax.axis("off")  # hidden axes: their tick labels no longer count
    assert figure_min_text_px(fig) == pytest.approx(14 * 100 / 72)
    assert figure_min_text_px(fig, dpi=200) == pytest.approx(14 * 200 / 72)
    plt.close(fig)


def test_png_formatter_records_text_height():
    import base64
    import io

    from PIL import Image

    from nhtopo_lib.notebook import FIGURE_TEXT_KEY, _png_with_text_record

    fig, ax = plt.subplots(dpi=100)
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=9)
    png = base64.b64decode(_png_with_text_record(fig))
    img = Image.open(io.BytesIO(png))
    assert float(img.text[FIGURE_TEXT_KEY]) == pytest.approx(9 * 100 / 72, abs=0.01)
    plt.close(fig)


def test_markdown_table_and_pct():
    from nhtopo_lib.notebook import markdown_table, pct

    md = markdown_table(["a", "$\\vert w\\vert$"], [["x", 1], ["y", 2.5]]).data
    lines = md.splitlines()
    assert lines[0] == "| a | $\\vert w\\vert$ |" and lines[1] == "|:---|---:|"
    assert lines[3] == "| y | 2.5 |"
    with pytest.raises(ValueError, match="split the cell"):
        markdown_table(["a"], [["|w|"]])
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a"], [["x", "y"]])
    with pytest.raises(ValueError, match="align"):
        markdown_table(["a", "b"], [["x", "y"]], align="lx")
    assert pct(0.98765) == "98.8" and pct(1, 0) == "100"


def test_progress_bar_is_silent_in_static_execution(monkeypatch, capsys):
    from nhtopo_lib.notebook import STATIC_ENV, progress_bar, static_execution

    monkeypatch.setenv(STATIC_ENV, "1")
    assert static_execution()
    assert list(progress_bar(range(3), desc="x")) == [0, 1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(STATIC_ENV, "0")
    assert not static_execution()
    bar = progress_bar(range(3), desc="x", mininterval=0)
    assert not bar.disable
    assert list(bar) == [0, 1, 2]


def test_class_probabilities_marks_crossings_on_the_left_curve():
    from nhtopo_lib.transitions import probability_crossings

    x = np.linspace(-2, 2, 41)
    p1 = 1 / (1 + np.exp(-4 * (x - 0.5)))            # class 1 wins right of x = 0.5
    probs = np.stack([1 - p1, p1], axis=1)
    cross = probability_crossings(x, probs)
    assert len(cross) == 1 and abs(cross[0].x - 0.5) < 1e-9
    fig, ax = plt.subplots()
    leg = plotting.plot_class_probabilities(ax, x, probs, ["A", "B"], crossings=cross, exact=[0.5],
                                            xlabel="$m$")
    texts = [t.get_text() for t in leg.get_texts()]
    assert texts == ["A", "B", "predicted transitions", "exact transitions"]
    marks = [ln for ln in ax.get_lines() if ln.get_marker() == "x" and len(ln.get_xdata())]
    assert len(marks) == 1
    assert marks[0].get_xdata()[0] == pytest.approx(0.5) and marks[0].get_ydata()[0] == pytest.approx(0.5)
    assert ax.get_xlabel() == "$m$" and ax.get_ylabel() == "class probability"
    with pytest.raises(ValueError, match="probs must have shape"):
        plotting.plot_class_probabilities(ax, x, probs[:, :1], ["A", "B"])
    with pytest.raises(ValueError, match="one per class"):
        plotting.plot_class_probabilities(ax, x, probs, ["A", "B"], colors=["k"])
    plt.close(fig)

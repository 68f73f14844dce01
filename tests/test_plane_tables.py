"""The numbers the pages compute from the registry and the manifest: plane coverage, targets,
measured summaries, epoch caps."""

from __future__ import annotations

import numpy as np
import pytest

from aecore.analysis import latent, tables
from aecore.models.registry import all_specs, get_spec


def test_a_filled_plane_has_no_empty_cells():
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 100), np.linspace(0, 1, 100)), -1)
    assert latent.empty_share(grid.reshape(-1, 2)) == 0.0


def test_gaps_show_as_empty_cells():
    """Two tight clusters in opposite corners leave almost the whole box empty."""
    rng = np.random.default_rng(0)
    clusters = np.concatenate([rng.normal(0, 0.01, (500, 2)), rng.normal(10, 0.01, (500, 2))])
    assert latent.empty_share(clusters) > 0.9


def test_empty_share_counts_cells_by_hand():
    """Points in 3 of the 4 cells of a 2×2 box: a quarter is empty."""
    points = np.array([[0, 0], [1, 0], [0, 1], [0.1, 0.1]], float)
    assert latent.empty_share(points, cells=2, quantile=0.0) == pytest.approx(0.25)


def test_empty_share_of_degenerate_codes():
    assert latent.empty_share(np.zeros((0, 2))) == 1.0
    assert latent.empty_share(np.ones((10, 2))) == 1.0


def test_plane_row_reads_the_manifest_and_measures_the_codes():
    spec = next(s for s in all_specs() if s.is_vae)
    entry = {"metrics": {"test_bce": 0.31, "kl_nats": 6.5}}
    codes = np.random.default_rng(1).standard_normal((2000, 2))
    row = tables.plane_row(spec.name, entry, codes)
    assert row == {"Model": spec.title, "Test BCE": 0.31, "KL (nats per image)": 6.5,
                   "Empty cells": latent.empty_share(codes)}
    assert tables.plane_row(spec.name, None, codes)["Test BCE"] is None


def test_targets_come_from_the_spec_or_the_rivals_score():
    beats = next(s for s in all_specs() if s.target_beats)
    own = next(s for s in all_specs() if s.target_bce is not None)
    scores = {beats.target_beats: 0.3, own.name: 0.1}
    assert tables.target_bce(beats.name, scores) == 0.3
    assert tables.target_bce(own.name, scores) == own.target_bce
    assert tables.target_bce(beats.name, {}) is None  # the rival has no score yet


def test_zoo_rows_carry_targets(tmp_path):
    rows = tables.zoo_rows({}, tmp_path)
    own = {r["name"]: r["Target"] for r in rows}
    for spec in all_specs():
        assert own[spec.name] == (None if spec.target_beats else spec.target_bce)


def test_measured_summary_quotes_the_manifest():
    entry = {"epochs": 112, "best_epoch": 100,
             "metrics": {"test_bce": 0.26008, "code_mean_activation": 1.5,
                         "code_near_zero_fraction": 0.25, "code_hoyer_sparsity": 0.3}}
    text = tables.measured_summary(entry)
    assert text == ("test BCE 0.2601; 112 epochs (best 100); mean |code| 1.50, 25% of code "
                    "values near zero; Hoyer sparsity 0.30")
    vae = {"metrics": {"test_bce": 0.3237, "kl_nats": 6.53, "elbo_nats": 261.28}}
    assert "KL 6.53 and ELBO 261.3 nats per image" in tables.measured_summary(vae)
    assert tables.measured_summary(None) == ""


@pytest.mark.parametrize("spec", all_specs(), ids=lambda s: s.name)
def test_about_markdown_holds_every_part_of_a_variant_in_order(spec):
    entry = {"epochs": 3, "metrics": {"test_bce": 0.3}}
    text = tables.about_markdown(spec, entry)
    parts = [spec.description, spec.architecture, spec.loss, *spec.differences,
             tables.measured_summary(entry)]
    parts[3:3] = [spec.article_settings] if spec.article_settings else []
    places = [text.index(part) for part in parts]
    assert places == sorted(places)
    assert ("**The article:**" in text) == bool(spec.article_settings)
    assert "**Measured**" not in tables.about_markdown(spec, None)


def test_epoch_cap_follows_the_preset():
    spec = all_specs()[0]
    assert tables.epoch_cap(spec.name, "full") == spec.train.full_epochs
    assert tables.epoch_cap(spec.name, "quick") == spec.train.quick_epochs
    summary = tables.training_summary(spec.name, {"epoch": [1], "preset": "full"}, None)
    assert summary["Epoch cap"] == get_spec(spec.name).train.full_epochs


def test_number_span():
    assert tables.number_span([60, 300, 150]) == "60 to 300"
    assert tables.number_span(x for x in (150, 150)) == "150"


def test_plane_tradeoffs_compare_a_model_with_its_rival():
    beats = next(s for s in all_specs() if s.target_beats and s.has_plane)
    rival = get_spec(beats.target_beats)
    rows = {beats.name: {"Model": beats.title, "Test BCE": 0.3216, "Empty cells": 0.5425},
            rival.name: {"Model": rival.title, "Test BCE": 0.3237, "Empty cells": 0.225}}
    assert tables.plane_tradeoffs(rows) == [
        f"{beats.title} rebuilds better than {rival.title} (test BCE 0.3216 against 0.3237) "
        "and leaves 54% of its plane empty against 22%."]
    rows[beats.name]["Test BCE"] = None  # no recorded score: nothing to say
    assert tables.plane_tradeoffs(rows) == []
    assert tables.plane_tradeoffs({beats.name: rows[beats.name]}) == []

"""The weights in the repository serve, match their manifest, and reconstruct the shipped sample
at the quality the manifest records. A registry model without shipped weights skips locally and
fails under CI=true."""

import re

import pytest
from pagetools import require_shipped

from aecore import list_models, load_model
from aecore.analysis import tables
from aecore.data import load_sample
from aecore.models.registry import all_specs, get_spec
from aecore.paths import PACKAGE_ROOT
from aecore.runtime import store
from aecore.training.evaluate import TARGET_TOLERANCE, code_statistics, sample_bce

SHIPPED = store.read_manifest()["models"]
SPARSE = next(s for s in all_specs() if "L1" in s.loss)
PLAIN = next(s for s in all_specs() if s.family == SPARSE.family and s.loss == "BCE"
             and s.latent_shape == SPARSE.latent_shape)   # the same network without the penalty


@pytest.mark.parametrize("name", list_models())
def test_every_variant_is_shipped_and_serves(name):
    require_shipped(name, SHIPPED)
    assert store.weights_status(names=[name]) == {name: "ok"}


@pytest.mark.parametrize("name", list_models())
def test_shipped_model_reconstructs_sample_at_recorded_quality(name):
    entry = require_shipped(name, SHIPPED)
    assert entry["bytes"] < 15_000_000 and store.read_history(name) is not None
    model = load_model(name)
    assert sample_bce(model) == pytest.approx(entry["metrics"]["sample_bce"], abs=1e-4)


@pytest.mark.parametrize("name", list_models())
def test_shipped_model_meets_its_target(name):
    """Recorded test BCE at or under the spec's target, or under the model it must beat."""
    entry = require_shipped(name, SHIPPED)
    rival = get_spec(name).target_beats
    if rival:
        require_shipped(rival, SHIPPED)
    target = tables.target_bce(name, {n: tables.recorded_bce(e) for n, e in SHIPPED.items()})
    assert target is not None, f"{name} has no target in its spec"
    assert entry["metrics"]["test_bce"] <= target + TARGET_TOLERANCE, (name, target)


def test_sparse_codes_are_sparser_than_plain_codes():
    for spec in (SPARSE, PLAIN):
        require_shipped(spec.name, SHIPPED)
    x = load_sample().x
    plain, sparse = (code_statistics(load_model(s.name).encode(x)) for s in (PLAIN, SPARSE))
    assert sparse["code_mean_activation"] < 0.7 * plain["code_mean_activation"]
    assert sparse["code_hoyer_sparsity"] > plain["code_hoyer_sparsity"] + 0.02
    assert sparse["code_near_zero_fraction"] > plain["code_near_zero_fraction"]


def test_readme_results_table_matches_the_manifest():
    readme = (PACKAGE_ROOT / "README.md").read_text()
    table = readme.split("<!-- evaluate-table -->")[1].split("<!-- /evaluate-table -->")[0]
    rows = re.findall(r"^\| (\w+) \| (0\.\d{4}) \|", table, flags=re.MULTILINE)
    printed = {name: float(value) for name, value in rows}
    assert set(printed) == set(SHIPPED)
    for name, value in printed.items():
        assert value == pytest.approx(SHIPPED[name]["metrics"]["test_bce"], abs=5e-5), name

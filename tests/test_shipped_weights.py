"""The weights in the repository load, match their manifest, and reconstruct the shipped sample
at the quality the manifest records."""

import re

import pytest

from aecore import list_models, load_model
from aecore.data import PACKAGE_ROOT, load_sample
from aecore.runtime import store
from aecore.training.evaluate import code_statistics, sample_bce

SHIPPED = store.read_manifest()["models"]


def test_every_variant_is_shipped():
    assert sorted(SHIPPED) == sorted(list_models())
    assert set(store.weights_status().values()) == {"ok"}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_model_reconstructs_sample_at_recorded_quality(name):
    entry = SHIPPED[name]
    assert entry["bytes"] < 15_000_000 and store.read_history(name) is not None
    model = load_model(name)
    assert sample_bce(model) == pytest.approx(entry["metrics"]["sample_bce"], abs=0.005)


def test_sparse_codes_are_sparser_than_basic_codes():
    x = load_sample().x
    basic, sparse = (code_statistics(load_model(n).encode(x)) for n in ("basic", "sparse"))
    assert sparse["code_mean_activation"] < 0.7 * basic["code_mean_activation"]
    assert sparse["code_hoyer_sparsity"] > basic["code_hoyer_sparsity"] + 0.02
    assert sparse["code_near_zero_fraction"] > basic["code_near_zero_fraction"]


def test_readme_results_table_matches_the_manifest():
    readme = (PACKAGE_ROOT / "README.md").read_text()
    table = readme.split("<!-- evaluate-table -->")[1].split("<!-- /evaluate-table -->")[0]
    rows = re.findall(r"^\| (\w+) \| (0\.\d{4}) \|", table, flags=re.MULTILINE)
    printed = {name: float(value) for name, value in rows}
    assert set(printed) == set(SHIPPED)
    for name, value in printed.items():
        assert value == pytest.approx(SHIPPED[name]["metrics"]["test_bce"], abs=5e-5), name

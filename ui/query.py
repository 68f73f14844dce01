"""One query image for the retrieval page: a test image by class or by index, or an upload."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import compare
from ui import address, cache

MODES = ("By class", "By test index", "Upload")


@dataclass(frozen=True)
class Query:
    image: np.ndarray          # (28, 28)
    caption: str
    index: int | None = None   # its row in the test set (left out of its own neighbours)
    label: int | None = None   # its class, when known


def _another(key: str) -> None:
    st.session_state[f"{key}_seed"] = st.session_state.get(f"{key}_seed", 0) + 1


def _from_test_set(split: aecore.DataSplit, index: int) -> Query:
    label = int(split.y[index])
    return Query(split.x[index], f"test #{index} · {aecore.CLASS_NAMES[label]}", index, label)


def _by_class(key: str, split: aecore.DataSplit) -> Query:
    a, b = st.columns([4, 1], vertical_alignment="bottom")
    label = a.selectbox("Class", range(len(aecore.CLASS_NAMES)),
                        format_func=aecore.CLASS_NAMES.__getitem__, key=f"{key}_class",
                        persist_state="session")
    b.button("Another one", key=f"{key}_another", on_click=_another, args=(key,))
    seed = st.session_state.get(f"{key}_seed", 0)
    return _from_test_set(split, int(compare.pick_per_class(split.y, [label], seed)[0]))


def _by_index(key: str, split: aecore.DataSplit) -> Query:
    index = st.number_input(f"Test index (0–{len(split.x) - 1})", 0, len(split.x) - 1, 0, 1,
                            key=f"{key}_index", persist_state="session")
    return _from_test_set(split, int(index))


def _upload(key: str) -> Query | None:
    upload = st.file_uploader("Upload a picture (a light garment on a dark background works "
                              "best; others are inverted and shrunk to 28×28)",
                              type=None, key=f"{key}_upload")
    if upload is None:
        st.info("Upload a picture to search the test set for its neighbours.")
        return None
    try:
        image = aecore.read_image(upload.getvalue())
    except aecore.InvalidImage as exc:
        st.error(f"**{upload.name}** cannot be used: {exc}")
        return None
    return Query(image, f"your picture · {upload.name[:18]}")


def choose_query(key: str) -> Query | None:
    """Controls for the query; None until there is a usable one."""
    split = cache.test_set()
    mode = st.radio("Query", MODES, horizontal=True, key=f"{key}_mode", persist_state="session")
    if mode == "Upload":
        return _upload(key)
    return _by_index(key, split) if mode == "By test index" else _by_class(key, split)


def address_params(key: str) -> list[address.Param]:
    """The query in the page address: `class=sandal&draw=2` (one of a class) or `index=123`."""
    mode = f"{key}_mode"

    def in_mode(wanted: str):
        return lambda: st.session_state.get(mode, MODES[0]) == wanted

    return [
        address.pick("class", f"{key}_class", range(len(aecore.CLASS_NAMES)), 0,
                     label=aecore.CLASS_NAMES.__getitem__, implies={mode: MODES[0]},
                     when=in_mode(MODES[0])),
        address.whole("draw", f"{key}_seed", 0, 1_000_000, 0, when=in_mode(MODES[0])),
        address.whole("index", f"{key}_index", 0, lambda: len(cache.test_set().x) - 1,
                      implies={mode: MODES[1]}, when=in_mode(MODES[1])),
    ]

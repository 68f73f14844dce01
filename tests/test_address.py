"""ui.address: page state in the address; bad parameters are ignored with a notice, never raised.

The pages' own parameters are tested in test_teacher_pages.py; here a small demo page drives the
mechanism and the parsers are checked directly.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui import address

TIMEOUT = 60


def demo_page():
    import streamlit as st

    from ui import address

    models = ["basic", "deep", "vae_mlp"]
    page = address.bind("demo", [
        address.Param("level", "lv", address.number(0, 1, step=0.05), address.fmt_number, 0.5),
        address.Param("kind", "kd", address.choice(["gaussian", "salt_pepper"]),
                      address.fmt_choice, "gaussian"),
        address.Param("models", "ms", address.many(models), address.fmt_many, ["basic"]),
        address.Param("at", "pt", address.point(5), address.fmt_point, (0.0, 0.0)),
        address.Param("seed", "sd", address.integer(0, 99), default=0,
                      when=lambda: st.session_state.get("kd") == "gaussian"),
    ])
    st.session_state.setdefault("lv", 0.5)
    st.session_state.setdefault("pt", (0.0, 0.0))
    st.slider("Level", 0.0, 1.0, step=0.05, key="lv")
    st.radio("Kind", ["gaussian", "salt_pepper"], key="kd")
    st.multiselect("Models", models, default=["basic"], key="ms")
    st.number_input("Seed", 0, 99, key="sd")
    page.write()


def run_demo(**params) -> AppTest:
    at = AppTest.from_function(demo_page, default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def notices(at: AppTest) -> str:
    return " ".join(t.value for t in at.toast)


def test_a_link_restores_every_value_and_is_written_back_short():
    at = run_demo(level="0.65", kind="salt-pepper", models="deep vae_mlp", at="1.5,-2")
    assert not at.exception
    assert at.slider[0].value == pytest.approx(0.65)
    assert at.radio[0].value == "salt_pepper"
    assert at.multiselect[0].value == ["deep", "vae_mlp"]
    assert at.session_state["pt"] == (1.5, -2.0)
    assert not at.toast
    assert dict(at.query_params) == {"level": "0.65", "kind": "salt_pepper",
                                     "models": "deep vae_mlp", "at": "1.5 -2"}


def test_defaults_are_left_out_of_the_address():
    at = run_demo()
    assert not at.exception and dict(at.query_params) == {}
    at.slider[0].set_value(0.25).run()
    assert dict(at.query_params) == {"level": "0.25"}
    at.number_input[0].set_value(7).run()
    assert dict(at.query_params) == {"level": "0.25", "seed": "7"}
    at.radio[0].set_value("salt_pepper").run()
    assert "seed" not in at.query_params, "seed is only written while `when` holds"


@pytest.mark.parametrize("params, wrong", [
    ({"colour": "red"}, "colour"),                       # unknown name
    ({"level": "abc"}, "level"),                         # not a number
    ({"level": "nan"}, "level"),                         # not finite
    ({"level": "3"}, "level"),                           # out of range
    ({"seed": "2.5"}, "seed"),                           # not whole
    ({"kind": "pink"}, "kind"),                          # not an option
    ({"models": "nope,zilch"}, "models"),                # no known model
    ({"at": "1"}, "at"),                                 # one coordinate
    ({"at": "1,900"}, "at"),                             # off the plane
])
def test_bad_parameters_are_ignored_with_a_notice(params, wrong):
    at = run_demo(**params)
    assert not at.exception
    assert wrong in notices(at)
    assert at.slider[0].value == 0.5 and at.radio[0].value == "gaussian"
    assert at.multiselect[0].value == ["basic"]
    assert dict(at.query_params) == {}, "the address is cleaned up"


def test_good_parts_of_a_list_are_kept():
    at = run_demo(models="deep,nope", level="0.3")
    assert not at.exception
    assert at.multiselect[0].value == ["deep"] and at.slider[0].value == pytest.approx(0.3)
    assert "nope" in notices(at)
    assert dict(at.query_params) == {"models": "deep", "level": "0.3"}


def test_the_address_is_read_again_only_when_it_changes():
    at = run_demo(level="0.8")
    at.slider[0].set_value(0.2).run()
    assert at.slider[0].value == pytest.approx(0.2), "our own address does not undo a change"
    at.query_params["level"] = "0.9"   # e.g. the browser's back button
    at.run()
    assert at.slider[0].value == pytest.approx(0.9)


def test_parsers():
    assert address.number(0, 1, step=0.05)("0.63") == pytest.approx(0.65)
    assert address.integer(0, 10)("4") == 4
    assert address.flag("on") is True and address.flag("0") is False
    with pytest.raises(ValueError):
        address.flag("maybe")
    assert address.choice(["Error heat", "Difference"])("error-heat") == "Error heat"
    assert address.slug("T-shirt/top") == "t-shirt-top" and address.slug("Ankle boot") == \
        "ankle-boot"
    assert address.point(3)("0.5 -1") == (0.5, -1.0)
    assert address.fmt_point((0.5, -1.0)) == "0.5 -1"
    with pytest.raises(address.PartlyValid) as kept:
        address.many(["a", "b"])("a, c")
    assert kept.value.value == ["a"]
    assert address.split_list("1, 2+3 4") == ["1", "2", "3", "4"]


def keyed_page():
    import streamlit as st

    from ui import address

    def preset():
        st.session_state["size"] = {"small": 2, "large": 8}[st.session_state["kind"]]

    page = address.bind("keyed", [
        address.pick("kind", "kind", ["small", "large"], "small", after=preset),
        address.whole("size", "size", 1, 10, lambda: 2 if st.session_state["kind"] == "small"
                      else 8),
        address.num("limit", lambda: f"limit_{st.session_state.get('kind', 'small')}", 0, 1),
    ])
    st.session_state.setdefault("kind", "small")
    st.session_state.setdefault("size", 2)
    st.radio("Kind", ["small", "large"], key="kind")
    st.number_input("Size", 1, 10, key="size")
    st.slider("Limit", 0.0, 1.0, key=f"limit_{st.session_state['kind']}")
    page.write()


def test_keys_that_depend_on_other_state_and_presets_adjusted_by_later_parameters():
    at = AppTest.from_function(keyed_page, default_timeout=TIMEOUT)
    at.query_params.update(limit="0.25", size="9", kind="large")  # any order in the address
    at.run()
    assert not at.exception and not at.toast
    assert at.radio[0].value == "large" and at.number_input[0].value == 9
    assert at.session_state["limit_large"] == 0.25
    assert dict(at.query_params) == {"kind": "large", "size": "9", "limit": "0.25"}


def test_junk_leaves_the_address_even_if_the_page_stops_before_writing():
    def stopping_page():
        import streamlit as st

        from ui import address

        address.bind("stops", [address.whole("n", "n", 1, 5, 1)])
        st.stop()

    at = AppTest.from_function(stopping_page, default_timeout=TIMEOUT)
    at.query_params.update(n="3", junk="1")
    at.run()
    assert not at.exception and dict(at.query_params) == {"n": "3"}

"""Links that carry the view: a page's main state kept in its address (st.query_params).

A page declares its parameters once and binds them before its widgets are created:

    ADDRESS = address.bind("denoiser", [
        address.Param("level", "denoiser_level", address.number(0, 1, step=0.05), default=0.5),
        address.Param("kind", "denoiser_kind", address.choice(aecore.NOISE_KINDS),
                      default="gaussian"),
    ])
    ...  # the widgets, keyed "denoiser_level" and "denoiser_kind"
    ADDRESS.write()

`bind` copies valid values from the address into st.session_state whenever the address is not
the one this session wrote last (a link just opened, the browser's back button); unknown or
malformed parameters are left out with a small notice, never an error. `write` puts the current
values back, leaving out those equal to their defaults, so the address stays short:
`/denoiser?level=0.65&kind=salt-pepper&images=12+408+77`. Widgets inside an `st.fragment` rerun
without the rest of the page, so decorate such fragments with `@ADDRESS.synced`.

Lists are written separated by "+" (a space in the address); commas are read too.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

_WRITTEN = "_address_written"   # session_state: {page: the params this session last wrote}
_LAST = "_last"                 # ... and the last address written on any page


class PartlyValid(ValueError):
    """Raised by a parser that could use part of the text: `value` is kept, the rest noted."""

    def __init__(self, value, message: str):
        super().__init__(message)
        self.value = value


@dataclass(frozen=True)
class Param:
    """One piece of page state in the address.

    name: the parameter in the address. key: the widget's st.session_state key (or a
    callable giving it, for widgets keyed by other state; it sees the values restored before).
    parse: address text -> value; raises ValueError (PartlyValid keeps part of it).
    format: value -> address text. default: a value or a zero-argument callable; values equal
    to it are left out of the address. when: the parameter is written only while this holds
    (e.g. a control shown in one mode only). implies: other session_state values set along
    with a restored value (e.g. the mode that shows the control). after: called once the value
    is restored (e.g. to fill in a preset that later parameters adjust).
    """

    name: str
    key: str | Callable[[], str]
    parse: Callable[[str], Any]
    format: Callable[[Any], str] = str
    default: Any = None
    when: Callable[[], bool] | None = None
    implies: Mapping[str, Any] = field(default_factory=dict)
    after: Callable[[], None] | None = None   # runs once a value is restored (e.g. a preset)

    def default_value(self):
        return self.default() if callable(self.default) else self.default

    def state_key(self) -> str:
        return self.key() if callable(self.key) else self.key

    def text(self) -> str | None:
        """The address text of the current value, or None to leave it out."""
        key = self.state_key()
        if key not in st.session_state or (self.when is not None and not self.when()):
            return None
        value, default = st.session_state[key], self.default_value()
        if value is None:
            return None
        text = self.format(value)
        if default is not None and (value == default or text == self.format(default)):
            return None
        return text


class Address:
    """The declared parameters of one page (see the module docstring)."""

    def __init__(self, page: str, params: Sequence[Param]):
        self.page = page
        self.params = {p.name: p for p in params}
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise ValueError(f"address parameters of {page!r} repeat a name: {names}")

    def _written(self) -> dict:
        return st.session_state.setdefault(_WRITTEN, {})

    def restore(self) -> list[str]:
        """Copy valid values from a new address into session_state; returns the notices."""
        current = st.query_params.to_dict()
        written = self._written()
        if current == written.get(self.page):
            return []
        if current and current == written.get(_LAST):
            return []  # carried over from the page we came from: not a link to this one
        notices, kept = [], {}
        ordered = [n for n in self.params if n in current] + [
            n for n in current if n not in self.params]  # declared order: keys may depend
        for name in ordered:
            used, notice = self._apply(name, current[name])
            if used:
                kept[name] = current[name]
            if notice:
                notices.append(notice)
        if notices:
            st.toast("Part of this link was ignored: " + "; ".join(notices), icon="🔗",
                     duration="long")
        if len(kept) < len(current):  # out of the address now, even if the page stops early
            st.query_params.from_dict(kept)
            written[self.page] = kept
        return notices

    def _apply(self, name: str, raw: str) -> tuple[bool, str | None]:
        """Restore one parameter: (whether it was used, a notice or None)."""
        param = self.params.get(name)
        if param is None:
            return False, f"unknown setting “{name}”"
        notice = None
        try:
            value = param.parse(raw)
        except PartlyValid as exc:
            value, notice = exc.value, f"{name}: {exc}"
        except (ValueError, TypeError, OverflowError, RuntimeError) as exc:
            return False, f"{name}={raw!r} ({exc})"  # RuntimeError: e.g. no data to check
        st.session_state[param.state_key()] = value
        for key, implied in param.implies.items():
            st.session_state[key] = implied
        if param.after is not None:
            param.after()
        return True, notice

    def values(self) -> dict[str, str]:
        """The address the current state gives (defaults left out)."""
        out = {}
        for name, param in self.params.items():
            text = param.text()
            if text is not None:
                out[name] = text
        return out

    def write(self) -> None:
        """Put the current values into the address (only when they changed)."""
        values = self.values()
        if st.query_params.to_dict() != values:
            st.query_params.from_dict(values)
        written = self._written()
        written[self.page] = written[_LAST] = values

    def synced(self, func: Callable) -> Callable:
        """Decorator for a fragment: write the address after it runs (it reruns alone)."""
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            finally:
                self.write()
        return wrapper


def bind(page: str, params: Iterable[Param]) -> Address:
    """Declare a page's parameters and restore them from the address (before the widgets)."""
    address = Address(page, params)
    address.restore()
    return address


# --- parsers and formatters -------------------------------------------------------------------

def slug(text: str) -> str:
    """'Ankle boot' -> 'ankle-boot', 'T-shirt/top' -> 't-shirt-top': readable in an address."""
    return re.sub(r"[^a-z0-9_.]+", "-", str(text).lower()).strip("-.")


def _same(text: str) -> str:
    """What two spellings must share to match: 'salt-pepper' finds 'salt_pepper'."""
    return slug(text).replace("_", "-")


def split_list(text: str) -> list[str]:
    """Items separated by '+' (a space once decoded), commas or semicolons."""
    return [t for t in re.split(r"[,;+\s]+", text.strip()) if t]


def join_list(items: Iterable) -> str:
    return " ".join(str(i) for i in items)


def fmt_number(value) -> str:
    """Short and exact enough: 0.65, 3, 1.25e-05."""
    return f"{float(value):.6g}"


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def number(lo: float, hi: float, step: float | None = None) -> Callable[[str], float]:
    """A float in [lo, hi], snapped to the slider's step."""
    def parse(text: str) -> float:
        value = _finite(text)
        if not lo <= value <= hi:
            raise ValueError(f"must be between {fmt_number(lo)} and {fmt_number(hi)}")
        if step:
            value = lo + round((value - lo) / step) * step
            value = round(min(max(value, lo), hi), 10)
        return value
    return parse


def integer(lo: int, hi: int | Callable[[], int]) -> Callable[[str], int]:
    """A whole number in [lo, hi] (hi may be a callable, e.g. the test set's last index)."""
    def parse(text: str) -> int:
        value, top = _finite(text), hi() if callable(hi) else hi
        if value != int(value):
            raise ValueError("not a whole number")
        if not lo <= value <= top:
            raise ValueError(f"must be between {lo} and {top}")
        return int(value)
    return parse


def flag(text: str) -> bool:
    """1/0, true/false, yes/no, on/off."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected 1 or 0")


def fmt_flag(value) -> str:
    return "1" if value else "0"


def _options(options) -> list:
    return list(options() if callable(options) else options)


def choice(options, label: Callable[[Any], str] = str) -> Callable[[str], Any]:
    """One of `options` (a sequence or a callable giving one), matched by the slug of its
    label (by default the option itself)."""
    def parse(text: str):
        found = {_same(label(o)): o for o in _options(options)}
        if _same(text) not in found:
            raise ValueError("expected one of " + ", ".join(slug(label(o))
                                                            for o in found.values()))
        return found[_same(text)]
    return parse


def steps(values: Sequence[float]) -> Callable[[str], float]:
    """One of the numbers a select slider offers ('1e-5' finds 1e-05)."""
    def parse(text: str) -> float:
        value = _finite(text)
        for v in values:
            if math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-12):
                return v
        raise ValueError("expected one of " + ", ".join(fmt_number(v) for v in values))
    return parse


def fmt_choice(value, label: Callable[[Any], str] = str) -> str:
    return slug(label(value))


def many(options, allow_empty: bool = False, limit: int | None = None) -> Callable[[str], list]:
    """A list of `options` (by slug); unknown items, and any beyond `limit`, are dropped with
    a notice."""
    item = choice(options)

    def parse(text: str) -> list:
        kept, bad = [], []
        for token in split_list(text):
            try:
                value = item(token)
            except ValueError:
                bad.append(token)
                continue
            if value not in kept:
                kept.append(value)
        if not kept and (bad or not allow_empty):
            raise ValueError("none of these is known" if bad else "empty")
        notes = [f"left out {', '.join(repr(b) for b in bad)} (not among the choices here)"
                 ] if bad else []
        if limit is not None and len(kept) > limit:
            kept, notes = kept[:limit], [*notes, f"kept the first {limit}"]
        if notes:
            raise PartlyValid(kept, "; ".join(notes))
        return kept
    return parse


def fmt_many(values: Sequence) -> str:
    return join_list(slug(v) for v in values)


def point(limit: float) -> Callable[[str], tuple[float, float]]:
    """'x y' (or 'x,y'), both within ±limit."""
    def parse(text: str) -> tuple[float, float]:
        parts = split_list(text)
        if len(parts) != 2:
            raise ValueError("expected two numbers, x and y")
        x, y = (_finite(p) for p in parts)
        if max(abs(x), abs(y)) > limit:
            raise ValueError(f"must lie within ±{fmt_number(limit)}")
        return x, y
    return parse


def fmt_point(xy) -> str:
    return join_list(f"{float(v):.3f}".rstrip("0").rstrip(".") or "0" for v in xy)


# --- parameters in one line -------------------------------------------------------------------

def pick(name: str, key: str, options, default=None, label: Callable[[Any], str] = str,
         **kw) -> Param:
    """One of `options` (a radio, a select box, a segmented control), written as the slug of
    `label(option)`: e.g. class indices written as class names."""
    return Param(name, key, choice(options, label), functools.partial(fmt_choice, label=label),
                 default, **kw)


def picks(name: str, key: str, options, default=None, limit: int | None = None,
          **kw) -> Param:
    """Several of `options` (a multiselect; `limit`: its max_selections)."""
    return Param(name, key, many(options, allow_empty=True, limit=limit), fmt_many, default,
                 **kw)


def num(name: str, key: str, lo: float, hi: float, default=None, step=None, **kw) -> Param:
    """A number slider or input."""
    return Param(name, key, number(lo, hi, step), fmt_number, default, **kw)


def whole(name: str, key: str, lo: int, hi: int | Callable[[], int], default=None,
          **kw) -> Param:
    """A whole number (a seed, a count, an index)."""
    return Param(name, key, integer(lo, hi), str, default, **kw)


def switch(name: str, key: str, default=None, **kw) -> Param:
    """A toggle or checkbox."""
    return Param(name, key, flag, fmt_flag, default, **kw)


def marker(name: str, key: str, limit: float, **kw) -> Param:
    """A latent plane's marker (ui.components.latent_plane keeps {"point": [x, y]} under key)."""
    def parse(text: str) -> dict:
        return {"point": list(point(limit)(text))}

    def fmt(state) -> str:
        return fmt_point((state or {}).get("point") or (0.0, 0.0))

    return Param(name, key, parse, fmt, {"point": [0.0, 0.0]}, **kw)


def step(name: str, key: str, values: Sequence[float], default=None, **kw) -> Param:
    """One of the numbers of a select slider."""
    return Param(name, key, steps(values), fmt_number, default, **kw)


def text(name: str, key: str, default=None, max_chars: int = 200, **kw) -> Param:
    """Free text (a name, a title)."""
    def parse(value: str) -> str:
        if len(value) > max_chars:
            raise ValueError(f"longer than {max_chars} characters")
        return value
    return Param(name, key, parse, str, default, **kw)

"""Lesson: the story of autoencoders in short steps, each with a live view and a prediction to
make before the measured answer is shown. The step is in the address (?step=4)."""

import streamlit as st

from ui import address
from ui.lesson import STEP_KEY, cast, revealed
from ui.lesson_steps import STEPS

ADDRESS = address.bind("lesson", [address.whole("step", STEP_KEY, 1, len(STEPS), 1)])
st.session_state.setdefault(STEP_KEY, 1)


def go(delta: int) -> None:
    """Back / Next (button callbacks run before the step picker is drawn)."""
    st.session_state[STEP_KEY] = min(max(st.session_state[STEP_KEY] + delta, 1), len(STEPS))


def label(number: int) -> str:
    return f"{number}. {STEPS[number - 1].title}"


st.title("Lesson: autoencoders in eight steps")
st.caption("Each step explains one idea in a few sentences and asks you to **predict** what "
           "the models will do before it shows what they actually do. The address of this "
           "page keeps the step, so a link opens the same step for someone else.")
picker, done = st.columns([3, 2], vertical_alignment="bottom")
number = picker.selectbox("Step", range(1, len(STEPS) + 1), key=STEP_KEY, format_func=label,
                          persist_state="session")
checked = sum(revealed(s.key) for s in STEPS)
done.progress(checked / len(STEPS), text=f"{checked} of {len(STEPS)} predictions checked")

step = STEPS[number - 1]
st.header(f"{number}. {step.title}", anchor=False)
st.markdown(step.text)
step.show(cast())

back, _, forward = st.columns([1, 4, 1])
back.button("← Back", key="lesson_back", on_click=go, args=(-1,), disabled=number == 1,
            width="stretch")
forward.button("Next →", key="lesson_next", on_click=go, args=(1,), type="primary",
               disabled=number == len(STEPS), width="stretch")
ADDRESS.write()

// The flipbook (flipbook.py): a native range input that shows one prerendered HTML frame per
// value. Moving it swaps the frame in the browser; the value goes to Python on release
// ("change"). State lives in a WeakMap keyed by the shadow root, so a rerun that sends the same
// data does not move the slider back while the user is ahead of Python.
const STATE = new WeakMap();

function setup(root) {
  const el = {
    root: root.querySelector(".fb-root"),
    label: root.querySelector(".fb-label"),
    range: root.querySelector(".fb-range"),
    value: root.querySelector(".fb-value"),
    help: root.querySelector(".fb-help"),
    frame: root.querySelector(".fb-frame"),
    live: root.querySelector(".fb-live"),
  };
  const id = "fb-" + Math.random().toString(36).slice(2);
  el.range.id = id;
  el.label.htmlFor = id;
  el.help.id = id + "-help";
  el.range.setAttribute("aria-describedby", el.help.id);
  // sent: indices sent to Python and not yet echoed back (a rerun for an older release must
  // not pull the slider back while the user is ahead).
  const s = { el, d: null, index: -1, given: null, sent: new Set(), announceTimer: 0,
    setStateValue: null };

  s.show = (i, announce) => {
    if (i === s.index) return;
    s.index = i;
    el.range.value = String(i);
    el.value.textContent = s.d.texts[i];
    el.range.setAttribute("aria-valuetext", s.d.texts[i]);
    el.frame.innerHTML = s.d.frames[i];
    el.root.dataset.index = String(i);
    if (announce) {
      clearTimeout(s.announceTimer);
      s.announceTimer = setTimeout(() => { el.live.textContent = s.d.summaries[s.index]; }, 400);
    }
  };
  const onInput = () => s.show(+el.range.value, true);
  const onChange = () => {
    s.show(+el.range.value, true);
    s.sent.add(s.index);
    if (s.setStateValue) s.setStateValue("value", s.d.values[s.index]);
  };
  el.range.addEventListener("input", onInput);
  el.range.addEventListener("change", onChange);

  s.update = (d) => {
    const fresh = s.d === null || d.frames !== s.d.frames;
    s.d = d;
    el.label.textContent = d.label;
    el.help.textContent = d.help || "";
    el.range.min = "0";
    el.range.max = String(d.values.length - 1);
    el.range.step = "1";
    // Python's index moves the slider only when Python changed it (a link, another control),
    // not when it echoes a value this slider sent.
    const echo = s.sent.has(d.index);
    if (echo && d.index === s.index) s.sent.clear();
    const target = d.index !== s.given && !echo ? d.index : s.index;
    s.given = d.index;
    if (fresh) s.index = -1;
    s.show(Math.min(Math.max(target, 0), d.values.length - 1), false);
    el.root.dataset.ready = "1";
  };
  s.destroy = () => {
    clearTimeout(s.announceTimer);
    el.range.removeEventListener("input", onInput);
    el.range.removeEventListener("change", onChange);
    STATE.delete(root);
  };
  return s;
}

export default (component) => mountOnce(STATE, setup, component);

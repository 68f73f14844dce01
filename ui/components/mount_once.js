// Shared by the components (prepended to each one's JS): one state object per shadow root,
// built once by `setup(root)`, handed the latest setStateValue and data on every run; its
// `destroy` is the cleanup Streamlit calls.
function mountOnce(states, setup, component) {
  const { data, parentElement } = component;
  let s = states.get(parentElement);
  if (!s) {
    s = setup(parentElement);
    states.set(parentElement, s);
  }
  s.setStateValue = component.setStateValue;
  s.update(data[0]);   // data is a one-item list (see the Python side)
  return s.destroy;
}

// Region picker (regions/forms.py RegionPickerWidget): cascading selects 省 → 市 → 区县 → 街道/乡镇 → 社区/村.
// When a level changes, the levels below are cleared and the next one is loaded from the picker's options URL.
// Delegated from the document, so pickers that htmx swaps in work too. No inline script: the CSP forbids it.
(function () {
  "use strict";

  function levelOf(select) {
    return Number(select.dataset.level);
  }

  function clear(select, label, disabled) {
    select.replaceChildren(new Option(label, ""));
    select.disabled = disabled;
  }

  function fill(picker, changed, below, options) {
    if (!options.length) return; // nothing below (a village, or a county without townships)
    const target = options[0].level;
    below.forEach((select) => {
      const level = levelOf(select);
      if (level < target) {
        // A level the data skips (东莞市 has no county level): one choice that repeats the parent's code.
        select.replaceChildren(new Option(picker.dataset.skipLabel, changed.value, true, true));
        select.disabled = false;
      } else if (level === target) {
        options.forEach((option) => select.add(new Option(option.name, option.code)));
        select.disabled = false;
      }
    });
  }

  function load(picker, changed) {
    const below = Array.from(picker.querySelectorAll("select[data-level]")).filter(
      (select) => levelOf(select) > levelOf(changed),
    );
    below.forEach((select) => clear(select, select.dataset.prompt, true));
    const code = changed.value;
    if (!code || !below.length) return;
    const url = new URL(picker.dataset.optionsUrl, window.location.href);
    url.searchParams.set("parent", code);
    if (picker.dataset.within !== undefined) url.searchParams.set("within", picker.dataset.within);
    picker.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((data) => {
        if (changed.value === code) fill(picker, changed, below, data.options);
      })
      .catch(() => clear(below[0], picker.dataset.errorLabel, true))
      .finally(() => picker.removeAttribute("aria-busy"));
  }

  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-region-picker] select[data-level]");
    if (select) load(select.closest("[data-region-picker]"), select);
  });
})();

// Station finder beside the project form's station codes (projects/templates/projects/project_form.html): typing a
// name or the start of a code asks the stations API (the caller's scope only) and lists matches; choosing one adds
// its code to the codes field. No inline script: the CSP forbids it.
(function () {
  "use strict";

  function codesOf(field) {
    return field.value.split(/[\s,，、;；]+/).filter(Boolean);
  }

  function show(finder, field, stations) {
    const list = finder.querySelector("[data-station-results]");
    list.replaceChildren();
    stations.forEach((station) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action py-1";
      button.dataset.code = station.code;
      button.textContent = `${station.code} ${station.name} · ${station.kind_label} · ${station.region_name}`;
      button.addEventListener("click", () => {
        const codes = codesOf(field);
        if (!codes.includes(station.code)) codes.push(station.code);
        field.value = codes.join(" ");
        list.replaceChildren();
        finder.querySelector("input").value = "";
      });
      list.append(button);
    });
    if (!stations.length) {
      const none = document.createElement("div");
      none.className = "list-group-item py-1 text-secondary";
      none.textContent = finder.dataset.emptyLabel;
      list.append(none);
    }
  }

  document.querySelectorAll("[data-station-finder]").forEach((finder) => {
    const field = document.getElementById(finder.dataset.target);
    const input = finder.querySelector("input");
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (!text) {
        finder.querySelector("[data-station-results]").replaceChildren();
        return;
      }
      timer = setTimeout(() => {
        const url = new URL(finder.dataset.url, window.location.href);
        url.searchParams.set("q", text);
        url.searchParams.set("limit", "10");
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { items: [] }))
          .then((page) => show(finder, field, page.items || []));
      }, 250);
    });
  });
})();

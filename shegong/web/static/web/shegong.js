// Shegong's page behaviour. No inline scripts anywhere (the Content-Security-Policy forbids them).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});
// Elements with data-confirm ask before their form is submitted.
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
// Fields wrapped in data-show-when="name=value" show only while the form's `name` input has that value (e.g. the
// region field of a grant appears when the scope "region" is chosen). Without JavaScript every field stays visible.
function updateConditionalFields(form) {
  form.querySelectorAll("[data-show-when]").forEach((wrapper) => {
    const [name, value] = wrapper.getAttribute("data-show-when").split("=");
    const checked = form.querySelector(`input[name="${name}"]:checked`);
    const current = checked ? checked.value : (form.querySelector(`[name="${name}"]`) || {}).value;
    wrapper.hidden = current !== value;
  });
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form").forEach((form) => {
    if (!form.querySelector("[data-show-when]")) return;
    updateConditionalFields(form);
    form.addEventListener("change", () => updateConditionalFields(form));
  });
});

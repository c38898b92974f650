// "Insert into reply": put an expert's suggested answer into the case's reply composer.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-ov-insert-suggestion]");
  if (!button) return;
  const composer = document.querySelector(button.dataset.target);
  if (!composer) return;
  composer.value = composer.value.trim() ? `${composer.value.trimEnd()}\n\n${button.dataset.suggestion}` : button.dataset.suggestion;
  composer.dispatchEvent(new Event("input", { bubbles: true }));
  if (window.htmx) window.htmx.trigger(composer, "ov-insert"); // the composer's voice check runs again
  const marker = composer.form && composer.form.querySelector("input[name=suggested_by]");
  if (marker) marker.value = button.dataset.forward;
  composer.focus();
});

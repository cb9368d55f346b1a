// The desk's only script of its own (served from /static: the page's CSP allows no inline script).
// "Tick all" on the queue; everything else is plain forms, which htmx enhances where marked.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("all");
  if (all) {
    all.addEventListener("change", () => {
      for (const box of document.querySelectorAll('input[name="ids"]')) box.checked = all.checked;
    });
  }
});

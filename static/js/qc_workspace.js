// The inspection workspace: one image at a time (each view goes through the audited image view), zoom and
// pan, and the keyboard: J/K or the arrows for images, digits for defect types, P to pass, N for the next item.
(function () {
  const root = document.getElementById("workspace");
  if (!root) return;
  const data = document.getElementById("workspace-images");
  const images = data ? JSON.parse(data.textContent) : [];
  const viewport = document.getElementById("viewport");
  const img = document.getElementById("page-image");
  const status = document.getElementById("image-status");
  let index = Math.min(Number(root.dataset.start || 0), Math.max(images.length - 1, 0));
  let scale = 1, x = 0, y = 0;

  function apply() {
    img.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
  }

  function reset() {
    scale = 1; x = 0; y = 0;
    apply();
  }

  function zoom(factor) {
    scale = Math.min(8, Math.max(1, scale * factor));
    if (scale === 1) { x = 0; y = 0; }
    apply();
  }

  // The defect form always names the image on screen; after htmx replaces the panel it is set again.
  function syncForm() {
    const page = document.getElementById("defect-page");
    const position = document.getElementById("defect-image");
    if (page && images.length) page.value = images[index].id;
    if (position) position.value = index;
  }

  function show(next) {
    if (!images.length) return;
    index = Math.min(Math.max(next, 0), images.length - 1);
    const image = images[index];
    if (img.getAttribute("src") !== image.url) img.src = image.url;
    img.alt = image.name;
    status.textContent = `${index + 1} / ${images.length} · ${image.name}`;
    document.querySelectorAll("[data-image]").forEach((button) => {
      button.toggleAttribute("aria-current", Number(button.dataset.image) === index);
      button.classList.toggle("fw-bold", Number(button.dataset.image) === index);
    });
    reset();
    syncForm();
  }

  function chooseDefect(key) {
    const select = document.getElementById("defect-kind");
    if (!select) return;
    const option = select.querySelector(`option[data-key="${key}"]`);
    if (!option) return;
    select.value = option.value;
    select.dispatchEvent(new Event("change"));
    document.getElementById("defect-note").focus();
  }

  // An image defect is judged on its page; item defects are recorded on the image only when asked.
  document.addEventListener("change", (event) => {
    if (event.target.id !== "defect-kind") return;
    const option = event.target.selectedOptions[0];
    document.getElementById("defect-on-image").checked = option.dataset.scope === "image";
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action], [data-image]");
    if (!button) return;
    if (button.dataset.image !== undefined) return show(Number(button.dataset.image));
    ({
      previous: () => show(index - 1),
      next: () => show(index + 1),
      "zoom-in": () => zoom(1.25),
      "zoom-out": () => zoom(0.8),
      reset,
    })[button.dataset.action]();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const pass = document.getElementById("pass-button");
    if (key === "j" || key === "ArrowRight") show(index + 1);
    else if (key === "k" || key === "ArrowLeft") show(index - 1);
    else if (key === "+" || key === "=") zoom(1.25);
    else if (key === "-") zoom(0.8);
    else if (key === "r") reset();
    else if (/^[0-9]$/.test(key)) chooseDefect(key);
    else if (key === "p" && pass && !pass.disabled) pass.click();
    else if (key === "n" && root.dataset.nextUnit) window.location.assign(root.dataset.nextUnit);
    else return;
    event.preventDefault();
  });

  if (viewport) {
    viewport.addEventListener("wheel", (event) => {
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15);
    }, {passive: false});
    let drag = null;
    viewport.addEventListener("pointerdown", (event) => {
      drag = {startX: event.clientX - x, startY: event.clientY - y};
      viewport.setPointerCapture(event.pointerId);
      viewport.classList.add("dragging");
    });
    viewport.addEventListener("pointermove", (event) => {
      if (!drag) return;
      x = event.clientX - drag.startX;
      y = event.clientY - drag.startY;
      apply();
    });
    const stop = () => { drag = null; viewport.classList.remove("dragging"); };
    viewport.addEventListener("pointerup", stop);
    viewport.addEventListener("pointercancel", stop);
  }

  // htmx:load fires on the panel htmx puts in place after a defect is recorded or removed.
  document.body.addEventListener("htmx:load", () => {
    syncForm();
    if (document.activeElement && document.activeElement.closest("#inspection-panel")) document.activeElement.blur();
  });

  show(index);
})();

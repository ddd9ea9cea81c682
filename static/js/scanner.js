// Scanning pages. A keyboard-wedge barcode scanner types a code and then Enter (or Tab). Each code is posted
// on its own and in the order scanned; the input empties at once, so the next scan may follow before the answer.
(function () {
  document.querySelectorAll("form[data-scan-form]").forEach((form) => {
    const input = form.querySelector("[data-scan-input]");
    let queue = Promise.resolve();

    async function post(code) {
      // The other fields are read as the request leaves: a cell scanned just before may have changed them.
      const body = new FormData(form);
      body.set("code", code);
      const response = await fetch(form.action, {method: "POST", body, headers: {"HX-Request": "true"}});
      // The answer is a line for the table, plus any out-of-band parts (the current cell).
      htmx.swap(form.dataset.scanTarget, await response.text(), {swapStyle: "afterbegin"});
    }

    function send() {
      const code = input.value.trim();
      input.value = "";
      input.focus();
      if (code) {
        queue = queue.then(() => post(code)).catch((error) => console.error(error));
      }
    }

    // Focus only once scans are handled here: a code typed earlier would submit the whole page.
    input.focus();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Tab" && !event.shiftKey) {
        event.preventDefault();
        send();
      }
    });
  });
})();

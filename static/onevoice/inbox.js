// The case page: saved replies inserted at the cursor, "typing" for the collision heartbeat, a reload once
// a reply that was being sent has settled, and leaving the case when the page closes.
(function () {
  const composer = document.getElementById("composer");
  const text = composer ? composer.querySelector("textarea[name=text]") : null;
  const typing = document.getElementById("presence-typing");
  let lastKey = 0;

  document.querySelectorAll("[data-insert]").forEach((item) => {
    item.addEventListener("click", (event) => {
      if (!text) return;
      event.preventDefault();
      const snippet = item.dataset.insert;
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? text.value.length;
      const before = text.value.slice(0, start);
      const glue = before && !/\s$/.test(before) ? " " : "";
      text.value = before + glue + snippet + text.value.slice(end);
      const saved = composer.querySelector("input[name=saved_reply]");
      if (saved) saved.value = item.dataset.saved || "";
      text.focus();
      // Put the cursor on the first placeholder left to fill, e.g. {order_number}.
      const hole = text.value.indexOf("{", start);
      if (hole >= 0) {
        const close = text.value.indexOf("}", hole);
        text.setSelectionRange(hole, close >= 0 ? close + 1 : hole);
      }
      text.dispatchEvent(new Event("input"));
      if (window.htmx) window.htmx.trigger(text, "ov-insert");
    });
  });

  if (text && typing) {
    text.addEventListener("input", () => { lastKey = Date.now(); });
    document.body.addEventListener("htmx:configRequest", (event) => {
      if (event.detail.elt && event.detail.elt.id === "presence-form") {
        event.detail.parameters.typing = Date.now() - lastKey < 5000 && text.value.trim() ? "1" : "0";
      }
    });
  }

  // A reply on its way: once the heartbeat says nothing is waiting any more, show the result.
  const waitingAtLoad = document.querySelector("[data-state=queued], [data-state=sending]") !== null;
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "presence" || !waitingAtLoad) return;
    const marker = event.detail.target.querySelector("[data-waiting]");
    if (marker && marker.dataset.waiting === "0" && (!text || !text.value.trim())) window.location.reload();
  });

  const presence = document.getElementById("presence-form");
  if (presence && navigator.sendBeacon) {
    window.addEventListener("pagehide", () => {
      const data = new FormData();
      const token = document.querySelector("input[name=csrfmiddlewaretoken]");
      if (token) data.append("csrfmiddlewaretoken", token.value);
      navigator.sendBeacon(presence.dataset.leave, data);
    });
  }
})();

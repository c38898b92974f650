// Live character count in the composer, counted the way the network counts (graphemes, or URLs as N).
(function () {
  const form = document.getElementById("composer");
  if (!form) return;
  const text = form.querySelector("textarea");
  const out = document.getElementById("composer-count");
  const max = parseInt(form.dataset.max, 10);
  const urlLength = parseInt(form.dataset.urlLength || "0", 10);
  const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  const count = (value) => {
    if (form.dataset.counting === "characters_url_fixed") {
      value = value.replace(/https?:\/\/[^\s<>"']+/gi, "x".repeat(urlLength));
    }
    return segmenter ? Array.from(segmenter.segment(value)).length : Array.from(value).length;
  };
  const update = () => {
    const n = count(text.value);
    out.textContent = n + " / " + max;
    out.classList.toggle("text-danger", n > max);
  };
  text.addEventListener("input", update);
  update();
})();

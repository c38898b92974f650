// Live character count per channel variant, counted the way its network counts.
(function () {
  const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  document.querySelectorAll(".ov-variant-form").forEach((form) => {
    const text = form.querySelector("textarea");
    const out = form.querySelector(".ov-count");
    const max = parseInt(form.dataset.max, 10);
    const urlLength = parseInt(form.dataset.urlLength || "0", 10);
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
  });
})();

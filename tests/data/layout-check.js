// Measures the rendered layout; the browser tests read the JSON result from the pre#cjm-check element.
(function () {
  const out = { boxes: 0, texts: 0, cells: 0, problems: [] };
  const tol = 1.5;
  const inside = (a, b) =>
    a.left >= b.left - tol && a.right <= b.right + tol && a.top >= b.top - tol && a.bottom <= b.bottom + tol;
  const rect = (r) => [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)];
  document.querySelectorAll("svg .box").forEach((box) => {
    const frame = box.querySelector(":scope > .frame");
    if (!frame) return;
    const f = frame.getBoundingClientRect();
    out.boxes++;
    box.querySelectorAll("text").forEach((t) => {
      out.texts++;
      const r = t.getBoundingClientRect();
      if (!inside(r, f)) out.problems.push({ text: t.textContent.slice(0, 50), box: box.dataset.box, r: rect(r), frame: rect(f) });
    });
    const cell = box.closest(".cell");
    if (cell) {
      const c = cell.querySelector(":scope > .cell-frame").getBoundingClientRect();
      if (!inside(f, c)) out.problems.push({ box: box.dataset.box, outside: "cell", frame: rect(f), cell: rect(c) });
    }
  });
  document.querySelectorAll("svg .cell").forEach((cell) => {
    out.cells++;
    const frames = [...cell.querySelectorAll(".box > .frame")].map((e) => e.getBoundingClientRect());
    for (let i = 0; i < frames.length; i++)
      for (let j = i + 1; j < frames.length; j++) {
        const a = frames[i], b = frames[j];
        if (a.left < b.right - tol && b.left < a.right - tol && a.top < b.bottom - tol && b.top < a.bottom - tol)
          out.problems.push({ overlap: cell.dataset.lane + "/" + cell.dataset.column });
      }
  });
  document.querySelectorAll("svg").forEach((svg) => {
    const s = svg.getBoundingClientRect();
    svg.querySelectorAll("text").forEach((t) => {
      const r = t.getBoundingClientRect();
      if (r.width && !inside(r, s)) out.problems.push({ text: t.textContent.slice(0, 50), outside: "svg" });
    });
  });
  document.querySelectorAll("body *").forEach((el) => {
    if (el.closest("svg") || el.closest(".scroll") || el.tagName === "PRE") return;
    const style = getComputedStyle(el);
    if (style.overflowX === "visible" && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      out.problems.push({ html: el.tagName + "." + el.className, scroll: el.scrollWidth, client: el.clientWidth });
  });
  const pre = document.createElement("pre");
  pre.id = "cjm-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();

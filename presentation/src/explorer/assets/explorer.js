// DS Workbench explorer: stepping through a path.
//
// The page is complete without this script (every step, diff and state is
// in the HTML); the script adds the focus: one position at a time, from 0
// (the initial state) to n (after the last step), marked in the step list
// and in the diagram, with that position's states shown. It also folds the
// lanes of actors unchecked in the views bar (their steps dim), dims the
// steps the filter does not match, and copies a step's link.
"use strict";

(function () {
  // Links in Stateright's form (/#/steps/0/3/1) open the same path here.
  if (location.pathname === "/" && location.hash.startsWith("#/steps/")) {
    const steps = location.hash.slice("#/steps/".length);
    if (/^[0-9]+(\/[0-9]+)*$/.test(steps)) {
      location.replace("/path/" + steps);
    }
    return;
  }

  const walk = document.getElementById("walk");
  if (!walk) {
    return;
  }
  const n = Number(walk.dataset.steps);
  const items = Array.from(document.querySelectorAll("#steps li[data-pos]"));
  const rows = Array.from(document.querySelectorAll("#diagram svg .step[data-step]"));
  const snapshots = Array.from(document.querySelectorAll(".snapshot[data-pos]"));
  const where = document.getElementById("where");
  const list = document.getElementById("steps");
  const buttons = {
    first: document.getElementById("first"),
    prev: document.getElementById("prev"),
    next: document.getElementById("next"),
    last: document.getElementById("last"),
  };

  function fromHash() {
    const m = /^#step=([0-9]+)$/.exec(location.hash);
    return m ? Math.min(Number(m[1]), n) : n;
  }

  let pos = -1;

  function show(k, scroll) {
    k = Math.max(0, Math.min(n, k));
    pos = k;
    for (const li of items) {
      li.classList.toggle("current", Number(li.dataset.pos) === k);
    }
    for (const g of rows) {
      g.classList.toggle("current", Number(g.dataset.step) === k);
    }
    for (const s of snapshots) {
      s.hidden = Number(s.dataset.pos) !== k;
    }
    where.textContent = k === 0 ? "initial state" : "step " + k + " of " + n;
    buttons.first.disabled = buttons.prev.disabled = k === 0;
    buttons.next.disabled = buttons.last.disabled = k === n;
    // The step list scrolls on its own, so the page does not jump.
    const li = items.find((x) => Number(x.dataset.pos) === k);
    if (li && list) {
      const top = li.offsetTop;
      if (top < list.scrollTop || top + li.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = Math.max(0, top - list.clientHeight / 3);
      }
    }
    if (scroll) {
      const g = rows.find((x) => Number(x.dataset.step) === k);
      if (g) {
        g.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    }
    const hash = "#step=" + k;
    if (location.hash !== hash) {
      history.replaceState(null, "", hash);
    }
  }

  buttons.first.addEventListener("click", () => show(0, true));
  buttons.prev.addEventListener("click", () => show(pos - 1, true));
  buttons.next.addEventListener("click", () => show(pos + 1, true));
  buttons.last.addEventListener("click", () => show(n, true));
  for (const li of items) {
    li.addEventListener("click", () => show(Number(li.dataset.pos), false));
  }
  for (const g of rows) {
    g.addEventListener("click", () => show(Number(g.dataset.step), true));
  }
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest("input, textarea")) {
      return;
    }
    const to = { ArrowLeft: pos - 1, ArrowRight: pos + 1, Home: 0, End: n }[e.key];
    if (to !== undefined) {
      e.preventDefault();
      show(to, true);
    }
  });
  window.addEventListener("hashchange", () => show(fromHash(), true));

  // The per-process view: an unchecked actor's lane folds (greyed, its
  // final state too), and a step that involves only folded actors dims,
  // in the list and in the diagram.
  const views = document.getElementById("views");
  const boxes = Array.from(document.querySelectorAll("#views input.actor"));
  const laneParts = Array.from(document.querySelectorAll("#diagram svg [data-lane]"));
  const folded = document.getElementById("folded");
  const actorsOf = (el) => (el.dataset.actors || "").split(" ").filter((x) => x !== "");

  function fold() {
    const hidden = new Set(boxes.filter((b) => !b.checked).map((b) => b.dataset.lane));
    for (const part of laneParts) {
      part.classList.toggle("folded", hidden.has(part.dataset.lane));
    }
    for (const el of items.concat(rows)) {
      const actors = actorsOf(el);
      el.classList.toggle("folded", actors.length > 0 && actors.every((a) => hidden.has(a)));
    }
    for (const b of boxes) {
      b.parentElement.classList.toggle("off", !b.checked);
    }
    folded.textContent =
      hidden.size === 0 ? "" : hidden.size + " of " + boxes.length + " folded";
  }

  // The filter: steps whose line (actors, message type and content) does
  // not contain the text dim, in the list and in the diagram.
  const filter = document.getElementById("filter");
  const matches = document.getElementById("matches");

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const li of items) {
      if (li.dataset.line === undefined) {
        continue;
      }
      const hit = q === "" || li.dataset.line.toLowerCase().includes(q);
      shown += hit ? 1 : 0;
      li.classList.toggle("unmatched", !hit);
      const g = rows.find((x) => x.dataset.step === li.dataset.pos);
      if (g) {
        g.classList.toggle("unmatched", !hit);
      }
    }
    matches.textContent = q === "" ? "" : shown + " of " + n + " steps match";
  }

  if (views) {
    views.hidden = false;
    for (const b of boxes) {
      b.addEventListener("change", fold);
    }
    filter.addEventListener("input", applyFilter);
    fold();
    applyFilter();
  }

  // A step's link: the page's address with #step=k, copied.
  function copy(text) {
    const fallback = () => {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try {
        document.execCommand("copy");
      } catch (_) {
        // Nothing to copy to: the link is still shown in the title.
      }
      area.remove();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).catch(fallback);
    } else {
      fallback();
    }
  }

  for (const a of document.querySelectorAll("#steps a.deeplink")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      e.stopPropagation();
      const k = Number(a.dataset.pos);
      const url = location.origin + location.pathname + location.search + "#step=" + k;
      copy(url);
      a.dataset.copied = url;
      a.title = "Copied: " + url;
      a.classList.add("copied");
      setTimeout(() => a.classList.remove("copied"), 1500);
      show(k, true);
    });
  }
  show(fromHash(), false);
})();

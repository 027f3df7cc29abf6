// DS Workbench explorer: stepping through a path.
//
// The page is complete without this script (every step, diff and state is
// in the HTML); the script adds the focus: one position at a time, from 0
// (the initial state) to n (after the last step), marked in the step list
// and in the diagram, with that position's states shown.
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
    if (e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    const to = { ArrowLeft: pos - 1, ArrowRight: pos + 1, Home: 0, End: n }[e.key];
    if (to !== undefined) {
      e.preventDefault();
      show(to, true);
    }
  });
  window.addEventListener("hashchange", () => show(fromHash(), true));
  show(fromHash(), false);
})();

// claim-risk review: the workbench page. Plain JavaScript, no build step, nothing from
// another origin. All page text goes into the DOM as text nodes (never as HTML).
"use strict";

const KEYS = { u: "unsupported", h: "hedged", n: "none" };
const SUGGEST_BATCH = 30;
const POLL_MS = 500;

const state = {
  data: null, // /api/state
  byId: new Map(), // sentence id -> {sentence, page}
  labels: {}, // sentence id -> label
  skipped: new Set(),
  pending: new Map(), // sentence id -> label being saved
  failed: new Set(),
  view: "next", // "next" or a doc_id
  readingOrder: false,
  queue: [], // suggested ids, in order
  focus: 0,
  polling: false,
  chain: Promise.resolve(),
  waiting: 0,
};

const channel = "BroadcastChannel" in window ? new BroadcastChannel("claim-risk-review") : null;

function $(id) {
  return document.getElementById(id);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("data-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function toast(message, error) {
  const box = $("toast");
  box.textContent = message;
  box.className = error ? "error" : "";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), error ? 6000 : 2000);
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const data = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 409) {
    throw new Error(data.error || `${response.status} ${response.statusText}`);
  }
  return { status: response.status, data };
}

function fmt(x) {
  return typeof x === "number" && isFinite(x) ? x.toFixed(3) : "–";
}

function signed(x) {
  return (x >= 0 ? "+" : "") + x.toFixed(2);
}

function reasons(s) {
  const up = s.up.filter(([, c]) => c > 0).map(([w, c]) => `${w} ${signed(c)}`);
  const down = s.down.filter(([, c]) => c < 0).map(([w, c]) => `${w} ${signed(c)}`);
  const parts = [];
  if (up.length) parts.push("raises it: " + up.join(", "));
  if (down.length) parts.push("lowers it: " + down.join(", "));
  if (Math.abs(s.page) >= 0.05) parts.push(`its page ${signed(s.page)}`);
  return parts.join("; ");
}

// ---- loading -------------------------------------------------------------------------

async function loadState() {
  const { data } = await api("/api/state");
  state.data = data;
  state.byId = new Map();
  for (const page of data.pages) {
    for (const s of page.sentences) state.byId.set(s.id, { sentence: s, page });
  }
  state.labels = data.labels;
  state.skipped = new Set(data.skipped);
  $("model").textContent = `model ${data.model.name} ${data.model.version}, threshold ${data.model.threshold}`;
  $("labels-file").textContent = data.labels_file;
  for (const problem of data.problems) toast(problem, true);
}

async function refreshLabels() {
  const { data } = await api("/api/state");
  state.labels = data.labels;
  state.skipped = new Set(data.skipped);
  render();
}

async function loadSuggestions(reset) {
  const { data } = await api(`/api/suggest?n=${SUGGEST_BATCH}`);
  if (reset) state.queue = [];
  const have = new Set(state.queue);
  for (const id of data.ids) if (!have.has(id)) state.queue.push(id);
}

// ---- rendering -----------------------------------------------------------------------

function labelOf(id) {
  if (state.pending.has(id)) return ["saving", "saving…"];
  if (state.failed.has(id)) return ["failed", "not saved"];
  const label = state.labels[id];
  if (label) return [label, label];
  if (state.skipped.has(id)) return ["skipped", "skipped"];
  return ["", ""];
}

function currentIds() {
  if (state.view === "next") return state.queue.filter((id) => state.byId.has(id));
  const page = state.data.pages.find((p) => p.doc_id === state.view);
  if (!page) return [];
  const sentences = state.readingOrder
    ? [...page.sentences].sort((a, b) => a.position - b.position)
    : page.sentences;
  return sentences.map((s) => s.id);
}

function renderCounts() {
  const counts = { unsupported: 0, hedged: 0, none: 0 };
  let labelled = 0;
  for (const id of state.byId.keys()) {
    const label = state.labels[id];
    if (label) {
      labelled += 1;
      counts[label] = (counts[label] || 0) + 1;
    }
  }
  const skipped = [...state.skipped].filter((id) => state.byId.has(id) && !state.labels[id]).length;
  $("counts").textContent =
    `${labelled} of ${state.byId.size} sentences labelled ` +
    `(unsupported ${counts.unsupported}, hedged ${counts.hedged}, none ${counts.none}), ` +
    `${skipped} skipped`;
}

function renderPages() {
  const list = $("page-list");
  list.replaceChildren();
  for (const page of state.data.pages) {
    const done = page.sentences.filter((s) => state.labels[s.id]).length;
    const band = bandOf(page.page_score);
    const button = el(
      "button",
      { type: "button", class: page.doc_id === state.view ? "current" : "", title: page.source },
      el("span", { class: `score band-${band}` }, fmt(page.page_score)),
      el("span", { class: "name", dir: "auto" }, page.source),
      el("span", { class: "done" }, `${done}/${page.sentences.length}`),
    );
    button.setAttribute("data-doc", page.doc_id);
    button.addEventListener("click", () => enqueue(() => showView(page.doc_id)));
    list.append(el("li", {}, button));
  }
  $("view-next").className = state.view === "next" ? "view current" : "view";
}

function bandOf(score) {
  const bands = state.data.model.bands;
  for (let i = bands.length - 1; i >= 0; i--) if (score >= bands[i].from) return bands[i].band;
  return "low";
}

function sentenceItem(id, index) {
  const { sentence: s, page } = state.byId.get(id);
  const [labelClass, labelText] = labelOf(id);
  const score = el("span", { class: `score band-${s.band}`, title: `band ${s.band}` }, fmt(s.score));
  if (s.before !== null && s.before !== undefined) {
    score.append(el("span", { class: "before" }, `was ${fmt(s.before)}`));
  }
  const buttons = el("span", { class: "buttons" });
  for (const [key, label] of [["u", "unsupported"], ["h", "hedged"], ["n", "none"], ["s", "skip"]]) {
    const b = el("button", { type: "button", title: `${label} (key ${key})`, tabIndex: -1 }, key.toUpperCase());
    b.addEventListener("click", (event) => {
      event.stopPropagation();
      enqueue(() => {
        state.focus = index;
        return act(key);
      });
    });
    buttons.append(b);
  }
  const item = el(
    "li",
    { class: "sent" + (index === state.focus ? " focus" : ""), tabIndex: -1 },
    score,
    el("span", { class: "text", dir: "auto" }, s.text),
    el("span", { class: `label ${labelClass}` }, labelText),
    el("span", { class: "why" }, reasons(s)),
    state.view === "next" ? el("span", { class: "source", dir: "auto" }, page.source) : null,
    buttons,
  );
  item.setAttribute("data-id", id);
  item.setAttribute("data-label", state.labels[id] || "");
  item.setAttribute("aria-selected", index === state.focus ? "true" : "false");
  item.addEventListener("click", () => {
    state.focus = index;
    renderFocus();
  });
  return item;
}

function render() {
  if (!state.data) return;
  renderCounts();
  renderPages();
  const ids = currentIds();
  state.focus = Math.max(0, Math.min(state.focus, ids.length - 1));
  if (state.view === "next") {
    $("view-title").textContent = "Next to label: uncertain and varied sentences first";
    $("view-help").textContent = "u unsupported · h hedged · n none · s skip · j/k move · ? all keys";
  } else {
    const page = state.data.pages.find((p) => p.doc_id === state.view);
    $("view-title").textContent = `${page.source} (page score ${fmt(page.page_score)})`;
    $("view-help").textContent = state.readingOrder
      ? "in reading order (o: by score)"
      : "riskiest sentences first (o: reading order)";
  }
  $("sentences").replaceChildren(...ids.map((id, i) => sentenceItem(id, i)));
  $("empty").hidden = ids.length > 0;
  renderFocus();
}

function renderFocus() {
  const items = $("sentences").children;
  for (let i = 0; i < items.length; i++) {
    const on = i === state.focus;
    items[i].classList.toggle("focus", on);
    items[i].setAttribute("aria-selected", on ? "true" : "false");
  }
  const item = items[state.focus];
  if (item) item.scrollIntoView({ block: "nearest" });
}

function updateItem(id) {
  const item = document.querySelector(`li.sent[data-id="${CSS.escape(id)}"]`);
  if (!item) return;
  const [labelClass, labelText] = labelOf(id);
  const span = item.querySelector(".label");
  span.className = `label ${labelClass}`;
  span.textContent = labelText;
  item.setAttribute("data-label", state.labels[id] || "");
  renderCounts();
}

// ---- actions -------------------------------------------------------------------------

async function save(id, label) {
  state.pending.set(id, label);
  state.failed.delete(id);
  updateItem(id);
  try {
    if (label === "skip") await api("/api/skip", { id });
    else await api("/api/label", { id, label });
    if (label === "skip") state.skipped.add(id);
    else if (label) {
      state.labels[id] = label;
      state.skipped.delete(id);
    } else delete state.labels[id];
    if (channel) channel.postMessage({ id, label });
  } catch (error) {
    state.failed.add(id);
    toast(`not saved: ${error.message}`, true);
  } finally {
    state.pending.delete(id);
    updateItem(id);
    renderPages();
  }
}

async function act(key) {
  const ids = currentIds();
  const id = ids[state.focus];
  if (!id) return;
  const label = key === "s" ? "skip" : key === "x" ? "" : KEYS[key];
  save(id, label); // saved in the background; the next key need not wait for it
  if (key !== "x") await move(1);
}

// Keys are handled one after another, in the order pressed: a key pressed while a view
// loads acts on that view once it is there.
// While keys wait, the body carries data-busy (tests wait for it to go).
function enqueue(fn) {
  state.waiting += 1;
  document.body.setAttribute("data-busy", "true");
  state.chain = state.chain
    .then(fn)
    .catch((error) => toast(error.message, true))
    .finally(() => {
      state.waiting -= 1;
      if (state.waiting === 0) document.body.removeAttribute("data-busy");
    });
}

async function move(step) {
  const ids = currentIds();
  state.focus = Math.max(0, Math.min(state.focus + step, ids.length - 1));
  if (state.view === "next" && step > 0 && state.focus >= ids.length - 5) {
    const before = state.queue.length;
    await loadSuggestions(false);
    if (state.queue.length !== before) {
      render();
      return;
    }
  }
  renderFocus();
}

async function showView(view) {
  state.view = view;
  state.focus = 0;
  if (view === "next") await loadSuggestions(true);
  render();
}

async function stepPage(step) {
  const pages = state.data.pages;
  const at = pages.findIndex((p) => p.doc_id === state.view);
  const next = at < 0 ? (step > 0 ? 0 : pages.length - 1) : at + step;
  if (next >= 0 && next < pages.length) await showView(pages[next].doc_id);
}

function toggleOrder() {
  if (state.view === "next") return;
  state.readingOrder = !state.readingOrder;
  state.focus = 0;
  render();
}

// ---- retraining ----------------------------------------------------------------------

function showRetrain(status) {
  const button = $("retrain");
  const bar = $("progress");
  const text = $("retrain-status");
  button.disabled = status.state === "running" || status.state === "unavailable";
  bar.hidden = status.state !== "running";
  if (status.state === "running") {
    bar.max = Math.max(status.total || 0, 1);
    bar.value = status.done || 0;
    const of = status.total ? ` ${status.done}/${status.total}` : "";
    text.textContent = `retraining: ${status.stage}${of}`;
  } else if (status.state === "failed") {
    text.textContent = `retraining failed: ${status.error}`;
  } else if (status.state === "done") {
    text.textContent = `retrained: pages scored with ${status.model}`;
    showLift(status.result);
  } else {
    text.textContent = "";
  }
}

function liftOf(result) {
  if (!result) return null;
  if (result.lift && result.lift.before) return result.lift;
  if (result.before && result.after) return result;
  return null;
}

function interval(ci) {
  return Array.isArray(ci) && ci.length === 2 ? `${fmt(ci[0])} – ${fmt(ci[1])}` : "–";
}

function showLift(result) {
  const lift = liftOf(result);
  if (!lift) return;
  $("lift").hidden = false;
  $("lift-before").textContent = fmt(lift.before.roc_auc);
  $("lift-before-ci").textContent = interval(lift.before.ci);
  $("lift-after").textContent = fmt(lift.after.roc_auc);
  $("lift-after-ci").textContent = interval(lift.after.ci);
  const delta = lift.lift ? lift.lift.delta : null;
  $("lift-delta").textContent =
    typeof delta === "number" ? (delta >= 0 ? "+" : "") + delta.toFixed(3) : "–";
  $("lift-delta-ci").textContent = lift.lift ? interval(lift.lift.ci) : "–";
  const figures = typeof lift.before.roc_auc === "number";
  $("lift-table").hidden = !figures; // too few labels: the warning alone says so
  $("lift-meta").textContent =
    `${lift.n_labels} labels on ${lift.n_pages} pages (${lift.n_positive} unsupported), ` +
    (figures ? `${lift.folds} folds by page, your labels x${lift.weight}, ` : "") +
    `tier ${lift.tier}`;
  const warning = $("lift-warning");
  warning.hidden = !lift.warning;
  warning.textContent = lift.warning || "";
}

async function retrain() {
  try {
    const { status, data } = await api("/api/retrain", {});
    if (status === 409) toast("retraining is already running");
    showRetrain(data);
    pollRetrain();
  } catch (error) {
    toast(`cannot retrain: ${error.message}`, true);
  }
}

async function pollRetrain() {
  if (state.polling) return;
  state.polling = true;
  try {
    for (;;) {
      const { data } = await api("/api/retrain");
      if (data.state === "done") {
        await loadState(); // the pages scored with the new model, the old scores beside
        render();
        toast("retrained: scores updated");
      }
      showRetrain(data);
      if (data.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    state.polling = false;
  }
}

// ---- keyboard ------------------------------------------------------------------------

function toggleHelp(show) {
  const help = $("help");
  help.hidden = show === undefined ? !help.hidden : !show;
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
  const key = event.key;
  const handled = () => event.preventDefault();
  if (key === "?") return handled(), toggleHelp();
  if (key === "Escape") return toggleHelp(false);
  const actions = {
    u: () => act("u"),
    h: () => act("h"),
    n: () => act("n"),
    s: () => act("s"),
    x: () => act("x"),
    Backspace: () => act("x"),
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    "]": () => stepPage(1),
    "[": () => stepPage(-1),
    g: () => showView("next"),
    o: () => toggleOrder(),
    r: () => retrain(),
  };
  if (Object.hasOwn(actions, key)) return handled(), enqueue(actions[key]);
}

// ---- start ---------------------------------------------------------------------------

function start() {
  document.addEventListener("keydown", onKey);
  $("help-button").addEventListener("click", () => toggleHelp());
  $("retrain").addEventListener("click", () => enqueue(retrain));
  $("view-next").addEventListener("click", () => enqueue(() => showView("next")));
  window.addEventListener("focus", () => refreshLabels().catch(() => {}));
  if (channel) {
    channel.addEventListener("message", (event) => {
      const { id, label } = event.data || {};
      if (typeof id !== "string") return;
      if (label === "skip") state.skipped.add(id);
      else if (label) state.labels[id] = label;
      else delete state.labels[id];
      updateItem(id);
      renderPages();
    });
  }
  enqueue(async () => {
    try {
      await loadState();
      await loadSuggestions(true);
    } catch (error) {
      toast(`cannot load: ${error.message}`, true);
      throw error;
    }
    render();
    showRetrain(state.data.retrain);
    document.body.setAttribute("data-ready", "true");
    if (state.data.retrain.state === "running") pollRetrain();
  });
}

start();

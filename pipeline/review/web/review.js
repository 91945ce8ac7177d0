// The review page. Data from the recording is only ever put in the page as text
// (textContent, option labels); the minutes arrive as HTML the server escaped.
"use strict";

const token = document.querySelector('meta[name="rapporteur-token"]').content;
const $ = (id) => document.getElementById(id);
const player = $("player");
let state = null;
let page = { offset: 0, total: 0, rows: [] };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "style") Object.assign(node.style, v);  // CSSOM: allowed by the CSP
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
}

function clock(seconds) {
  const s = Math.floor(seconds);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
  "#ff9da7", "#9c755f", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];
function colour(label) {  // one colour per roster label, stable within a meeting
  const index = state?.labels.indexOf(label) ?? -1;
  return index < 0 ? "#9e9e9e" : PALETTE[index % PALETTE.length];
}

function author() { return $("author").value.trim() || state?.author || ""; }

function status(message, error = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", error);
}

async function getJSON(path) {
  const response = await fetch(path, { credentials: "same-origin" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function post(path, body) {
  status("saving…");
  const response = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Rapporteur-Token": token },
    body: JSON.stringify({ ...body, author: author() }),
  });
  const data = await response.json();
  if (!response.ok) { status(data.error || response.statusText, true); throw new Error(data.error); }
  return data;
}

// ---- playing ---------------------------------------------------------------------------
function play(seconds) {
  const seek = () => { player.currentTime = seconds; player.play().catch(() => {}); };
  if (player.readyState >= 1) seek(); else { player.addEventListener("loadedmetadata", seek, { once: true }); player.load(); }
  showTranscriptAt(seconds);
}

// ---- minutes ---------------------------------------------------------------------------
function renderMinutes() {
  const box = $("minutes");
  box.innerHTML = state.minutes_html;  // escaped by the server's autoescaping templates
  for (const link of box.querySelectorAll("a.t")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      play(Number(link.previousElementSibling?.dataset.start ?? link.href.split("#t=")[1]));
    });
  }
  for (const span of box.querySelectorAll(".pt")) {
    span.addEventListener("click", () => play(Number(span.dataset.start)));
    if (/^[pc]/.test(span.dataset.id)) {
      const button = el("button", { class: "edit", type: "button", textContent: "edit", title: "Rewrite this point" });
      button.addEventListener("click", (event) => { event.stopPropagation(); openEditor(span, button); });
      span.after(button);
    }
  }
}

function openEditor(span, button) {
  const editor = el("textarea", { class: "editor", value: span.textContent });
  const save = el("button", { type: "button", textContent: "Save", class: "save" });
  const cancel = el("button", { type: "button", textContent: "Cancel" });
  const form = el("div", { class: "editing" }, editor, save, cancel);
  span.hidden = true; button.hidden = true;
  span.after(form);
  editor.focus();
  cancel.addEventListener("click", () => { form.remove(); span.hidden = false; button.hidden = false; });
  save.addEventListener("click", async () => {
    const shown = state.points[span.dataset.id] || {};  // what this page showed: a later save by someone else is refused
    await post("/api/edit", { point: span.dataset.id, text: editor.value, version: shown.version, base: shown.draft });
    status("edit saved");
    await load();
  });
}

function renderConflicts() {
  const list = $("conflict-list");
  list.replaceChildren();
  $("conflicts").hidden = state.conflicts.length === 0;
  for (const c of state.conflicts) {
    const keep = el("button", { type: "button", textContent: "Keep my text", class: "keep-mine" });
    const take = el("button", { type: "button", textContent: "Take the new draft", class: "take-draft" });
    keep.addEventListener("click", async () => { await post("/api/resolve", { point: c.point, keep: "mine" }); await load(); });
    take.addEventListener("click", async () => { await post("/api/resolve", { point: c.point, keep: "draft" }); await load(); });
    list.append(el("li", { class: "conflict-box", "data-point": c.point },
      el("p", {}, el("strong", { textContent: `Your text (${c.author}): ` }), el("span", { class: "mine", textContent: c.mine })),
      el("p", {}, el("strong", { textContent: "New draft: " }),
        el("span", { class: "draft", textContent: c.draft ?? "(this point is no longer in the draft)" })),
      keep, " ", take));
  }
}

// ---- voices and timeline ---------------------------------------------------------------
function labelSelect(current, onChange) {
  const select = el("select", {});
  if (!current) select.append(el("option", { value: "", textContent: "(unknown)", selected: true }));
  for (const label of state.labels) select.append(el("option", { value: label, textContent: label, selected: label === current }));
  select.addEventListener("change", () => onChange(select.value));
  return select;
}

function renderSpeakers() {
  const body = $("speaker-table").tBodies[0];
  body.replaceChildren();
  for (const s of state.speakers) {
    const select = labelSelect(s.label, async (label) => {
      await post("/api/relabel", { scope: "speaker", target: s.id, label });
      status(`${s.id} is now ${label}; minutes re-drafted`);
      await load();
    });
    select.dataset.speaker = s.id;
    body.append(el("tr", { "data-speaker": s.id },
      el("td", {}, el("span", { class: "swatch", style: { background: colour(s.label) } })),
      el("td", { textContent: s.id + (s.corrected ? " ✓" : "") }), el("td", {}, select),
      el("td", { textContent: clock(s.seconds) })));
  }
}

async function renderTimeline() {
  const data = await getJSON("/api/timeline");
  const lanes = new Map(state.speakers.map((s) => [s.id, el("div", { class: "lane", "data-speaker": s.id,
    title: `${s.id}: ${s.label ?? "unknown"}` })]));
  const duration = data.duration || 1;
  for (const [start, end, speaker, label, flagged] of data.turns) {
    const lane = lanes.get(speaker);
    if (!lane) continue;
    const bar = el("div", { class: "turn" + (flagged ? " flagged" : ""), title: `${clock(start)} ${label ?? "unknown"}${flagged ? " (check)" : ""}` });
    bar.style.left = `${(100 * start) / duration}%`;
    bar.style.width = `${(100 * (end - start)) / duration}%`;
    bar.style.background = colour(label);
    lane.append(bar);
  }
  $("timeline").replaceChildren(...lanes.values());
}

$("timeline-wrap").addEventListener("click", (event) => {
  const box = $("timeline-wrap").getBoundingClientRect();
  play(((event.clientX - box.left) / box.width) * (state?.duration || 0));
});

// ---- transcript (one page at a time: a three-hour session has thousands of turns) -------
async function loadPage(query) {
  page = await getJSON(`/api/utterances?limit=${state.page_size}&${query}`);
  renderPage();
}

function renderPage() {
  const list = $("transcript");
  list.replaceChildren();
  for (const row of page.rows) {
    const select = labelSelect(row.attribution, async (label) => {
      await post("/api/relabel", { scope: "utterance", target: row.key, label });
      status(`turn at ${clock(row.start)} is now ${label}; minutes re-drafted`);
      await load();
    });
    const when = el("button", { class: "when", type: "button", textContent: clock(row.start) });
    when.addEventListener("click", () => play(row.start));
    const who = el("span", { class: "who" }, el("span", { class: "swatch", style: { background: colour(row.attribution) } }),
      select, el("span", { class: "conf", textContent: `${row.speaker} · ${Math.round(row.confidence * 100)}%` }));
    if (row.review) who.append(el("span", { class: "flag", textContent: "check speaker" }));
    const text = el("span", { class: "text", textContent: row.text });
    text.addEventListener("click", () => play(row.start));
    list.append(el("li", { class: (row.review ? "flagged" : "") + (row.corrected ? " corrected" : ""),
      "data-key": row.key, "data-start": row.start, "data-end": row.end }, when, " ", who, text));
  }
  const last = Math.min(page.offset + page.rows.length, page.total);
  $("page-info").textContent = `${page.total ? page.offset + 1 : 0}–${last} of ${page.total}`;
  highlight(player.currentTime);
}

function highlight(seconds) {
  let current = null;
  for (const li of $("transcript").children) {
    const hit = Number(li.dataset.start) <= seconds && seconds < Number(li.dataset.end);
    li.classList.toggle("current", hit);
    if (hit) current = li;
  }
  return current;
}

async function showTranscriptAt(seconds) {
  const rows = page.rows;
  if (!rows.length || seconds < rows[0].start || seconds >= rows[rows.length - 1].end) {
    await loadPage(`at=${seconds}`);
  }
  highlight(seconds)?.scrollIntoView({ block: "nearest" });
}

$("prev").addEventListener("click", () => loadPage(`offset=${Math.max(0, page.offset - state.page_size)}`));
$("next").addEventListener("click", () => {
  if (page.offset + state.page_size < page.total) loadPage(`offset=${page.offset + state.page_size}`);
});
$("next-flagged").addEventListener("click", async () => {
  const data = await getJSON("/api/timeline");
  const now = player.currentTime;
  const next = data.turns.find(([start, , , , flagged]) => flagged && start > now + 0.01);
  if (next) play(next[0]); else status("no flagged turn after this point");
});

player.addEventListener("timeupdate", () => {
  if (state) $("cursor").style.left = `${(100 * player.currentTime) / (state.duration || 1)}%`;
  highlight(player.currentTime);
});

// ---- journal, re-draft, export ---------------------------------------------------------
function renderJournal() {
  const list = $("journal-list");
  list.replaceChildren();
  for (const entry of state.journal) {
    const change = entry.before === null || entry.before === undefined ? JSON.stringify(entry.after)
      : `${JSON.stringify(entry.before)} → ${JSON.stringify(entry.after)}`;
    list.append(el("li", { textContent: `${entry.at} ${entry.author}: ${entry.action} ${entry.target} ${change}` }));
  }
}

$("redraft").addEventListener("click", async () => {
  const result = await post("/api/redraft", {});
  status("re-drafted: " + Object.entries(result.stages).map(([k, v]) => `${k} ${v}`).join(", "));
  await load();
});

$("export").addEventListener("click", async () => {
  const response = await fetch(`/export.docx?author=${encodeURIComponent(author())}`, { credentials: "same-origin" });
  if (!response.ok) { status((await response.json()).error, true); return; }
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: `minutes-${state.meeting_id}-reviewed.docx` });
  document.body.append(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  status("exported (also saved in the run folder)");
});

$("author").addEventListener("change", () => localStorage.setItem("rapporteur-author", $("author").value.trim()));

async function load() {
  state = await getJSON("/api/state");
  if (!$("author").value) $("author").value = localStorage.getItem("rapporteur-author") || state.author || "";
  renderMinutes();
  renderConflicts();
  renderSpeakers();
  renderJournal();
  await renderTimeline();
  await loadPage(`offset=${page.offset}`);
  document.body.dataset.ready = String(Date.now());
  if (!$("status").classList.contains("error") && $("status").textContent === "saving…") status("");
  status(`${state.utterances} turns, ${state.flagged} flagged for review` + (state.conflicts.length ? `, ${state.conflicts.length} conflict(s)` : ""));
}

load().catch((error) => status(error.message, true));

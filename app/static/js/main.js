// The app's screens. Everything the officer signs is built here from the
// definition the log carries, checked (form.js), encoded (record.js),
// signed with the device's key (note.js), queued (outbox.js) and, once
// logged, proved by a receipt verified on the device (receipt.js).

import * as db from "./db.js";
import * as outbox from "./outbox.js";
import * as receipt from "./receipt.js";
import * as qr from "./qr.js";
import { encode, nowUTC } from "./record.js";
import { generateIdentity, importKeyFile, hardenIdentity, signNote, sha256, hex, utf8 } from "./note.js";
import { checkCount, checkDeclaration, checkPostalAccount, checkOrder, checkReason, LABELS } from "./form.js";

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? "" : v);
  }
  e.append(...kids);
  return e;
};
const fmt = (n) => Number(n).toLocaleString("en");

const state = { cfg: null, def: null, id: null, draft: null, mode: "form45", contestData: null, image: null };
let base = "";

// ---- start-up ------------------------------------------------------------

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  showNet();
  addEventListener("online", showNet);
  addEventListener("offline", showNet);
  state.cfg = await loadConfig();
  if (state.cfg) {
    base = state.cfg.server || "";
    $("foot-log").textContent = `Log ${state.cfg.origin} · key ${state.cfg.log_key}`;
    state.def = await loadDefinition();
    outbox.init(state.cfg, renderOutbox);
  }
  state.id = (await db.get("identity")) || null;
  // A key kept as bytes by the fallback library moves into a
  // non-extractable WebCrypto key once the browser can hold one.
  const hard = await hardenIdentity(state.id).catch(() => null);
  if (hard) { state.id = hard; await db.put("identity", hard); }
  wire();
  addEventListener("hashchange", route);
  route();
  document.documentElement.dataset.ready = "1";
}

function showNet() {
  const n = $("net");
  n.textContent = navigator.onLine ? "Online" : "Offline: records wait on this device";
  n.classList.toggle("offline", !navigator.onLine);
}

function banner(msg) {
  $("banner").hidden = !msg;
  $("banner").textContent = msg || "";
}

// loadConfig fetches config.json and pins the log key on first use: a
// later configuration with another log key is refused.
async function loadConfig() {
  const pinned = await db.get("config");
  let fresh = null;
  try {
    const r = await fetch("config.json", { cache: "no-cache" });
    if (r.ok) fresh = await r.json();
  } catch { /* offline: use the pinned configuration */ }
  if (fresh && pinned && (fresh.log_key !== pinned.log_key || fresh.election !== pinned.election)) {
    banner(`The server now names another log key (${fresh.log_key}) than the one this device trusts (${pinned.log_key}). Nothing from it is trusted; ask the commission.`);
    return pinned;
  }
  if (fresh) {
    await db.put("config", fresh);
    return fresh;
  }
  if (!pinned) banner("This device has not loaded the election yet: open the app once with the network on.");
  return pinned;
}

// loadDefinition fetches the definition and checks it against the log: the
// election record (entry 0) must come with a receipt signed by the log key,
// and the definition must hash to its definition-sha256.
async function loadDefinition() {
  const cached = await db.get("definition");
  try {
    const [dr, pr] = await Promise.all([fetch(base + "/api/v1/definition"), fetch(base + "/api/v1/proofs/0")]);
    if (dr.ok && pr.ok) {
      const text = await dr.text();
      const v = await receipt.verify(await pr.text(), state.cfg.log_key, state.cfg.witnesses || []);
      const body = new TextDecoder().decode(v.entry);
      const want = /\ndefinition-sha256 ([0-9a-f]{64})\n/.exec(body);
      const got = hex(await sha256(utf8(text)));
      if (!body.startsWith("tallylog/v1 election\n") || !want || want[1] !== got) {
        banner("The server's election definition does not match the one the log records. Nothing was changed on this device; tell the commission.");
      } else {
        const def = JSON.parse(text);
        if (def.id !== state.cfg.election) throw new Error(`the definition is for ${def.id}, not ${state.cfg.election}`);
        await db.put("definition", { text, checked: new Date().toISOString() });
        return def;
      }
    }
  } catch (e) {
    if (navigator.onLine && !(e instanceof TypeError)) banner("The election definition could not be checked: " + e.message);
  }
  if (cached) return JSON.parse(cached.text);
  return null;
}

// ---- routing -------------------------------------------------------------

function route() {
  const h = location.hash.slice(1) || "home";
  const [name, arg] = h.split("-");
  const screens = { home, enrol, form45: () => countScreen("form45"), copy: () => countScreen("copy"), correct: () => countScreen("correct"),
    agent, review, outbox: renderOutbox, item, check, ro, postal, order };
  const f = screens[name] || home;
  const sid = { form45: "form45", copy: "form45", correct: "form45" }[name] || (screens[name] ? name : "home");
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== "screen-" + sid;
  f(arg);
  const h1 = document.querySelector(`#screen-${sid} h1`);
  if (h1 && name !== "home") { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
  scrollTo(0, 0);
}

function home() {
  const d = state.def;
  $("election-line").textContent = d ? `${d.title} (${d.id}), polling day ${d.polling_day}` : "The election has not been loaded yet.";
  const card = $("identity-card");
  card.replaceChildren();
  if (state.id) {
    card.append(el("p", {}, el("strong", { text: "This device signs as " }), el("code", { text: state.id.name })),
      el("p", { text: `${roleName(state.id.role)} · ${state.id.scope}` }));
    if (state.id.software) card.append(el("p", { class: "diff-warn", text: SOFTWARE_KEY }));
    $("go-enrol").textContent = "Enrolment and public key";
  } else {
    card.append(el("p", { text: "This device has no key yet. Enrol it first." }));
  }
  for (const a of document.querySelectorAll("#menu [class*=role-]")) a.hidden = !state.id || !a.classList.contains("role-" + state.id.role);
  renderCount();
}

// SOFTWARE_KEY is what the officer is told when the browser's WebCrypto
// lacks Ed25519 and the fallback library holds the key.
const SOFTWARE_KEY = "This browser cannot keep a signing key locked (its WebCrypto has no Ed25519), so the key is kept in this device's storage as bytes: it never leaves the device, but anything that can read this browser's storage for this site could copy it. Update the browser if you can; the key is then locked when the app next starts.";

const roleName = (r) => ({ presiding: "Presiding officer", agent: "Polling agent", observer: "Observer", returning: "Returning officer",
  tribunal: "Election tribunal", commission: "Election commission" })[r] || r;

// ---- enrolment -----------------------------------------------------------

function scopesFor(role) {
  const d = state.def;
  if (!d) return [];
  if (role === "presiding") return d.stations.map((s) => s.id);
  if (role === "observer" || role === "tribunal") return ["*", ...d.contests.map((c) => c.id)];
  if (role === "commission") return ["*"];
  return d.contests.map((c) => c.id);
}

function defaultName(role, scope) {
  const s = scope === "*" ? "all" : scope.replaceAll("/", ".");
  return { presiding: "po.", agent: "agent.", observer: "observer.", returning: "ro.", tribunal: "tribunal.", commission: "commission." }[role] + s;
}

function fillScopes() {
  const role = $("enrol-role").value;
  $("enrol-scope").replaceChildren(...scopesFor(role).map((s) => el("option", { value: s, text: s === "*" ? "Every constituency" : s })));
  $("enrol-name").value = defaultName(role, $("enrol-scope").value || "");
}

function enrol() {
  if (!$("enrol-scope").options.length) fillScopes();
  if (state.id) showPublicKey();
}

async function keep(id) {
  const role = $("enrol-role").value, scope = $("enrol-scope").value;
  if (!scope) throw new Error("Station or constituency: choose one (the election must be loaded)");
  state.id = id.seed ? { name: id.name, seed: id.seed, software: true, pub: id.pub, vkey: id.vkey, role, scope }
    : { name: id.name, privateKey: id.privateKey, pub: id.pub, vkey: id.vkey, role, scope };
  await db.put("identity", state.id);
  showPublicKey();
}

function showPublicKey() {
  const id = state.id;
  $("enrol-result").hidden = false;
  $("enrol-vkey").textContent = id.vkey;
  $("enrol-qr").replaceChildren(qr.svg(qr.encode(id.vkey), "QR code of the public key " + id.vkey));
  $("enrol-grant").textContent = `${id.role} ${id.scope} ${id.vkey}`;
  $("enrol-software").hidden = !id.software;
  $("enrol-software").textContent = id.software ? SOFTWARE_KEY : "";
}

// ---- count forms (Form-45 and an agent's copy) ----------------------------

function countScreen(mode) {
  state.mode = mode;
  const form = $("count-form");
  form.classList.toggle("copy-mode", mode === "copy");
  form.classList.toggle("correct-mode", mode === "correct");
  const d = state.def, id = state.id;
  if (!d || !id) { $("count-intro").textContent = "Enrol this device and load the election first."; return; }
  $("h-form45").firstElementChild.textContent = { copy: "My copy of Form-45", correct: "Correction of Form-45" }[mode] || "Form-45";
  $("count-photo-label").firstChild.textContent = { copy: "Photo of my copy (optional) ", correct: "Photo of the new signed Form-45 " }[mode] || "Photo of the signed Form-45 ";
  if (mode === "correct" && id.role !== "presiding" && id.role !== "returning") {
    $("count-intro").textContent = "Only a presiding officer's device (for its station) or the returning officer's (for the constituency's stations) corrects a sheet: enrol this device for one of those roles.";
    $("correct-order-list").replaceChildren();
    setOptions($("count-contest"), [], contestLabel);
  } else if (mode === "correct") {
    $("count-intro").textContent = id.role === "returning"
      ? `Constituency ${id.scope}: a new sheet for a station an order names, replacing its logged one. Pick the order and station, then type the numbers of the new count.`
      : `Station ${id.scope}: a new sheet that replaces the logged one, on a recount or correction order. Type the numbers of the new count.`;
    state.correct = null;
    setOptions($("count-contest"), [], contestLabel);
    $("correct-current").textContent = "";
    loadCorrectOrders();
  } else if (mode === "form45") {
    const st = d.stations.find((s) => s.id === id.scope);
    $("count-intro").textContent = `Station ${id.scope}: the result of the count, as written on the paper form.`;
    setOptions($("count-contest"), st ? st.contests : [], contestLabel);
  } else {
    $("count-intro").textContent = "The numbers on your own copy of the station's Form-45.";
    const stations = $("agent-station").value ? [$("agent-station").value] : stationsForAgent();
    setOptions($("count-station"), stationsForAgent(), (s) => s, stations[0]);
    syncCopyContests();
  }
  renderCountFields();
}

function setOptions(sel, values, label, selected) {
  const keepValue = selected ?? sel.value;
  sel.replaceChildren(...values.map((v) => el("option", { value: v, text: label(v) })));
  if (values.includes(keepValue)) sel.value = keepValue;
}

const contestOf = (id) => state.def.contests.find((c) => c.id === id);
// partyName is a candidate's party as the paper form names it: the
// definition's name for the party, or Independent.
const partyName = (id) => !id ? "Independent" : state.def.parties?.find((p) => p.id === id)?.name || id;
const contestLabel = (id) => { const c = contestOf(id); return c ? `${id} ${c.name}` : id; };

function stationsForAgent() {
  const d = state.def, id = state.id;
  if (!d || !id) return [];
  return d.stations.filter((s) => id.scope === "*" || s.contests.includes(id.scope)).map((s) => s.id);
}

function contestsForAgent(station) {
  const st = state.def.stations.find((s) => s.id === station);
  if (!st) return [];
  return st.contests.filter((c) => state.id.scope === "*" || c === state.id.scope);
}

function syncCopyContests() {
  setOptions($("count-contest"), contestsForAgent($("count-station").value), contestLabel, $("agent-contest").value);
}

// countStation is the station the count form is for: the one picked for a
// copy, the one of the picked order for a correction, else the device's.
const countStation = () => state.mode === "copy" ? $("count-station").value
  : state.mode === "correct" && state.correct ? state.correct.station : state.id.scope;

function renderCountFields() {
  const c = contestOf($("count-contest").value);
  const station = countStation();
  const st = state.def.stations.find((s) => s.id === station);
  const box = $("count-fields");
  box.replaceChildren();
  const num = (id, en, ur, value = "") => {
    const input = el("input", { id, name: id, inputmode: "numeric", autocomplete: "off", value, "aria-describedby": id + "-msg" });
    return [el("label", { for: id }, en + " ", el("span", { lang: "ur", dir: "rtl", text: ur })), input, el("p", { id: id + "-msg", class: "msg" })];
  };
  box.append(...num("f-registered", ...LABELS.registered, st ? String(st.registered) : ""));
  box.append(el("h2", {}, "Votes per candidate ", el("span", { lang: "ur", dir: "rtl", text: "امیدواروں کے ووٹ" })));
  for (const cand of c ? c.candidates : []) {
    const fid = "f-votes-" + cand.id;
    box.append(el("div", { class: "cand" },
      el("label", { for: fid }, `${cand.id}. ${cand.name} (${partyName(cand.party)})`,
        cand.local_name ? el("span", { class: "ur", lang: "ur", dir: "rtl", text: cand.local_name }) : ""),
      el("input", { id: fid, name: fid, inputmode: "numeric", autocomplete: "off", "aria-describedby": fid + "-msg" }),
      el("p", { id: fid + "-msg", class: "msg" })));
  }
  box.append(...num("f-rejected", ...LABELS.rejected), ...num("f-cast", ...LABELS.cast));
  $("count-errors").replaceChildren();
  for (const i of box.querySelectorAll("input")) i.addEventListener("input", () => { i.dataset.touched = "1"; validateCount(false); });
}

function readCount() {
  const c = contestOf($("count-contest").value);
  const fields = { registered: $("f-registered").value, cast: $("f-cast").value, rejected: $("f-rejected").value };
  const votes = (c ? c.candidates : []).map((cand) => ({ candidate: cand.id, label: cand.name, text: $("f-votes-" + cand.id).value }));
  return checkCount(fields, votes);
}

// validateCount shows the messages of the fields typed so far (all of
// them when all is set) and returns the result of the checks.
function validateCount(all) {
  const res = readCount();
  const correct = state.mode === "correct";
  const photoNeeded = (state.mode === "form45" || correct) && !state.image;
  if (photoNeeded) res.errors.push({ field: "photo", message: `${LABELS.photo[0]}: required: take a photo of the signed paper form` });
  let reason = null;
  if (correct) {
    if (!state.correct) res.errors.push({ field: "order", message: "Order: choose the logged order this correction carries out (the returning officer, the commission or a tribunal signs one first)" });
    const r = checkReason("Why the sheet changes", $("correct-reason").value);
    if (r.message) res.errors.push({ field: "reason", message: r.message });
    else reason = r.value;
  }
  const inputOf = (f) => ({ photo: $("count-photo"), reason: $("correct-reason"), order: $("correct-orders") })[f] || $("f-" + f);
  const shown = new Map();
  for (const e of res.errors) {
    const input = inputOf(e.field);
    const typed = input && (input.dataset.touched || all);
    const rel = e.field === "cast" && [...document.querySelectorAll("#count-fields input")].every((i) => i.value !== "");
    if (typed || rel || all) shown.set(e.field, [...(shown.get(e.field) || []), e.message]);
  }
  const extra = correct ? [$("correct-reason")] : [];
  for (const i of [...document.querySelectorAll("#count-fields input"), $("count-photo"), ...extra]) {
    const f = { "count-photo": "photo", "correct-reason": "reason" }[i.id] || i.id.slice(2);
    const msgs = shown.get(f) || [];
    i.setAttribute("aria-invalid", msgs.length ? "true" : "false");
    $(i.id + "-msg").textContent = msgs.join(" ");
  }
  $("correct-orders-msg").textContent = (shown.get("order") || []).join(" ");
  $("count-errors").replaceChildren(...[...shown.values()].flat().map((m) => el("li", { text: m })));
  if (photoNeeded || (correct && (!state.correct || reason === null))) res.values = null;
  else if (correct) res.values.reason = reason;
  return res;
}

async function onPhoto() {
  const f = $("count-photo").files[0];
  $("count-photo").dataset.touched = "1";
  if (!f) { state.image = null; $("count-photo-preview").hidden = true; validateCount(false); return; }
  const bytes = new Uint8Array(await f.arrayBuffer());
  state.image = { bytes, hash: hex(await sha256(bytes)), type: f.type };
  const url = await new Promise((res) => { const r = new FileReader(); r.onload = () => res(r.result); r.readAsDataURL(f); });
  $("count-photo-preview").src = url;
  $("count-photo-preview").hidden = false;
  state.image.url = url;
  validateCount(false);
}

function reviewCount(ev) {
  ev.preventDefault();
  const res = validateCount(true);
  if (!res.values) {
    const first = document.querySelector("#count-form [aria-invalid=true]");
    if (first) first.focus();
    return;
  }
  const v = res.values;
  const own = state.mode !== "copy";
  const station = countStation();
  const contest = $("count-contest").value;
  const rec = own
    ? { type: "sheet", election: state.def.id, contest, station, revision: 1, registered: v.registered, cast: v.cast, rejected: v.rejected, votes: v.votes }
    : { type: "attestation", election: state.def.id, contest, station, kind: "copy", registered: v.registered, cast: v.cast, rejected: v.rejected, votes: v.votes };
  if (state.image) rec.image = state.image.hash;
  rec.captured = nowUTC();
  const c = contestOf(contest);
  const name = (id) => c.candidates.find((k) => k.id === id)?.name || id;
  const rows = [[LABELS.registered[0], v.registered], ...v.votes.map((x) => [name(x.candidate), x.votes]),
    [LABELS.rejected[0], v.rejected], [LABELS.cast[0], v.cast]];
  const warnings = [];
  let label = `${own ? "Form-45" : "Copy of Form-45"} ${station} ${contest}`;
  if (state.mode === "correct") {
    // A correction: the next revision of the logged sheet, naming it and
    // the order it carries out.
    const { order: o, current: cur } = state.correct;
    Object.assign(rec, { revision: cur.revision + 1, supersedes: cur.hash, order: o.hash, reason: v.reason });
    rows.unshift(["Replaces", `revision ${cur.revision} (entry ${cur.index})`], ["On the order", `${o.kind} order of entry ${o.index}, signed by ${o.signer} (${o.role})`],
      ["Why", v.reason]);
    const changes = [];
    for (const x of v.votes) {
      const before = (cur.votes || []).find((y) => y.candidate === x.candidate)?.votes;
      if (before !== x.votes) changes.push(`${name(x.candidate)} ${fmt(before ?? 0)} → ${fmt(x.votes)}`);
    }
    for (const [k, label] of [["rejected", "rejected"], ["cast", "cast"], ["registered", "registered"]]) {
      if (cur[k] !== v[k]) changes.push(`${label} ${fmt(cur[k])} → ${fmt(v[k])}`);
    }
    warnings.push(changes.length ? `Changes from revision ${cur.revision}: ${changes.join("; ")}.` : `The numbers are those of revision ${cur.revision}: nothing changes.`);
    label = `Correction of Form-45 ${station} ${contest}`;
  }
  state.draft = { rec, image: state.image, rows, diffs: [], warnings, label, station, contest };
  location.hash = "#review";
}

// ---- agents and observers --------------------------------------------------

function agent() {
  if (!state.def || !state.id) return;
  setOptions($("agent-station"), stationsForAgent(), (s) => s);
  setOptions($("agent-contest"), contestsForAgent($("agent-station").value), contestLabel);
  loadSheet();
}

async function loadSheet() {
  const box = $("agent-sheet"), station = $("agent-station").value, contest = $("agent-contest").value;
  $("agent-countersign").disabled = true;
  state.sheet = null;
  box.textContent = "Loading the logged sheet…";
  try {
    const r = await fetch(`${base}/api/v1/stations/${station}`);
    if (!r.ok) throw new Error(`${r.status}`);
    const sr = await r.json();
    const sc = sr.contests.find((x) => x.contest === contest);
    if (!sc || !sc.current) { box.textContent = `No sheet of ${station} for ${contest} is logged yet.`; return; }
    const cur = sc.current, c = contestOf(contest);
    state.sheet = cur;
    box.replaceChildren(el("p", { text: `Logged sheet: entry ${cur.index}, revision ${cur.revision}, signed by ${cur.signer}` }),
      el("p", { text: `Cast ${fmt(cur.cast)}, rejected ${fmt(cur.rejected)}; ` + cur.votes.map((x) => `${c.candidates.find((k) => k.id === x.candidate)?.name || x.candidate} ${fmt(x.votes)}`).join(", ") }));
    $("agent-countersign").disabled = false;
  } catch {
    box.textContent = "The logged sheet cannot be loaded now (no network?). You can still enter your own copy; it waits on this device until it can be sent.";
  }
}

function countersign() {
  const cur = state.sheet;
  if (!cur) return;
  const station = $("agent-station").value, contest = $("agent-contest").value;
  const rec = { type: "attestation", election: state.def.id, contest, station, kind: "countersign", sheet: cur.hash, captured: nowUTC() };
  state.draft = { rec, image: null, rows: [["Sheet countersigned", `entry ${cur.index}`], ["Cast", cur.cast], ["Rejected", cur.rejected]], diffs: [],
    label: `Countersignature ${station} ${contest}`, station, contest };
  location.hash = "#review";
}

// ---- review and signing ----------------------------------------------------

function review() {
  const d = state.draft;
  if (!d) { location.hash = "#home"; return; }
  const t = el("table", {}, el("caption", { class: "sr", text: "What will be signed" }),
    el("tbody", {}, ...d.rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { class: "num", text: typeof v === "number" ? fmt(v) : v })))));
  $("review-summary").replaceChildren(el("p", {}, el("strong", { text: d.label })), t);
  const warn = d.warnings || [];
  $("review-diffs").replaceChildren(...(d.diffs.length ? [el("p", { class: "diff-warn", text: "These typed numbers differ from the logged sheets:" }),
    el("ul", { id: "review-diff-list" }, ...d.diffs.map((x) => el("li", { text: x })))] : []),
  ...(warn.length ? [el("p", { class: "diff-warn", text: "Before signing, note:" }), el("ul", { id: "review-warnings" }, ...warn.map((x) => el("li", { text: x })))] : []));
  $("review-body").textContent = encode(d.rec, state.cfg.origin);
  $("review-photo").hidden = !d.image;
  if (d.image) $("review-photo").src = d.image.url;
  $("review-sign").disabled = false;
}

async function sign() {
  const d = state.draft;
  if (!d || !state.id) return;
  $("review-sign").disabled = true;
  const body = encode(d.rec, state.cfg.origin);
  const entry = await signNote(body, state.id);
  await outbox.add({ entry, label: d.label, type: d.rec.type, station: d.station, contest: d.contest,
    image: d.image ? d.image.bytes.buffer : null, imageHash: d.image ? d.image.hash : "" });
  state.draft = null;
  state.image = null;
  state.correct = null;
  $("count-form").reset();
  $("order-form").reset();
  $("postal-form").reset();
  $("count-photo-preview").hidden = true;
  location.hash = "#outbox";
}

// ---- outbox and receipts ---------------------------------------------------

async function renderCount() {
  const all = await db.items();
  const waiting = all.filter((i) => i.status === "waiting").length;
  $("outbox-count").textContent = waiting ? `(${waiting} waiting)` : "";
}

async function renderOutbox() {
  renderCount();
  if ($("screen-outbox").hidden) return;
  const all = (await db.items()).reverse();
  $("outbox-list").replaceChildren(...all.map((it) => {
    const li = el("li", { "data-id": it.id, "data-status": it.status },
      el("span", { class: `status ${it.status}`, text: { waiting: "Waiting", logged: "Logged", refused: "Refused" }[it.status] }), " ",
      el("strong", { text: it.label }));
    if (it.status === "logged") {
      li.append(el("p", { class: "logged-line", text: `Entry ${it.index} in ${it.verified.origin}, counted in ${it.contest}. Receipt verified on this device.` }),
        el("a", { href: `#item-${it.id}`, text: "Receipt" }));
      if (it.imageHash) li.append(el("p", { class: "muted", text: it.imageSent ? "Photo sent." : "Photo waiting to be sent." }));
    } else {
      li.append(el("p", { class: it.status === "refused" ? "error" : "muted", text: it.lastError ? `${it.status === "refused" ? "Refused" : "Not sent yet"}: ${it.lastError}` : "Queued." }));
    }
    return li;
  }));
}

async function item(arg) {
  const box = $("item-status");
  box.dataset.item = "";
  box.replaceChildren(el("p", { text: "Checking the receipt…" }));
  const it = await db.getItem(Number(arg));
  if (!it) { box.replaceChildren(el("p", { text: "No such record on this device." })); return; }
  $("item-entry").textContent = it.entry;
  $("item-receipt").textContent = it.receipt || "No receipt yet.";
  const ofContest = it.type === "declaration" || it.type === "postal-account" || it.type === "order";
  const page = ofContest ? `/contest/${it.contest}` : `/station/${it.station}`;
  $("item-station").href = base + page;
  $("item-station").textContent = ofContest ? "See it on the constituency page" : "See it on the station page";
  if (it.status !== "logged") {
    box.replaceChildren(el("p", { text: it.lastError || "Waiting to be sent." }));
    $("item-export").hidden = true;
    return;
  }
  // Verify again now: the stored receipt must still prove the entry.
  try {
    const v = await receipt.verify(it.receipt, state.cfg.log_key, state.cfg.witnesses || []);
    box.replaceChildren(el("p", { class: "ok", id: "item-ok", text: `Your record is entry ${v.index}, counted in ${it.contest}.` }),
      el("p", { text: `Verified on this device: the log ${v.origin} signed a tree of ${fmt(v.size)} entries that includes it (root ${v.root}).` }),
      el("p", { text: v.cosigners.length ? `Cosigned by the witnesses ${v.cosigners.map((c) => c.name).join(", ")}.` : "No witness cosignature on this checkpoint." }));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error", text: "The stored receipt no longer verifies: " + e.message }));
  }
  box.dataset.item = arg;
  $("item-export").hidden = false;
  $("item-export").href = "data:text/plain;charset=utf-8," + encodeURIComponent(it.receipt);
  $("item-export").download = `${it.label.replace(/[^A-Za-z0-9.-]+/g, "_")}.receipt`;
}

function check() {}

async function runCheck() {
  const out = $("check-result");
  const text = $("check-text").value.replace(/\r\n/g, "\n");
  try {
    const v = await receipt.verify(text, state.cfg.log_key, state.cfg.witnesses || []);
    const body = new TextDecoder().decode(v.entry).split("\n\n")[0];
    out.replaceChildren(el("p", { class: "ok", id: "check-ok", text: `Verified: entry ${v.index} of the log ${v.origin} (tree of ${fmt(v.size)} entries).` }),
      el("p", { text: v.cosigners.length ? `Cosigned by ${v.cosigners.map((c) => c.name).join(", ")}.` : "No witness cosignature." }),
      el("pre", { class: "record", text: body }));
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", id: "check-refused", text: "Refused: " + e.message }));
  }
}

// ---- returning officer -------------------------------------------------------

// loadContest fetches the constituency's logged state (GET
// /api/v1/contests/{id}) and keeps it for use offline. It returns {data,
// at}, the last copy kept when the network fails, or null.
async function loadContest(contest = state.id.scope) {
  const key = "contest:" + contest;
  try {
    const r = await fetch(`${base}/api/v1/contests/${contest}`, { cache: "no-cache" }); // revalidate: a record just logged must show
    if (!r.ok) throw new Error(`${r.status}`);
    const data = await r.json();
    await db.put(key, { data, at: new Date().toISOString() });
  } catch { /* offline: the last copy */ }
  return (await db.get(key)) || null;
}

// accountsOf lists the contest's logged postal-ballot accounts in log
// order; the first is the one the tally counts.
const accountsOf = (data) => data.contest.postal_accounts || [];

async function ro() {
  if (!state.def || !state.id) return;
  // Nothing from an earlier visit stays on screen while the log is asked:
  // numbers typed into a form about to be redrawn would be lost.
  state.contestData = null;
  $("ro-asof").textContent = "Loading the logged sheets…";
  $("ro-stations-summary").textContent = "";
  $("ro-stations").tBodies[0].replaceChildren();
  $("ro-table").tBodies[0].replaceChildren();
  const got = await loadContest();
  if (!got) { $("ro-asof").textContent = "The logged sheets cannot be loaded now; connect and reload."; return; }
  state.contestData = got.data;
  $("ro-asof").textContent = `Constituency ${state.id.scope}: the logged sheets as of ${got.at}.`;
  renderRO();
}

function renderRO() {
  const data = state.contestData, c = data.contest;
  const missing = data.stations.filter((s) => s.status === "missing").map((s) => s.id);
  $("ro-stations-summary").textContent = `${c.stations_in} of ${c.stations} stations in` + (missing.length ? `; missing: ${missing.join(", ")}.` : ".");
  $("ro-stations").tBodies[0].replaceChildren(...data.stations.map((s) => el("tr", { class: "st-" + s.status, "data-station": s.id },
    el("td", {}, el("a", { href: `${base}/station/${s.id}`, text: s.id })), el("td", { text: s.status }), el("td", { class: "num", text: s.status === "missing" ? "—" : fmt(s.cast) }))));
  const tb = $("ro-table").tBodies[0];
  const inp = (id, label, value) => el("input", { id, inputmode: "numeric", autocomplete: "off", value: String(value), "aria-label": label });
  tb.replaceChildren(...c.candidates.map((k) => el("tr", { "data-candidate": k.id },
    el("th", { scope: "row" }, `${k.name}`, k.local_name ? el("span", { class: "ur", lang: "ur", dir: "rtl", text: k.local_name }) : ""),
    el("td", { class: "num sheets", "data-label": "Sheets", text: fmt(k.sheets) }),
    el("td", { class: "f49", "data-label": "Postal" }, inp(`ro-postal-${k.id}`, `Postal ballots for ${k.name}`, k.postal || 0)),
    el("td", { class: "f49", "data-label": "Re-admitted" }, inp(`ro-readmitted-${k.id}`, `Re-admitted ballots for ${k.name}`, k.readmitted || 0)),
    el("td", { "data-label": "Declared" }, inp(`ro-votes-${k.id}`, `Declared votes for ${k.name}`, k.sheets), el("span", { class: "diff" })))),
  el("tr", { "data-candidate": "rejected" }, el("th", { scope: "row", text: "Rejected ballots" }), el("td", { class: "num sheets", "data-label": "Sheets", text: fmt(c.rejected) }),
    el("td", { class: "f49" }), el("td", { class: "f49" }), el("td", { "data-label": "Declared" }, inp("ro-rejected", "Rejected ballots", c.rejected), el("span", { class: "diff" }))));
  for (const i of tb.querySelectorAll("input")) i.addEventListener("input", roDiffs);
  roDiffs();
}

const roForm = () => Number(document.querySelector("#ro-form input[name=form]:checked").value);

// roDiffs compares what is typed with the logged sheets (plus postal and
// re-admitted ballots on Form-49) and marks every difference.
function roDiffs() {
  const data = state.contestData;
  if (!data) return [];
  const form = roForm();
  $("ro-form").classList.toggle("form49", form === 49);
  const c = data.contest, diffs = [];
  const missing = data.stations.filter((s) => s.status === "missing").map((s) => s.id);
  $("ro-missing").textContent = form === 47 ? (missing.length ? `Stations not included (listed as missing): ${missing.join(", ")}` : "Every station is included.")
    : (missing.length ? `Warning: a final result normally includes every station; missing: ${missing.join(", ")}` : "");
  const rows = c.candidates.map((k) => ({ k, typed: $(`ro-votes-${k.id}`).value.trim(), postal: Number($(`ro-postal-${k.id}`).value) || 0, re: Number($(`ro-readmitted-${k.id}`).value) || 0 }));
  for (const { k, typed, postal, re } of rows) {
    const expect = k.sheets + (form === 49 ? postal + re : 0);
    const tr = document.querySelector(`#ro-table tr[data-candidate="${k.id}"]`);
    const n = Number(typed), differs = typed !== "" && n !== expect;
    tr.classList.toggle("differs", differs);
    $(`ro-votes-${k.id}`).classList.toggle("differs", differs);
    tr.querySelector(".diff").textContent = differs ? (n > expect ? "+" : "−") + fmt(Math.abs(n - expect)) : "";
    if (differs) diffs.push(`${k.name}: declared ${fmt(n)}, the logged sheets${form === 49 ? " with postal and re-admitted ballots" : ""} give ${fmt(expect)} (${n > expect ? "+" : "−"}${fmt(Math.abs(n - expect))})`);
  }
  const rj = $("ro-rejected").value.trim(), rtr = document.querySelector(`#ro-table tr[data-candidate="rejected"]`);
  const rdiff = rj !== "" && Number(rj) !== c.rejected;
  rtr.classList.toggle("differs", rdiff);
  rtr.querySelector(".diff").textContent = rdiff ? (Number(rj) > c.rejected ? "+" : "−") + fmt(Math.abs(Number(rj) - c.rejected)) : "";
  if (rdiff) diffs.push(`Rejected ballots: declared ${fmt(Number(rj))}, the logged sheets give ${fmt(c.rejected)}`);
  const pw = postalCheck(form, rows.reduce((s, r) => s + r.postal, 0));
  $("ro-postal-account").replaceChildren(pw.line, ...(pw.warn ? [" ", el("strong", { class: "diff-warn", id: "ro-postal-warn", text: pw.warn })] : []));
  return diffs;
}

// postalCheck sets the postal ballots typed on a Form-49 beside the
// logged postal-ballot account: a line saying both, and a warning when
// the tally will flag the declaration (more than the account issued, or
// postal ballots with no account).
function postalCheck(form, typed) {
  if (form !== 49) return { line: "", warn: "" };
  const c = state.contestData.contest, a = accountsOf(state.contestData)[0];
  if (!a) {
    return { line: `Postal ballots typed: ${fmt(typed)}. No postal-ballot account is logged for ${c.id}.`,
      warn: typed > 0 ? `Postal ballots: ${fmt(typed)} typed with no postal-ballot account logged: the tally will flag this Form-49 (postal ballots unaccounted).` : "" };
  }
  return { line: `Postal ballots typed: ${fmt(typed)}; the logged postal-ballot account (entry ${a.index}) issued ${fmt(a.issued)}.`,
    warn: typed > a.issued ? `Postal ballots: the ${fmt(typed)} typed exceed the ${fmt(a.issued)} issued in the postal-ballot account: the tally will flag this Form-49 as grave.` : "" };
}

function reviewRO(ev) {
  ev.preventDefault();
  const data = state.contestData;
  if (!data) return;
  const form = roForm(), c = data.contest;
  const rows = c.candidates.map((k) => ({ candidate: k.id, label: k.name, votes: $(`ro-votes-${k.id}`).value, postal: $(`ro-postal-${k.id}`).value, readmitted: $(`ro-readmitted-${k.id}`).value }));
  const res = checkDeclaration(form, rows, $("ro-rejected").value);
  $("ro-errors").replaceChildren(...res.errors.map((e) => el("li", { text: e.message })));
  for (const i of document.querySelectorAll("#ro-table input")) i.setAttribute("aria-invalid", res.errors.some((e) => "ro-" + e.field === i.id) ? "true" : "false");
  if (!res.values) return;
  const v = res.values;
  const rec = { type: "declaration", election: state.def.id, contest: c.id, form, votes: v.votes, rejected: v.rejected };
  if (form === 49) { rec.postal = v.postal; rec.readmitted = v.readmitted; }
  else rec.missing = data.stations.filter((s) => s.status === "missing").map((s) => s.id);
  rec.declared = nowUTC();
  const pw = postalCheck(form, (v.postal || []).reduce((s, x) => s + x.votes, 0));
  state.draft = { rec, image: null, diffs: roDiffs(), warnings: pw.warn ? [pw.warn] : [], label: `Form-${form} ${c.id}`, contest: c.id,
    rows: [...v.votes.map((x) => [c.candidates.find((k) => k.id === x.candidate).name, x.votes]), ["Rejected ballots", v.rejected],
      ...(rec.missing && rec.missing.length ? [["Missing stations", rec.missing.join(", ")]] : [])] };
  location.hash = "#review";
}

// postal is the postal-ballot account step: the logged account, if any,
// and a form for the number of postal ballots issued.
async function postal() {
  if (!state.def || !state.id) return;
  state.contestData = null;
  $("postal-asof").textContent = "Loading the constituency's log…";
  $("postal-logged").replaceChildren();
  const got = await loadContest();
  if (!got) { $("postal-asof").textContent = "The constituency's log cannot be loaded now; connect and reload."; return; }
  state.contestData = got.data;
  const c = got.data.contest, accts = accountsOf(got.data), d = state.def;
  $("postal-asof").textContent = `Constituency ${c.id}, ${fmt(c.registered)} registered voters; the log as of ${got.at}.`;
  $("postal-rule").textContent = `A whole number from 0 to ${fmt(c.registered)}, the constituency's registered voters.` +
    (d.polls_close ? ` The log refuses an account signed after the polls close (${d.polls_close} on ${d.polling_day}, ${d.time_zone || "local time"}).` : "");
  const a = accts[0];
  $("postal-logged").replaceChildren(...(a ? [
    el("p", { id: "postal-logged-line", class: "ok", text: `Already logged: entry ${a.index}, ${fmt(a.issued)} postal ballots issued, signed by ${a.signer} at ${a.accounted}.` }),
    el("p", { class: "diff-warn", text: `A second account for ${c.id} is flagged as conflicting; the first one logged is the one counted.` })]
    : [el("p", { id: "postal-logged-line", text: `No postal-ballot account is logged for ${c.id} yet.` })]));
  $("postal-issued-msg").textContent = "";
  $("postal-issued").setAttribute("aria-invalid", "false");
}

function reviewPostal(ev) {
  ev.preventDefault();
  const data = state.contestData;
  if (!data) return;
  const c = data.contest;
  const res = checkPostalAccount($("postal-issued").value, c.registered, c.id);
  $("postal-issued-msg").textContent = res.errors.map((e) => e.message).join(" ");
  $("postal-issued").setAttribute("aria-invalid", res.values ? "false" : "true");
  if (!res.values) { $("postal-issued").focus(); return; }
  const rec = { type: "postal-account", election: state.def.id, contest: c.id, issued: res.values.issued, accounted: nowUTC() };
  const a = accountsOf(data)[0];
  state.draft = { rec, image: null, diffs: [], label: `Postal-ballot account ${c.id}`, contest: c.id,
    warnings: a ? [`A postal-ballot account for ${c.id} is already logged (entry ${a.index}, ${fmt(a.issued)} issued): this second one will be flagged as conflicting, and the first stays the one counted.`] : [],
    rows: [["Constituency", c.id], ["Postal ballots issued", rec.issued], ["Accounted", rec.accounted]] };
  location.hash = "#review";
}

// ---- recount and correction orders -------------------------------------------

// getJSON fetches an API answer, revalidated (a record just logged must show).
async function getJSON(path) {
  const r = await fetch(base + path, { cache: "no-cache" });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

const kindName = (k) => (k === "recount" ? "Recount" : "Correction");

// order is the screen where a returning officer, the commission or a
// tribunal orders a recount or a correction: the contest, its stations
// with a logged sheet, the kind and the reason.
async function order() {
  if (!state.def || !state.id) return;
  if (!["returning", "commission", "tribunal"].includes(state.id.role)) {
    $("order-asof").textContent = "Only a returning officer's, the commission's or a tribunal's key may order a recount or correction: enrol this device for one of those roles.";
    setOptions($("order-contest"), [], contestLabel);
    $("order-station-list").replaceChildren();
    state.orderData = null;
    return;
  }
  const contests = state.id.scope === "*" ? state.def.contests.map((c) => c.id) : [state.id.scope];
  setOptions($("order-contest"), contests, contestLabel);
  await loadOrderContest();
}

async function loadOrderContest() {
  const contest = $("order-contest").value;
  state.orderData = null;
  for (const m of ["order-stations-msg", "order-reason-msg"]) $(m).textContent = "";
  $("order-reason").setAttribute("aria-invalid", "false");
  if (!contest) return;
  const got = await loadContest(contest);
  if (!got) {
    $("order-asof").textContent = "The constituency's log cannot be loaded now; connect and reload.";
    $("order-station-list").replaceChildren();
    return;
  }
  state.orderData = got.data;
  $("order-asof").textContent = `Constituency ${contest}: the log as of ${got.at}. Only stations whose sheet is logged can be named.`;
  $("order-station-list").replaceChildren(...got.data.stations.map((s) => {
    const cid = "order-st-" + s.id.replace(/[^A-Za-z0-9-]/g, "-");
    const logged = s.status !== "missing";
    return el("div", { class: "choice" }, el("input", { type: "checkbox", id: cid, value: s.id, disabled: !logged }),
      el("label", { for: cid, text: logged ? `${s.id}: sheet revision ${s.revision}, entry ${s.index}, cast ${fmt(s.cast)}` : `${s.id}: no sheet logged` }));
  }));
  const orders = got.data.orders || [];
  $("order-logged").replaceChildren(...(orders.length ? orders.map((o) => el("li", { "data-hash": o.hash },
    el("strong", { text: `${kindName(o.kind)}, entry ${o.index}` }), `: ${o.stations.join(", ")}; signed by ${o.signer} (${o.role}) at ${o.ordered}: “${o.reason}”`))
    : [el("li", { text: "None yet." })]));
}

// orderCheck checks the order form and shows each field's message.
function orderCheck() {
  const stations = [...document.querySelectorAll("#order-station-list input:checked")].map((i) => i.value);
  const res = checkOrder(stations, $("order-reason").value);
  const msgs = (f) => res.errors.filter((e) => e.field === f).map((e) => e.message).join(" ");
  $("order-stations-msg").textContent = msgs("stations");
  $("order-reason-msg").textContent = msgs("reason");
  $("order-reason").setAttribute("aria-invalid", msgs("reason") ? "true" : "false");
  return { res, stations, msgs };
}

function reviewOrder(ev) {
  ev.preventDefault();
  const data = state.orderData;
  if (!data) return;
  const contest = data.contest.id;
  const kind = document.querySelector("#order-form input[name=order-kind]:checked").value;
  const { res, stations, msgs } = orderCheck();
  if (!res.values) {
    (msgs("stations") ? document.querySelector("#order-station-list input:not([disabled])") : $("order-reason"))?.focus();
    return;
  }
  const rec = { type: "order", election: state.def.id, contest, kind, stations: res.values.stations, reason: res.values.reason, ordered: nowUTC() };
  const pending = (data.orders || []).filter((o) => o.stations.some((s) => stations.includes(s)));
  state.draft = { rec, image: null, diffs: [], label: `${kindName(kind)} order ${contest}`, contest,
    warnings: pending.length ? [`Orders already logged name some of these stations (entries ${pending.map((o) => o.index).join(", ")}): each order lets a station's sheet be replaced once; a second order allows a second change.`] : [],
    rows: [["Constituency", contest], ["Kind", kind === "recount" ? "Recount: count the ballots again" : "Correction of a transcription error"],
      ["Stations", stations.join(", ")], ["Reason", rec.reason], ["Ordered", rec.ordered]] };
  location.hash = "#review";
}

// loadCorrectOrders finds the (order, station) pairs that let a sheet be
// replaced from this device: for a presiding officer, the orders logged for
// a contest of its station that name it; for a returning officer, each
// station that an order of the constituency names. Only those not yet
// carried out there (the station's history names the orders its sheets
// carried out), with a logged sheet to replace. Each is proved on this
// device: its receipt, verified with the log key, must carry an order
// record with that hash, contest and station. The server's list is only
// where to look.
async function loadCorrectOrders() {
  const ro = state.id.role === "returning", box = $("correct-order-list");
  const where = ro ? `the stations of ${state.id.scope}` : state.id.scope;
  state.correctOrders = [];
  box.replaceChildren(el("p", { text: `Looking for orders logged for ${where}…` }));
  const found = [], stations = new Map();
  const stationContest = async (station, contest) => {
    if (!stations.has(station)) stations.set(station, await getJSON(`/api/v1/stations/${station}`));
    return stations.get(station).contests.find((sc) => sc.contest === contest && sc.current);
  };
  try {
    const pairs = [];
    if (ro) {
      for (const o of (await getJSON(`/api/v1/contests/${state.id.scope}`)).orders || []) {
        for (const station of o.stations) pairs.push([o, state.id.scope, station]);
      }
    } else {
      stations.set(state.id.scope, await getJSON(`/api/v1/stations/${state.id.scope}`));
      for (const sc of stations.get(state.id.scope).contests) {
        for (const o of (await getJSON(`/api/v1/contests/${sc.contest}`)).orders || []) {
          if (o.stations.includes(state.id.scope)) pairs.push([o, sc.contest, state.id.scope]);
        }
      }
    }
    for (const [o, contest, station] of pairs) {
      const sc = await stationContest(station, contest);
      const done = new Set(((sc && sc.history) || []).filter((v) => v.order).map((v) => v.order.hash));
      if (sc && !done.has(o.hash)) found.push({ order: o, contest, station, current: sc.current });
    }
    for (const f of found) f.problem = await checkOrderEntry(f.order, f.contest, f.station);
  } catch {
    box.replaceChildren(el("p", { text: "The orders cannot be loaded now (no network?). A correction needs a logged order: connect and open this screen again." }));
    return;
  }
  if (!found.length) {
    box.replaceChildren(el("p", { id: "correct-none", text: `No order waiting for ${where}: a sheet is replaced only on an order signed by the returning officer, the commission or a tribunal.` }));
    return;
  }
  state.correctOrders = found;
  box.replaceChildren(...found.map((f, i) => {
    const o = f.order, id = "correct-order-" + i;
    return el("div", { class: "choice" }, el("input", { type: "radio", name: "correct-order", id, value: String(i), disabled: !!f.problem }),
      el("label", { for: id }, el("strong", { text: `${kindName(o.kind)} order, entry ${o.index}, ${f.contest}${ro ? ", station " + f.station : ""}` }),
        `: signed by ${o.signer} (${o.role}) at ${o.ordered}: “${o.reason}”. `,
        f.problem ? el("span", { class: "error", text: "Not usable: " + f.problem }) : el("span", { class: "ok", text: "Verified on this device." })));
  }));
  for (const r of box.querySelectorAll("input[name=correct-order]")) r.addEventListener("change", pickOrder);
}

// checkOrderEntry proves an order from the server's list with its receipt;
// it returns what is wrong, or "".
async function checkOrderEntry(o, contest, station) {
  try {
    const r = await fetch(`${base}/api/v1/proofs/${o.index}`);
    if (!r.ok) return `its receipt cannot be fetched (${r.status})`;
    const v = await receipt.verify(await r.text(), state.cfg.log_key, state.cfg.witnesses || []);
    const body = new TextDecoder().decode(v.entry);
    if (hex(await sha256(v.entry)) !== o.hash) return `entry ${o.index} is not the order ${o.hash.slice(0, 12)}`;
    if (!body.startsWith("tallylog/v1 order\n") || !body.includes(`\ncontest ${contest}\n`) || !body.includes(`\nstation ${station}\n`)) {
      return `entry ${o.index} is not an order of ${contest} naming ${station}`;
    }
    return "";
  } catch (e) {
    return "its receipt does not verify: " + e.message;
  }
}

function pickOrder() {
  const f = state.correctOrders[Number(document.querySelector("#correct-order-list input:checked").value)];
  state.correct = f;
  $("correct-orders").dataset.touched = "1";
  setOptions($("count-contest"), [f.contest], contestLabel);
  renderCountFields();
  const cur = f.current, c = contestOf(f.contest);
  $("correct-current").textContent = `It replaces revision ${cur.revision} (entry ${cur.index}), signed by ${cur.signer}: cast ${fmt(cur.cast)}, rejected ${fmt(cur.rejected)}; ` +
    (cur.votes || []).map((x) => `${c.candidates.find((k) => k.id === x.candidate)?.name || x.candidate} ${fmt(x.votes)}`).join(", ") + ".";
  validateCount(false);
}

// ---- wiring ------------------------------------------------------------------

function wire() {
  $("enrol-role").addEventListener("change", fillScopes);
  $("enrol-scope").addEventListener("change", () => { $("enrol-name").value = defaultName($("enrol-role").value, $("enrol-scope").value); });
  $("enrol-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("enrol-error").textContent = "";
    try { await keep(await generateIdentity($("enrol-name").value.trim())); } catch (e) {
      $("enrol-error").textContent = e.name === "NotSupportedError"
        ? "This browser cannot sign with Ed25519 keys (WebCrypto): use a current Chrome, Edge, Firefox or Safari."
        : e.message;
    }
  });
  $("enrol-file").addEventListener("change", async () => {
    $("enrol-error").textContent = "";
    const f = $("enrol-file").files[0];
    if (!f) return;
    try {
      const id = await importKeyFile(await f.text());
      $("enrol-name").value = id.name;
      await keep(id);
    } catch (e) { $("enrol-error").textContent = e.message; }
    $("enrol-file").value = "";
  });
  $("count-contest").addEventListener("change", renderCountFields);
  $("count-station").addEventListener("change", () => { syncCopyContests(); renderCountFields(); });
  $("count-photo").addEventListener("change", onPhoto);
  $("count-form").addEventListener("submit", reviewCount);
  $("agent-station").addEventListener("change", () => { setOptions($("agent-contest"), contestsForAgent($("agent-station").value), contestLabel); loadSheet(); });
  $("agent-contest").addEventListener("change", loadSheet);
  $("agent-countersign").addEventListener("click", countersign);
  $("review-sign").addEventListener("click", sign);
  $("review-back").addEventListener("click", () => history.back());
  $("outbox-send").addEventListener("click", () => outbox.flush());
  $("check-file").addEventListener("change", async () => { const f = $("check-file").files[0]; if (f) $("check-text").value = await f.text(); });
  $("check-go").addEventListener("click", runCheck);
  $("ro-refresh").addEventListener("click", ro);
  $("ro-form").addEventListener("submit", reviewRO);
  $("postal-form").addEventListener("submit", reviewPostal);
  $("order-contest").addEventListener("change", loadOrderContest);
  $("order-form").addEventListener("submit", reviewOrder);
  // Messages shown go away as the fields are put right.
  $("order-form").addEventListener("input", () => { if ($("order-stations-msg").textContent || $("order-reason-msg").textContent) orderCheck(); });
  $("correct-reason").addEventListener("input", () => { $("correct-reason").dataset.touched = "1"; validateCount(false); });
  for (const r of document.querySelectorAll("#ro-form input[name=form]")) r.addEventListener("change", roDiffs);
}

start();

// Store and forward: signed records wait in IndexedDB with their photos and
// are sent, byte for byte, until the log answers with a receipt this device
// has verified. The same bytes always get the same entry, so retrying is
// safe. Refusals (4xx) stop the retries and say why.

import * as db from "./db.js";
import * as receipt from "./receipt.js";
import { hex, sha256, utf8 } from "./note.js";

let cfg = null, base = "", onChange = () => {};
let running = null, again = false, timer = null, delay = 1000;

export function init(config, changed) {
  cfg = config;
  base = config.server || "";
  onChange = changed;
  addEventListener("online", () => { delay = 1000; flush(); });
  flush();
}

// add queues a signed record (entry text) and its photo bytes.
export async function add(item) {
  item.status = "waiting";
  item.attempts = 0;
  item.created = new Date().toISOString();
  item.hash = hex(await sha256(utf8(item.entry)));
  const id = await db.addItem(item);
  onChange();
  flush();
  return id;
}

// flush sends everything that waits; it runs one pass at a time (a call
// during a pass runs another right after it) and schedules the next pass,
// backing off from 1 s to 30 s, while anything still waits.
export function flush() {
  if (running) {
    again = true; // something changed during this pass: run another after it
    return running;
  }
  running = pass().finally(() => {
    running = null;
    if (again) { again = false; flush(); }
  });
  return running;
}

async function pass() {
  clearTimeout(timer);
  let waiting = false;
  for (const it of await db.items()) {
    if (it.status === "refused") continue;
    if (it.status === "logged" && (!it.imageHash || it.imageSent)) continue;
    try {
      if (it.status === "waiting") await send(it);
      if (it.status === "logged" && it.imageHash && !it.imageSent) await upload(it);
    } catch (e) {
      it.lastError = e.message;
    }
    it.attempts++;
    await db.putItem(it);
    onChange();
    if (it.status === "waiting" || (it.status === "logged" && it.imageHash && !it.imageSent)) waiting = true;
  }
  if (waiting) {
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 30000);
  } else {
    delay = 1000;
  }
}

async function send(it) {
  let resp;
  try {
    resp = await fetch(base + "/api/v1/records", { method: "POST", body: it.entry, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  } catch {
    throw new Error("no network, or the server cannot be reached: the record waits here and is sent again automatically");
  }
  const text = await resp.text();
  if (resp.status === 200) {
    let v;
    try {
      v = await receipt.verify(text, cfg.log_key, cfg.witnesses || []);
    } catch (e) {
      throw new Error(`the server's receipt was refused: ${e.message}; sending again`);
    }
    if (new TextDecoder().decode(v.entry) !== it.entry) throw new Error("the server's receipt is for another record; sending again");
    it.status = "logged";
    it.receipt = text;
    it.index = v.index;
    it.verified = { size: v.size, root: v.root, origin: v.origin, cosigners: v.cosigners, at: new Date().toISOString() };
    it.lastError = "";
    return;
  }
  let why = `${resp.status} ${resp.statusText}`;
  try { const j = JSON.parse(text); why = j.error || `${j.field}: ${j.rule}`; } catch { /* keep the status */ }
  if (resp.status >= 500 || resp.status === 429) throw new Error(`the server could not log it yet (${why}); sending the same record again`);
  it.status = "refused";
  it.lastError = why;
}

async function upload(it) {
  let resp;
  try {
    resp = await fetch(`${base}/api/v1/images/${it.imageHash}`, { method: "PUT", body: it.image });
  } catch {
    throw new Error("the photo waits for the network");
  }
  if (resp.status === 204) {
    it.imageSent = true;
    it.lastError = "";
    return;
  }
  throw new Error(`the photo was not accepted yet (${resp.status}): ${(await resp.text()).trim()}`);
}

// The checks a count form makes as the numbers are typed. Each message
// names the field and the rule, so the person knows what to fix; a form
// with any message signs nothing.

import { parseCount } from "./record.js";

export const LABELS = {
  registered: ["Registered voters", "رجسٹرڈ ووٹرز"],
  cast: ["Ballots cast", "ڈالے گئے ووٹ"],
  rejected: ["Rejected ballots", "مسترد شدہ ووٹ"],
  photo: ["Photo of the signed Form-45", "دستخط شدہ فارم 45 کی تصویر"],
};

const fmt = (n) => n.toLocaleString("en");

// checkCount checks the typed numbers of a station's count: fields is
// {registered, cast, rejected} (typed text) and votes [{candidate, label,
// text}]. It returns {errors: [{field, message}], values} where field is
// "registered", "cast", "rejected" or "votes-<candidate>", and values holds
// the numbers when there is no error.
export function checkCount(fields, votes) {
  const errors = [];
  const n = {};
  for (const f of ["registered", "cast", "rejected"]) {
    const r = parseCount(fields[f]);
    if (r.rule) errors.push({ field: f, message: `${LABELS[f][0]}: ${r.rule}` });
    else n[f] = r.n;
  }
  const counts = [];
  let sum = 0, allVotes = true;
  for (const v of votes) {
    const r = parseCount(v.text);
    if (r.rule) { errors.push({ field: `votes-${v.candidate}`, message: `Votes for ${v.label}: ${r.rule}` }); allVotes = false; continue; }
    counts.push({ candidate: v.candidate, votes: r.n });
    sum += r.n;
  }
  if (allVotes && n.rejected !== undefined && n.cast !== undefined && sum + n.rejected !== n.cast) {
    errors.push({ field: "cast", message: `${LABELS.cast[0]}: votes for the candidates (${fmt(sum)}) plus rejected ballots (${fmt(n.rejected)}) make ${fmt(sum + n.rejected)}, not ${fmt(n.cast)}: votes + rejected must equal ballots cast` });
  }
  if (n.cast !== undefined && n.registered !== undefined && n.cast > n.registered) {
    errors.push({ field: "cast", message: `${LABELS.cast[0]}: ${fmt(n.cast)} is more than the ${fmt(n.registered)} registered voters: ballots cast must not exceed registered voters` });
  }
  return { errors, values: errors.length ? null : { ...n, votes: counts } };
}

// checkDeclaration checks a returning officer's typed totals: rows are
// [{candidate, label, votes, postal?, readmitted?}] of typed text. It
// returns {errors, values: {votes, postal, readmitted, rejected}}.
export function checkDeclaration(form, rows, rejectedText) {
  const errors = [];
  const out = { votes: [], postal: [], readmitted: [] };
  const cols = form === 49 ? ["votes", "postal", "readmitted"] : ["votes"];
  const names = { votes: "Declared votes", postal: "Postal ballots", readmitted: "Re-admitted ballots" };
  for (const row of rows) {
    for (const c of cols) {
      const r = parseCount(row[c]);
      if (r.rule) errors.push({ field: `${c}-${row.candidate}`, message: `${names[c]} for ${row.label}: ${r.rule}` });
      else out[c].push({ candidate: row.candidate, votes: r.n });
    }
  }
  const r = parseCount(rejectedText);
  if (r.rule) errors.push({ field: "rejected", message: `Rejected ballots: ${r.rule}` });
  else out.rejected = r.n;
  if (form === 49) {
    for (const row of rows) {
      const v = out.votes.find((x) => x.candidate === row.candidate), p = out.postal.find((x) => x.candidate === row.candidate);
      if (v && p && p.votes > v.votes) errors.push({ field: `postal-${row.candidate}`, message: `Postal ballots for ${row.label}: ${fmt(p.votes)} is more than the ${fmt(v.votes)} declared votes, which include them` });
    }
  }
  return { errors, values: errors.length ? null : out };
}

// checkPostalAccount checks a returning officer's typed number of postal
// ballots issued for a contest of `registered` voters: a count, at most
// the contest's registered voters (postal voters are on its roll). It
// returns {errors, values: {issued}}.
export function checkPostalAccount(text, registered, contest) {
  const name = "Postal ballots issued";
  const r = parseCount(text);
  if (r.rule) return { errors: [{ field: "issued", message: `${name}: ${r.rule}` }], values: null };
  if (r.n > registered) {
    return { errors: [{ field: "issued", message: `${name}: ${fmt(r.n)} is more than the ${fmt(registered)} registered voters of ${contest}: postal ballots issued must not exceed the contest's registered voters` }], values: null };
  }
  return { errors: [], values: { issued: r.n } };
}

// checkReason checks a typed reason as records carry text (docs/spec.md):
// required, one line of at most 200 bytes, no control or bidirectional
// control characters, no double spaces. Spaces at either end are dropped.
// It returns {message} naming the field and the rule, or {value}.
export function checkReason(label, text) {
  const s = String(text ?? "").trim();
  if (s === "") return { message: `${label}: is required: say in a line why` };
  if (/[\p{Cc}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u.test(s)) {
    return { message: `${label}: must be one line of plain text, without control or text-direction characters` };
  }
  if (s.includes("  ")) return { message: `${label}: must not hold two spaces together` };
  const n = new TextEncoder().encode(s).length;
  if (n > 200) return { message: `${label}: is ${n} bytes long, more than the 200 a record holds: shorten it` };
  return { value: s };
}

// MAX_ORDER_STATIONS is the most stations one order names (record.MaxOrderStations).
export const MAX_ORDER_STATIONS = 1000;

// checkOrder checks a recount or correction order as typed: the stations
// chosen (each must have a sheet logged: the caller offers only those) and
// the reason. It returns {errors: [{field, message}], values: {stations,
// reason}}.
export function checkOrder(stations, reasonText) {
  const errors = [];
  if (stations.length === 0) errors.push({ field: "stations", message: "Stations: choose at least one station whose sheet is logged: an order names 1 or more stations" });
  if (stations.length > MAX_ORDER_STATIONS) {
    errors.push({ field: "stations", message: `Stations: ${fmt(stations.length)} chosen, more than the ${fmt(MAX_ORDER_STATIONS)} one order may name: split it into several orders` });
  }
  const r = checkReason("Reason", reasonText);
  if (r.message) errors.push({ field: "reason", message: r.message });
  return { errors, values: errors.length ? null : { stations, reason: r.value } };
}

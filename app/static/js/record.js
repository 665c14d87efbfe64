// Record bodies, encoded exactly as docs/spec.md and Go's record.Encode do.
//
// Each record type is a table of fields in the order the spec lists them;
// encode() walks the table. The table mirrors record/types.go: when a field
// is added there, add it here, and the known-answer test (web/app_test.go,
// reading record/testdata/vectors) fails until the two agree.

// LOG_LINE controls the `log <origin>` line that binds a record to its log:
// when true, every body except the election record's carries it right after
// the `election` line. It follows record.Encode; flip it together with the
// vectors in record/testdata/vectors.
export const LOG_LINE = true;

export const VERSION = "tallylog/v1";
export const MAX_COUNT = 1000000000;

// Field kinds: "str" required text, "int" required count, "opt" optional
// text (omitted when empty), "counts" repeated `key candidate votes` lines,
// "list" repeated `key value` lines, "grants" the keys record's grants.
// `json` is the field's name in the JSON a device writes (record/types.go);
// `when` limits a field to some records (the attestation's two kinds).
const F = (key, kind, json = key.replaceAll("-", "_"), when = null) => ({ key, kind, json, when });
const isCountersign = (r) => r.kind === "countersign";
const isCopy = (r) => r.kind !== "countersign";

export const TYPES = {
  election: { noLog: true, fields: [F("origin", "str"), F("commission", "str"), F("definition-sha256", "str"),
    F("definition-parts", "int"), F("created", "str")] },
  definition: { fields: [F("part", "int"), F("data", "str")] },
  keys: { fields: [F("grant", "grants", "grants"), F("revoke", "list")] },
  sheet: { fields: [F("contest", "str"), F("station", "str"), F("revision", "int"), F("registered", "int"),
    F("cast", "int"), F("rejected", "int"), F("votes", "counts"), F("image", "opt"), F("captured", "str"),
    F("supersedes", "opt"), F("order", "opt"), F("reason", "opt")] },
  order: { fields: [F("contest", "str"), F("kind", "str"), F("station", "list", "stations"), F("reason", "str"), F("ordered", "str")] },
  declaration: { fields: [F("contest", "str"), F("form", "int"), F("votes", "counts"), F("rejected", "int"),
    F("postal", "counts"), F("readmitted", "counts"), F("missing", "list"), F("declared", "str"), F("supersedes", "opt")] },
  attestation: { fields: [F("contest", "str"), F("station", "str"), F("kind", "str"),
    F("sheet", "str", "sheet", isCountersign),
    F("registered", "int", "registered", isCopy), F("cast", "int", "cast", isCopy), F("rejected", "int", "rejected", isCopy),
    F("votes", "counts", "votes", isCopy), F("image", "opt", "image", isCopy), F("captured", "str")] },
  affiliation: { fields: [F("contest", "str"), F("candidate", "str"), F("party", "str"), F("joined", "str")] },
  gazette: { fields: [F("assembly", "str"), F("notified", "str")] },
  "postal-account": { fields: [F("contest", "str"), F("issued", "int"), F("accounted", "str")] },
};

// encode returns a record's canonical body as a string. rec is the JSON
// form ({type, election, ...}); origin is the log's origin, written as the
// `log` line when LOG_LINE is set (rec.log, if present, wins). It does not
// check values: call check() first for anything typed by a person.
export function encode(rec, origin = "") {
  const t = TYPES[rec.type];
  if (!t) throw new Error(`type: unknown record type ${JSON.stringify(rec.type)}`);
  const out = [];
  const line = (k, v) => out.push(`${k} ${v}\n`);
  line(VERSION, rec.type);
  line("election", rec.election);
  if (LOG_LINE && !t.noLog) line("log", rec.log || origin);
  for (const f of t.fields) {
    if (f.when && !f.when(rec)) continue;
    const v = rec[f.json];
    switch (f.kind) {
      case "str": line(f.key, v); break;
      case "int": line(f.key, String(v ?? 0)); break;
      case "opt": if (v) line(f.key, v); break;
      case "counts": for (const c of v || []) line(f.key, `${c.candidate} ${c.votes}`); break;
      case "list": for (const s of v || []) line(f.key, s); break;
      case "grants": for (const g of v || []) line(f.key, `${g.role} ${g.scope} ${g.key}`); break;
    }
  }
  return out.join("");
}

// Value rules of docs/spec.md, for checking what a person typed.
const ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
export const isID = (s) => typeof s === "string" && ID.test(s);
export const isHash = (s) => typeof s === "string" && /^[0-9a-f]{64}$/.test(s);
export const isTime = (s) => typeof s === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(s) &&
  new Date(s).toISOString().replace(".000Z", "Z") === s;

// parseCount reads a typed count: a decimal whole number from 0 to
// MAX_COUNT, no sign, no leading zeros. It returns the number or an error
// rule (a sentence without the field's name).
export function parseCount(text) {
  const s = String(text ?? "").trim();
  if (s === "") return { rule: "is required: type the number written on the form" };
  if (!/^(0|[1-9][0-9]*)$/.test(s)) return { rule: `"${s}" is not a count: type a whole number without sign, spaces or leading zeros` };
  const n = Number(s);
  if (n > MAX_COUNT) return { rule: `${s} is over the largest count, ${MAX_COUNT.toLocaleString("en")}` };
  return { n };
}

// nowUTC is the current time as records carry it (UTC, whole seconds).
export const nowUTC = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 in WebCrypto:
// key names, key hashes, verifier key text, signing a record body, and
// checking a note's signatures against known keys.
//
// The private key is a WebCrypto CryptoKey made non-extractable: it signs,
// and nothing can read it out, not even this code. Where the browser's
// WebCrypto lacks Ed25519 (Chrome before 137, Firefox before 129, Safari
// before 17), the ed25519 module of the vendored, audited @noble/curves
// (js/vendor/, loaded only then) signs and verifies instead, and the identity holds the key's 32-byte seed
// (`seed`, `software: true`): it still never leaves the device, but it is
// kept in the device's storage as bytes that script on this origin could
// read. Ed25519 is deterministic: both give the same signatures.

const te = new TextEncoder();
const td = new TextDecoder("utf-8", { fatal: true });
export const utf8 = (s) => te.encode(s);
export const fromUTF8 = (b) => td.decode(b);

export function b64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

// unb64 decodes strict, canonical standard base64, or returns null.
export function unb64(s) {
  if (typeof s !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  let bin;
  try { bin = atob(s); } catch { return null; }
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return b64(out) === s ? out : null;
}

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
};
export const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

export const ALG_ED25519 = 0x01;
export const ALG_COSIGNATURE = 0x04;

// keyHash is the first four bytes of SHA-256(name || "\n" || type || key).
export async function keyHash(name, typedKey) {
  return (await sha256(concat(utf8(name + "\n"), typedKey))).slice(0, 4);
}

// validKeyName: non-empty, no spaces, no "+", as note.GenerateKey requires.
export const validKeyName = (name) => typeof name === "string" && name !== "" && !/[\s+]/.test(name) && !/[\x00-\x1f]/.test(name);

// verifierKey returns the note verifier key text name+hash+base64(0x01||pub).
export async function verifierKey(name, pub) {
  const typed = concat([ALG_ED25519], pub);
  return `${name}+${hex(await keyHash(name, typed))}+${b64(typed)}`;
}

// parseVerifierKey parses name+hash+base64(type||key) and checks the hash.
// It returns {name, hash (4 bytes), alg, pub} or throws naming the rule.
export async function parseVerifierKey(vkey) {
  const parts = splitPlus(String(vkey).trim(), 3);
  if (!parts || !validKeyName(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1])) {
    throw new Error(`key ${JSON.stringify(vkey)}: not a verifier key of the form name+hash+base64key`);
  }
  const typed = unb64(parts[2]);
  if (!typed || typed.length !== 33 || (typed[0] !== ALG_ED25519 && typed[0] !== ALG_COSIGNATURE)) {
    throw new Error(`key ${parts[0]}: the key is not an Ed25519 (0x01) or cosignature/v1 (0x04) public key`);
  }
  const h = await keyHash(parts[0], typed);
  if (hex(h) !== parts[1]) throw new Error(`key ${parts[0]}: the key hash does not match the key (a typo?)`);
  return { name: parts[0], hash: h, alg: typed[0], pub: typed.slice(1) };
}

// splitPlus cuts s at its first n-1 "+" signs (base64 keys hold "+" too),
// or returns null.
function splitPlus(s, n) {
  const out = [];
  for (let i = 0; i < n - 1; i++) {
    const j = s.indexOf("+");
    if (j < 0) return null;
    out.push(s.slice(0, j));
    s = s.slice(j + 1);
  }
  out.push(s);
  return out;
}

// webCryptoEd25519 reports whether this browser's WebCrypto has Ed25519
// (decided once, by making a key).
let webEd = null;
export function webCryptoEd25519() {
  webEd ||= crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]).then(() => true, () => false);
  return webEd;
}

// noble loads the vendored @noble/curves ed25519 module, once, when it is
// needed. Its imports of "@noble/hashes/..." are resolved by index.html's
// import map to the vendored @noble/hashes.
let nobleMod = null;
const noble = () => (nobleMod ||= import("./vendor/noble-curves/ed25519.js").then((m) => m.ed25519, (e) => {
  nobleMod = null;
  throw new Error(`Ed25519: this browser has none in WebCrypto, and the app's own Ed25519 library did not load (${e.message}): use a current Chrome, Edge, Firefox or Safari`);
}));

// backend names what signs and verifies here: "webcrypto" or "noble".
export const backend = async () => ((await webCryptoEd25519()) ? "webcrypto" : "noble");

// softwareIdentity makes an identity from a seed with the fallback library.
async function softwareIdentity(name, seed) {
  const pub = (await noble()).getPublicKey(seed);
  return { name, seed, pub, vkey: await verifierKey(name, pub), software: true };
}

const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

// generateIdentity makes a new Ed25519 key on this device. The private key
// is not extractable, except with the fallback library (software: true).
export async function generateIdentity(name) {
  if (!validKeyName(name)) throw new Error("key name: must be non-empty, without spaces or '+'");
  if (!(await webCryptoEd25519())) return softwareIdentity(name, crypto.getRandomValues(new Uint8Array(32)));
  const kp = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const pub = new Uint8Array(await crypto.subtle.exportKey("raw", kp.publicKey));
  return { name, privateKey: kp.privateKey, pub, vkey: await verifierKey(name, pub) };
}

// importKeyFile reads a private key file as tallylog keygen writes it
// (PRIVATE+KEY+name+hash+base64(0x01||seed)) into a non-extractable key.
// The seed is held only while importing.
export async function importKeyFile(text) {
  const line = String(text).split("\n")[0].trim();
  const p = splitPlus(line, 5);
  if (!p || p[0] !== "PRIVATE" || p[1] !== "KEY" || !validKeyName(p[2]) || !/^[0-9a-f]{8}$/.test(p[3])) {
    throw new Error("key file: not a tallylog private key (the first line must be PRIVATE+KEY+name+hash+key, from tallylog keygen)");
  }
  const typed = unb64(p[4]);
  if (!typed || typed.length !== 33 || typed[0] !== ALG_ED25519) throw new Error("key file: the key is not an Ed25519 private key");
  if (!(await webCryptoEd25519())) {
    const id = await softwareIdentity(p[2], typed.slice(1));
    typed.fill(0);
    if (id.vkey.split("+")[1] !== p[3]) throw new Error("key file: the key hash does not match the key (the file is damaged)");
    return id;
  }
  const pkcs8 = concat(PKCS8_ED25519, typed.slice(1));
  // Import once extractable to learn the public key, then again for keeps.
  const tmp = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", tmp);
  const pub = Uint8Array.from(atob(jwk.x.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  pkcs8.fill(0);
  typed.fill(0);
  const vkey = await verifierKey(p[2], pub);
  if (vkey.split("+")[1] !== p[3]) throw new Error("key file: the key hash does not match the key (the file is damaged)");
  return { name: p[2], privateKey, pub, vkey };
}

// hardenIdentity returns a software identity moved into a non-extractable
// WebCrypto key, the seed dropped, once the browser has Ed25519 (after an
// update); or null when there is nothing to do. The caller stores it.
export async function hardenIdentity(id) {
  if (!id || !id.seed || !(await webCryptoEd25519())) return null;
  const pkcs8 = concat(PKCS8_ED25519, id.seed);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  pkcs8.fill(0);
  const out = { ...id, privateKey };
  delete out.seed;
  delete out.software;
  // The new key must be the same key: it signs what the public key verifies.
  const probe = utf8("tallylog key check\n");
  if (!(await verifyEd25519(id.pub, new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, probe)), probe))) return null;
  return out;
}

// signNote signs a record body with the identity and returns the signed
// note (the log entry) as a string: body, blank line, one signature line.
export async function signNote(body, id) {
  if (!body.endsWith("\n")) throw new Error("body: must end with a newline");
  const sig = id.seed
    ? (await noble()).sign(utf8(body), id.seed)
    : new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, id.privateKey, utf8(body)));
  const h = await keyHash(id.name, concat([ALG_ED25519], id.pub));
  return `${body}\n— ${id.name} ${b64(concat(h, sig))}\n`;
}

// openNote splits a signed note into its text and signature lines
// ({name, hash, sig}). It checks the shape only.
export function openNote(text) {
  const i = text.lastIndexOf("\n\n");
  if (i < 0 || !text.endsWith("\n")) throw new Error("note: no blank line before the signatures");
  const body = text.slice(0, i + 1);
  const sigs = [];
  for (const l of text.slice(i + 2, -1).split("\n")) {
    const m = /^— (\S+) (\S+)$/.exec(l);
    const raw = m && unb64(m[2]);
    if (!raw || raw.length < 5) throw new Error(`note: signature line ${JSON.stringify(l)} is not '— name base64'`);
    sigs.push({ name: m[1], hash: raw.slice(0, 4), sig: raw.slice(4) });
  }
  if (sigs.length === 0) throw new Error("note: no signature");
  return { body, sigs };
}

const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// verifyEd25519 checks an Ed25519 signature with a raw public key.
export async function verifyEd25519(pub, sig, msg) {
  if (sig.length !== 64) return false;
  if (!(await webCryptoEd25519())) return verifyAsGo(pub, sig, msg);
  const k = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, k, sig, msg);
}

// L is the order of Ed25519's prime-order subgroup.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leNumber = (b) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

// verifyAsGo is Go's crypto/ed25519 Verify, step for step, on the curve
// arithmetic of the vendored @noble/curves, so that the fallback accepts
// exactly the signatures the log's Go code accepts. noble's own verify
// differs at the edges in both of its modes: it checks the cofactored
// equation, and its strict mode (zip215: false) also refuses small-order
// and non-canonically encoded public keys, which Go accepts. Go's rules:
// the public key is decoded leniently (a y not reduced mod p, or x = 0 with
// the sign bit set, as edwards25519's SetBytes); S must be canonical
// (S < L); k = SHA-512(R || A || M) mod L; and the canonical encoding of
// [S]B - [k]A must equal the signature's R byte for byte (cofactorless,
// which also refuses a non-canonical R). TestAppVectors checks this against
// Go on the edge cases.
async function verifyAsGo(pub, sig, msg) {
  if (pub.length !== 32 || sig.length !== 64) return false;
  const ed = await noble();
  let A;
  try { A = ed.Point.fromBytes(pub, true); } catch { return false; }
  const s = leNumber(sig.subarray(32));
  if (s >= L) return false;
  const k = leNumber(new Uint8Array(await crypto.subtle.digest("SHA-512", concat(sig.subarray(0, 32), pub, msg)))) % L;
  const R = ed.Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return sameBytes(R.toBytes(), sig.subarray(0, 32));
}

// findSig returns the signature line made by the key (same name and key
// hash), or null.
export const findSig = (note, key) => note.sigs.find((s) => s.name === key.name && sameBytes(s.hash, key.hash)) || null;

// verifySig checks one signature line against a parsed verifier key:
// Ed25519 over the note text, or cosignature/v1 (8-byte big-endian
// timestamp, then Ed25519 over "cosignature/v1\ntime <t>\n" and the text).
// It returns {ok, time?}.
export async function verifySig(note, key, s) {
  if (key.alg === ALG_ED25519) return { ok: await verifyEd25519(key.pub, s.sig, utf8(note.body)) };
  if (s.sig.length !== 72) return { ok: false };
  let t = 0n;
  for (const b of s.sig.slice(0, 8)) t = (t << 8n) | BigInt(b);
  const msg = utf8(`cosignature/v1\ntime ${t}\n${note.body}`);
  return { ok: await verifyEd25519(key.pub, s.sig.slice(8), msg), time: Number(t) };
}

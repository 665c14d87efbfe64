// Receipts: C2SP tlog-proof (c2sp.org/tlog-proof@v1) carrying the logged
// entry, verified here with nothing but the log's key (and the witnesses'
// keys): the checkpoint's signature, the cosignatures it carries, and the
// RFC 6962 inclusion proof of SHA-256(0x00 || entry) against its root.

import { concat, sha256, unb64, b64, utf8, openNote, findSig, verifySig, parseVerifierKey } from "./note.js";

export const HEADER = "c2sp.org/tlog-proof@v1";

export const leafHash = (entry) => sha256(concat([0], entry));
const nodeHash = (l, r) => sha256(concat([1], l, r));

// rootFromInclusion computes the root a proof leads to from the leaf at
// index in a tree of size (RFC 9162 section 2.1.3.2), or throws.
export async function rootFromInclusion(index, size, leaf, proof) {
  if (!(index < size)) throw new Error(`index ${index} is outside the checkpoint's tree of size ${size}`);
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error("the inclusion proof is longer than the tree allows");
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("the inclusion proof is shorter than the tree needs");
  return r;
}

// parse decodes a receipt's text; it does not verify it.
export function parse(text) {
  const cut = text.indexOf("\n\n");
  if (cut < 0) throw new Error("receipt: no blank line before the checkpoint");
  const lines = text.slice(0, cut).split("\n");
  if (lines[0] !== HEADER) throw new Error(`receipt: the first line must be ${HEADER}`);
  let i = 1;
  const m = /^extra (.*)$/.exec(lines[i] || "");
  const entry = m && unb64(m[1]);
  if (!entry) throw new Error("receipt: missing the 'extra' line carrying the logged record");
  i++;
  const idx = /^index (0|[1-9][0-9]*)$/.exec(lines[i] || "");
  if (!idx || !Number.isSafeInteger(Number(idx[1]))) throw new Error("receipt: missing or bad 'index' line");
  const proof = [];
  for (const l of lines.slice(i + 1)) {
    const h = unb64(l);
    if (!h || h.length !== 32) throw new Error(`receipt: proof line ${JSON.stringify(l)} is not a base64 SHA-256`);
    proof.push(h);
  }
  if (proof.length > 63) throw new Error("receipt: more than 63 proof hashes");
  return { entry, index: Number(idx[1]), proof, checkpoint: text.slice(cut + 2) };
}

// verify checks a receipt's text against the log's verifier key and the
// witnesses' keys (cosignature/v1 or Ed25519 verifier keys). Every
// signature line claiming to be the log's or a known witness's must verify;
// the log's must be there. It returns {index, size, root, origin, entry,
// cosigners: [{name, time}]} or throws an Error saying what failed.
export async function verify(text, logKey, witnessKeys = []) {
  const r = parse(text);
  const lk = await parseVerifierKey(logKey);
  let cp;
  try { cp = openNote(r.checkpoint); } catch (e) { throw new Error("checkpoint: " + e.message); }
  const ls = findSig(cp, lk);
  if (!ls) throw new Error(`checkpoint: not signed by the log key ${lk.name}`);
  if (!(await verifySig(cp, lk, ls)).ok) throw new Error(`checkpoint: the log's signature does not verify with ${lk.name}: the checkpoint was altered`);
  const cosigners = [];
  for (const wk of witnessKeys) {
    const k = await parseVerifierKey(wk);
    const s = findSig(cp, k);
    if (!s) continue;
    const v = await verifySig(cp, k, s);
    if (!v.ok) throw new Error(`checkpoint: the cosignature of witness ${k.name} does not verify`);
    cosigners.push({ name: k.name, time: v.time });
  }
  const lines = cp.body.split("\n");
  if (lines.length < 4 || lines[0] !== lk.name) throw new Error(`checkpoint: origin is not ${lk.name}`);
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error("checkpoint: bad tree size");
  const size = Number(lines[1]);
  const root = unb64(lines[2]);
  if (!root || root.length !== 32) throw new Error("checkpoint: bad root hash");
  const got = await rootFromInclusion(r.index, size, await leafHash(r.entry), r.proof);
  if (b64(got) !== b64(root)) throw new Error(`inclusion proof: entry ${r.index} is not in the checkpoint's tree (the proof does not lead to its root)`);
  return { index: r.index, size, root: lines[2], origin: lines[0], entry: r.entry, cosigners };
}

export const entryText = (entryBytes) => new TextDecoder().decode(entryBytes);
export const bytesOf = (s) => utf8(s);

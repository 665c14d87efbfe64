// A small QR Code encoder (ISO/IEC 18004): byte mode, error correction
// level M, versions 1 to 10 (up to 213 bytes: a verifier key is about 90).
// Written for this app so that it loads nothing from elsewhere; checked in
// the tests module for module against rsc.io/qr/coding.

// Error correction (level M) per version: codewords per block, and groups of
// [blocks, data codewords per block].
const EC_M = [null, [10, [[1, 16]]], [16, [[1, 28]]], [26, [[1, 44]]], [18, [[2, 32]]], [24, [[2, 43]]],
  [16, [[4, 27]]], [18, [[4, 31]]], [22, [[2, 38], [2, 39]]], [22, [[3, 36], [2, 37]]], [26, [[4, 43], [1, 44]]]];
// Centres of the alignment patterns per version.
const ALIGN = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
export const MAX_VERSION = 10;

// GF(256) with the QR polynomial x^8+x^4+x^3+x^2+1.
const EXP = new Uint8Array(512), LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x; LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const mul = (a, b) => (a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]]);

// ecBytes returns the n Reed-Solomon check bytes of data.
function ecBytes(data, n) {
  let g = [1]; // generator: product of (x - a^i), i < n; highest degree first
  for (let i = 0; i < n; i++) {
    const next = new Array(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] ^= g[j];
      next[j + 1] ^= mul(g[j], EXP[i]);
    }
    g = next;
  }
  const rem = new Array(n).fill(0);
  for (const d of data) {
    const f = d ^ rem.shift();
    rem.push(0);
    for (let j = 0; j < n; j++) rem[j] ^= mul(g[j + 1], f);
  }
  return rem;
}

const dataCodewords = (v) => EC_M[v][1].reduce((s, [b, d]) => s + b * d, 0);
const countBits = (v) => (v < 10 ? 8 : 16);

// codewords returns the final interleaved codeword sequence for bytes.
function codewords(bytes, v) {
  const cap = dataCodewords(v) * 8;
  const bits = [];
  const put = (val, n) => { for (let i = n - 1; i >= 0; i--) bits.push((val >>> i) & 1); };
  put(0b0100, 4);
  put(bytes.length, countBits(v));
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, cap - bits.length));
  while (bits.length % 8) bits.push(0);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < cap / 8; pad ^= 0xec ^ 0x11) data.push(pad);
  const [ecLen, groups] = EC_M[v];
  const blocks = [];
  let at = 0;
  for (const [count, len] of groups) {
    for (let i = 0; i < count; i++) {
      const d = data.slice(at, at + len);
      at += len;
      blocks.push({ d, e: ecBytes(d, ecLen) });
    }
  }
  const out = [];
  const maxLen = Math.max(...blocks.map((b) => b.d.length));
  for (let i = 0; i < maxLen; i++) for (const b of blocks) if (i < b.d.length) out.push(b.d[i]);
  for (let i = 0; i < ecLen; i++) for (const b of blocks) out.push(b.e[i]);
  return out;
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

// bch returns value with its BCH check bits appended (poly of degree n).
function bch(value, poly, n) {
  let rem = value << n;
  const top = 31 - Math.clz32(poly);
  for (let i = 31 - Math.clz32(rem); i >= top; i--) if ((rem >>> i) & 1) rem ^= poly << (i - top);
  return (value << n) | rem;
}

// matrix builds the symbol for bytes at version v with the given mask.
// It returns {size, dark: rows of booleans}.
export function matrix(bytes, v, mask) {
  const size = 17 + 4 * v;
  const dark = Array.from({ length: size }, () => new Array(size).fill(false));
  const fn = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (r, c, d) => { dark[r][c] = d; fn[r][c] = true; };
  // Finder patterns and their separators.
  for (const [r0, c0] of [[0, 0], [0, size - 7], [size - 7, 0]]) {
    for (let r = -1; r <= 7; r++) for (let c = -1; c <= 7; c++) {
      const rr = r0 + r, cc = c0 + c;
      if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      set(rr, cc, ring !== 2 && ring !== 4);
    }
  }
  // Timing patterns.
  for (let i = 8; i < size - 8; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  // Alignment patterns, except where they would overlap the finders.
  const al = ALIGN[v];
  for (const r of al) for (const c of al) {
    if ((r === 6 && c === 6) || (r === 6 && c === al[al.length - 1]) || (c === 6 && r === al[al.length - 1])) continue;
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }
  // Format information (level M is 00), and the dark module.
  const fmt = bch(mask, 0x537, 10) ^ 0x5412;
  const fbit = (i) => ((fmt >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) set(i, 8, fbit(i));
  set(7, 8, fbit(6)); set(8, 8, fbit(7)); set(8, 7, fbit(8));
  for (let i = 9; i < 15; i++) set(8, 14 - i, fbit(i));
  for (let i = 0; i < 8; i++) set(8, size - 1 - i, fbit(i));
  for (let i = 8; i < 15; i++) set(size - 15 + i, 8, fbit(i));
  set(size - 8, 8, true);
  // Version information.
  if (v >= 7) {
    const vb = bch(v, 0x1f25, 12);
    for (let i = 0; i < 18; i++) {
      const d = ((vb >>> i) & 1) === 1, a = size - 11 + (i % 3), b = Math.floor(i / 3);
      set(b, a, d); set(a, b, d);
    }
  }
  // Data, in two-module columns from the right, upwards then downwards.
  const cw = codewords(bytes, v);
  let bit = 0;
  const total = cw.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const up = ((right + 1) & 2) === 0;
    for (let k = 0; k < size; k++) {
      const r = up ? size - 1 - k : k;
      for (const c of [right, right - 1]) {
        if (fn[r][c]) continue;
        let d = false;
        if (bit < total) d = ((cw[bit >> 3] >>> (7 - (bit & 7))) & 1) === 1;
        bit++;
        dark[r][c] = d !== MASKS[mask](r, c);
      }
    }
  }
  return { size, dark };
}

// penalty scores a symbol by the four rules of the standard; lower is better.
function penalty({ size, dark }) {
  let p = 0;
  const line = (get) => {
    for (let i = 0; i < size; i++) {
      let run = 1;
      for (let j = 1; j <= size; j++) {
        if (j < size && get(i, j) === get(i, j - 1)) { run++; continue; }
        if (run >= 5) p += run - 2;
        run = 1;
      }
      for (let j = 0; j + 11 <= size; j++) {
        const s = Array.from({ length: 11 }, (_, k) => (get(i, j + k) ? "1" : "0")).join("");
        if (s === "10111010000" || s === "00001011101") p += 40;
      }
    }
  };
  line((r, c) => dark[r][c]);
  line((c, r) => dark[r][c]);
  let n = 0;
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
    if (dark[r][c]) n++;
    if (r + 1 < size && c + 1 < size) {
      const d = dark[r][c];
      if (dark[r + 1][c] === d && dark[r][c + 1] === d && dark[r + 1][c + 1] === d) p += 3;
    }
  }
  p += 10 * Math.floor(Math.abs(n * 20 - size * size * 10) / (size * size));
  return p;
}

// encode returns the QR symbol of text (UTF-8 bytes) at the smallest version
// that holds it, with the mask of least penalty.
export function encode(text) {
  const bytes = new TextEncoder().encode(text);
  let v = 1;
  while (v <= MAX_VERSION && bytes.length > dataCodewords(v) - 1 - countBits(v) / 8) v++;
  if (v > MAX_VERSION) throw new Error(`QR: ${bytes.length} bytes are too many for version ${MAX_VERSION}`);
  let best = null;
  for (let m = 0; m < 8; m++) {
    const q = matrix(bytes, v, m);
    q.version = v; q.mask = m; q.penalty = penalty(q);
    if (!best || q.penalty < best.penalty) best = q;
  }
  return best;
}

// svg draws a symbol as an SVG element with a four-module quiet zone.
export function svg(q, label) {
  const ns = "http://www.w3.org/2000/svg";
  const n = q.size + 8;
  const el = document.createElementNS(ns, "svg");
  el.setAttribute("viewBox", `0 0 ${n} ${n}`);
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", label);
  el.setAttribute("shape-rendering", "crispEdges");
  const bg = document.createElementNS(ns, "rect");
  bg.setAttribute("width", n); bg.setAttribute("height", n); bg.setAttribute("fill", "#fff");
  el.append(bg);
  let d = "";
  for (let r = 0; r < q.size; r++) for (let c = 0; c < q.size; c++) if (q.dark[r][c]) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d); path.setAttribute("fill", "#000");
  el.append(path);
  return el;
}

// Package seats turns results into seats: first past the post in each
// constituency, Pakistan's reserved seats for women and non-Muslims, the
// list methods other countries use (D'Hondt, Sainte-Laguë, Hare largest
// remainder with a threshold), and the house that results, with its majority
// lines and the coalitions that reach them.
//
// Guarantees, for every exported function:
//
//   - Pure and deterministic: the result depends only on the arguments, never
//     on their order, the clock, a random source or a map's iteration order.
//     Two runs on the same inputs give byte-identical JSON.
//   - Exact: quotas, remainders and quotients are compared as integers
//     (cross-multiplication with 128-bit products); no floating point is used
//     anywhere in an allocation.
//   - Explicit ties: a tie that decides a seat is returned as a Lot ("lot
//     required"); no tie is ever broken silently, by name, by order or by
//     chance.
//   - Checked inputs: negative counts, duplicate parties, unknown regions and
//     impossible totals are errors that name the field and the rule, never
//     something quietly repaired.
//
// The rules, their legal sources and the interpretations chosen are written
// down in docs/seats.md; the doc comment of each function repeats the part
// that concerns it.
package seats

// Package tlogtiles reads a transparency log published as C2SP tlog-tiles
// (c2sp.org/tlog-tiles): its signed checkpoint, its hash tiles and its entry
// bundles, as static files from a directory or a URL.
//
// It is the one place where published bytes become trusted ones. Its rule,
// as in golang.org/x/mod/sumdb/tlog, is that nothing read from a Source is
// trusted until it is checked:
//
//   - a checkpoint is trusted once OpenCheckpoint has verified the log's
//     signature, every required witness cosignature and its origin;
//   - a hash is trusted once it is checked against a trusted checkpoint's
//     root (HashReader does this for every tile it reads, through
//     tlog.TileHashReader);
//   - an entry is trusted once its inclusion proof is checked against a
//     trusted checkpoint, or once the whole tree computed from the entries
//     hashes to the checkpoint's root.
//
// ReadTile and ReadBundle fetch bytes and check only their shape; the
// caller checks them against a checkpoint before relying on them.
//
// The package depends on the standard library and golang.org/x/mod only:
// a third party verifies a log without importing the writer's storage code
// (Tessera), so a bug in one is not hidden by the same bug in the other.
package tlogtiles

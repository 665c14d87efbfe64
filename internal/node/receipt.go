package node

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tallylog/tallylog/receipt"
)

// Receipt returns the receipt (a C2SP tlog-proof) of the entry at index
// against the latest published checkpoint: the entry itself, its inclusion
// proof and the signed checkpoint, which verify offline with the log's
// public key alone. receipt.Build checks the proof before it is returned.
func (n *Node) Receipt(ctx context.Context, index uint64) (*receipt.Receipt, error) {
	cp := n.Log.Published()
	if cp == nil || index >= cp.Size {
		var size uint64
		if cp != nil {
			size = cp.Size
		}
		return nil, fmt.Errorf("entry %d is not covered by a published checkpoint yet (size %d); retry in a second", index, size)
	}
	var entry []byte
	err := n.Log.ReadEntries(ctx, index, index+1, cp.Size, func(_ uint64, e []byte) error {
		entry = bytes.Clone(e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading entry %d: %v", index, err)
	}
	rc, err := receipt.Build(ctx, cp, index, entry, n.Log.ProveRecord)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of entry %d: %v", index, err)
	}
	return rc, nil
}

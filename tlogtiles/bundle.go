package tlogtiles

import (
	"encoding/binary"
	"errors"
)

// SplitBundle splits a tlog-tiles entry bundle into its entries: each one
// is prefixed with its length as a big-endian 16-bit number. An empty
// bundle holds no entries. The entries are slices of data.
//
// A bundle that ends inside a length prefix or inside an entry is an
// error; SplitBundle never skips a byte or reads one twice, so the bundle is
// exactly the length-prefixed concatenation of what it returns.
func SplitBundle(data []byte) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("entry bundle ends inside a length prefix")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("entry bundle ends inside an entry")
		}
		out = append(out, data[2:2+n:2+n])
		data = data[2+n:]
	}
	return out, nil
}

// AppendBundle appends entries to b as an entry bundle: the inverse of
// SplitBundle. It panics if an entry is longer than 65535 bytes, which no
// tlog-tiles entry may be.
func AppendBundle(b []byte, entries ...[]byte) []byte {
	for _, e := range entries {
		if len(e) > 0xffff {
			panic("tlogtiles: entry longer than 65535 bytes")
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b
}

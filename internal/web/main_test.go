package web

import (
	"os"
	"testing"
)

// TestMain makes pages current as soon as a record is applied (see
// minRerender); TestLoad restores the production window.
func TestMain(m *testing.M) {
	minRerender = 0
	os.Exit(m.Run())
}

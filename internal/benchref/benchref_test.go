package benchref

import (
	"testing"
	"time"
)

// TestEd25519Rate checks that the reference measures something: some
// verifications in the time given, and CPU time used to make them.
func TestEd25519Rate(t *testing.T) {
	c0 := CPUSeconds()
	perSec, perCPU := Ed25519Rate(20 * time.Millisecond)
	if perSec <= 0 || perCPU <= 0 {
		t.Fatalf("Ed25519Rate gave %v/s and %v per CPU-second", perSec, perCPU)
	}
	if CPUSeconds() <= c0 {
		t.Fatal("the process used no CPU time measuring the reference")
	}
}

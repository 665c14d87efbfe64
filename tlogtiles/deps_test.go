package tlogtiles

import (
	"os/exec"
	"strings"
	"testing"
)

// TestVerifierDependencies enforces the trust boundary: what a third party
// imports to verify a log (this package, the verifier, the evidence pack
// checker, receipts) never depends on the writer's storage code (Tessera)
// or its telemetry, and this package depends on x/mod alone.
func TestVerifierDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list dependencies with")
	}
	list := func(pkg string) []string {
		out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/tallylog/tallylog/"
	for _, pkg := range []string{"tlogtiles", "verify", "evidence", "receipt"} {
		deps := list(mod + pkg)
		if len(deps) == 0 {
			t.Fatalf("go list found no dependencies of %s: the test would pass vacuously", pkg)
		}
		for _, d := range deps {
			for _, banned := range []string{"github.com/transparency-dev/tessera", "go.opentelemetry.io/"} {
				if strings.HasPrefix(d, banned) {
					t.Errorf("%s depends on %s: the verifier side must not import the writer's storage code", pkg, d)
				}
			}
			if pkg == "tlogtiles" && d != mod+"tlogtiles" && !strings.HasPrefix(d, "golang.org/x/mod/") {
				t.Errorf("tlogtiles depends on %s; it may depend on golang.org/x/mod only", d)
			}
		}
	}
}

package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this test binary as the "tallylog" command.
func TestMain(m *testing.M) {
	routeKlog(os.Stderr)
	testscript.Main(m, map[string]func(){
		"tallylog": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the command-line scenarios in testdata/script/*.txtar.
// SHARED is set to ../shared when it exists, so scripts that need the real
// data sets can skip with [!exec:...] or a condition on $SHARED.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SHARED", sharedDir())
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				_, err := os.Stat(sharedDir() + "/data")
				return err == nil, nil
			}
			return false, nil
		},
	})
}

func sharedDir() string {
	wd, _ := os.Getwd()
	return wd + "/../../../shared"
}

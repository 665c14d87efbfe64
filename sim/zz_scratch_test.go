package sim

import (
	"fmt"
	"testing"
	"time"
	"os"
)

func TestScratch(t *testing.T) {
	if os.Getenv("SCRATCH") == "" { t.Skip() }
	t0 := time.Now()
	e, err := Generate(Config{Seed: 1})
	if err != nil { t.Fatal(err) }
	fmt.Println("generate", time.Since(t0), len(e.Records), len(e.Genesis))
	t0 = time.Now()
	if err := e.WriteDir("/tmp/simfull"); err != nil { t.Fatal(err) }
	fmt.Println("write", time.Since(t0))
	fmt.Println(e.Truth.Count())
	for _, in := range e.Truth.Injected {
		if in.Kind == KindDeclarationTampering { fmt.Println(in.Description, in.Arrival/60) }
	}
	n := 0
	for _, in := range e.Truth.Injected {
		if in.Kind != KindDeclarationTampering && n < 12 { fmt.Println(in.Kind, in.Description, in.Arrival/60); n++ }
	}
}

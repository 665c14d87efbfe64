package metrics

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

func TestTextFormat(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("records_refused_total", "Records refused, by the field whose rule failed.", "reason")
	c.Inc("signature")
	c.Add(2, `a "quoted"\ name`+"\n")
	c.Add(-5, "signature") // ignored: counters only grow
	h := r.Histogram("receipt_seconds", "Time to a receipt.", []float64{0.1, 0.5, 1})
	for _, v := range []float64{0.05, 0.1, 0.3, 2} {
		h.Observe(v)
	}
	r.Gauge("lag", "Entries\nbehind.", func() float64 { return 7 })
	r.Gauge("lag", "a second family with the same name is dropped", func() float64 { return 9 })
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP records_refused_total Records refused, by the field whose rule failed.
# TYPE records_refused_total counter
records_refused_total{reason="a \"quoted\"\\ name\n"} 2
records_refused_total{reason="signature"} 1
# HELP receipt_seconds Time to a receipt.
# TYPE receipt_seconds histogram
receipt_seconds_bucket{le="0.1"} 2
receipt_seconds_bucket{le="0.5"} 3
receipt_seconds_bucket{le="1"} 3
receipt_seconds_bucket{le="+Inf"} 4
receipt_seconds_sum 2.45
receipt_seconds_count 4
# HELP lag Entries\nbehind.
# TYPE lag gauge
lag 7
`
	if got := b.String(); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
}

func TestSeriesBounded(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("x_total", "x", "reason")
	for i := 0; i < 3*MaxSeries; i++ {
		c.Inc(fmt.Sprint(i))
	}
	var b bytes.Buffer
	r.WriteText(&b)
	lines := strings.Count(b.String(), "\nx_total{")
	if lines != MaxSeries+1 {
		t.Errorf("%d series, want %d (the rest under \"other\")", lines, MaxSeries+1)
	}
	if !strings.Contains(b.String(), `x_total{reason="other"} 512`) {
		t.Errorf("overflow not counted under other:\n%s", b.String()[len(b.String())-200:])
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"tessera.appender.add": "tessera_appender_add",
		"9lives":               "_9lives",
		"ok_name:sub":          "ok_name:sub",
		"":                     "_",
		"a-b c":                "a_b_c",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOTel records through the global OpenTelemetry API, as Tessera does,
// and reads the measurements back in the exposition.
func TestOTel(t *testing.T) {
	collect := OTel()
	m := otel.Meter("test")
	ctr, _ := m.Int64Counter("tessera.test.adds", metric.WithDescription("adds"))
	ctr.Add(context.Background(), 3, metric.WithAttributes(attribute.String("tessera.kind", "x")))
	hist, _ := m.Int64Histogram("tessera.test.latency", metric.WithUnit("ms"), metric.WithExplicitBucketBoundaries(10, 100))
	hist.Record(context.Background(), 5)
	hist.Record(context.Background(), 50)
	g, _ := m.Int64Gauge("tessera.test.size")
	g.Record(context.Background(), 42)
	r := NewRegistry()
	r.Collect(collect)
	var b bytes.Buffer
	r.WriteText(&b)
	for _, want := range []string{
		"# TYPE tessera_test_adds_total counter\ntessera_test_adds_total{tessera_kind=\"x\"} 3\n",
		"# TYPE tessera_test_latency_milliseconds histogram\n",
		"tessera_test_latency_milliseconds_bucket{le=\"10\"} 1\n",
		"tessera_test_latency_milliseconds_bucket{le=\"+Inf\"} 2\n",
		"tessera_test_latency_milliseconds_sum 55\n",
		"# TYPE tessera_test_size gauge\ntessera_test_size 42\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
}

func TestGoRuntime(t *testing.T) {
	r := NewRegistry()
	r.Collect(GoRuntime)
	var b bytes.Buffer
	r.WriteText(&b)
	for _, want := range []string{"\ngo_goroutines ", "\ngo_gc_cycles_total ", "go_info{version=\"go", "\ntallylog_build_info{version="} {
		if !strings.Contains("\n"+b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
}

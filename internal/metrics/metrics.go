// Package metrics holds a server's measurements and writes them in the
// Prometheus text exposition format (version 0.0.4), the format every
// Prometheus-compatible scraper reads.
//
// A Registry holds counters and histograms that the code updates, gauges
// read when scraped, and collectors that add whole families (the Go
// runtime, Tessera's OpenTelemetry instruments). Label values are escaped
// as the format requires; a counter or histogram keeps at most MaxSeries
// label combinations, the rest counted under the value "other", so that no
// input can make the exposition grow without bound.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// MaxSeries bounds the label combinations of one counter or histogram.
const MaxSeries = 256

// Registry is a set of metric families, written in registration order.
type Registry struct {
	mu   sync.Mutex
	fams []func(*Writer)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Collect registers fn, called on every scrape to write whole families.
func (r *Registry) Collect(fn func(*Writer)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fams = append(r.fams, fn)
}

// WriteText writes every family in the text exposition format.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := append([]func(*Writer){}, r.fams...)
	r.mu.Unlock()
	bw := bufio.NewWriter(w)
	mw := &Writer{w: bw, seen: map[string]bool{}}
	for _, f := range fams {
		f(mw)
	}
	return bw.Flush()
}

// Writer writes families in the text exposition format. A family's name is
// written once: a second Family call with the same name is ignored together
// with its samples, so two collectors cannot emit an invalid exposition.
type Writer struct {
	w    *bufio.Writer
	seen map[string]bool
	skip bool
}

// Family starts a family: its HELP and TYPE lines. typ is counter, gauge,
// histogram or untyped.
func (w *Writer) Family(name, typ, help string) {
	name = Name(name)
	if w.seen[name] {
		w.skip = true
		return
	}
	w.seen[name], w.skip = true, false
	fmt.Fprintf(w.w, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

// Sample writes one sample of the current family. labels alternate names
// and values.
func (w *Writer) Sample(name string, value float64, labels ...string) {
	if w.skip {
		return
	}
	w.w.WriteString(Name(name))
	if len(labels) > 0 {
		w.w.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				w.w.WriteByte(',')
			}
			w.w.WriteString(labelName(labels[i]))
			w.w.WriteString(`="`)
			w.w.WriteString(escapeLabel(labels[i+1]))
			w.w.WriteByte('"')
		}
		w.w.WriteByte('}')
	}
	w.w.WriteByte(' ')
	w.w.WriteString(formatFloat(value))
	w.w.WriteByte('\n')
}

// Histogram writes the samples of one histogram series: cumulative counts
// per upper bound (bounds ascending, counts[i] the observations in
// (bounds[i-1], bounds[i]], counts[len(bounds)] those above the last bound),
// the sum and the count.
func (w *Writer) Histogram(name string, bounds []float64, counts []uint64, sum float64, labels ...string) {
	var cum uint64
	for i, b := range bounds {
		cum += counts[i]
		w.Sample(name+"_bucket", float64(cum), append(labels[:len(labels):len(labels)], "le", formatFloat(b))...)
	}
	if len(counts) > len(bounds) {
		cum += counts[len(bounds)]
	}
	w.Sample(name+"_bucket", float64(cum), append(labels[:len(labels):len(labels)], "le", "+Inf")...)
	w.Sample(name+"_sum", sum, labels...)
	w.Sample(name+"_count", float64(cum), labels...)
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Name turns any name (an OpenTelemetry instrument's "tessera.appender.add")
// into a valid metric name: characters outside [a-zA-Z0-9_:] become '_',
// and a leading digit gets a '_' before it.
func Name(s string) string {
	return sanitize(s, true)
}

func labelName(s string) string { return sanitize(s, false) }

func sanitize(s string, colon bool) string {
	ok := func(i int, c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' || colon && c == ':'
	}
	clean := s != ""
	for i := 0; i < len(s); i++ {
		if !ok(i, s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		b.WriteByte('_')
	}
	for i := 0; i < len(s); i++ {
		if ok(1, s[i]) {
			b.WriteByte(s[i])
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// Counter is a family of monotonic counters keyed by label values.
type Counter struct {
	name, help string
	labels     []string
	mu         sync.Mutex
	vals       map[string]*series
}

type series struct {
	values []string
	v      float64
	counts []uint64 // histograms
}

// Counter registers a counter family; its name should end in _total.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	c := &Counter{name: name, help: help, labels: labels, vals: map[string]*series{}}
	r.Collect(func(w *Writer) {
		w.Family(c.name, "counter", c.help)
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, s := range sorted(c.vals) {
			w.Sample(c.name, s.v, pairs(c.labels, s.values)...)
		}
	})
	return c
}

// Add adds v (>= 0) to the series of the given label values.
func (c *Counter) Add(v float64, values ...string) {
	if v < 0 {
		return
	}
	c.mu.Lock()
	getSeries(c.vals, values, 0).v += v
	c.mu.Unlock()
}

// Inc adds one.
func (c *Counter) Inc(values ...string) { c.Add(1, values...) }

// Histogram is a family of histograms with fixed bucket bounds.
type Histogram struct {
	name, help string
	bounds     []float64
	labels     []string
	mu         sync.Mutex
	vals       map[string]*series
}

// Histogram registers a histogram family with ascending bucket bounds.
func (r *Registry) Histogram(name, help string, bounds []float64, labels ...string) *Histogram {
	h := &Histogram{name: name, help: help, bounds: bounds, labels: labels, vals: map[string]*series{}}
	r.Collect(func(w *Writer) {
		w.Family(h.name, "histogram", h.help)
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, s := range sorted(h.vals) {
			w.Histogram(h.name, h.bounds, s.counts, s.v, pairs(h.labels, s.values)...)
		}
	})
	return h
}

// Observe records one observation.
func (h *Histogram) Observe(v float64, values ...string) {
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v
	h.mu.Lock()
	s := getSeries(h.vals, values, len(h.bounds)+1)
	s.counts[i]++
	s.v += v
	h.mu.Unlock()
}

// Gauge registers a gauge read from fn at each scrape.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.Collect(func(w *Writer) {
		w.Family(name, "gauge", help)
		w.Sample(name, fn())
	})
}

func getSeries(m map[string]*series, values []string, buckets int) *series {
	key := strings.Join(values, "\xff")
	s, ok := m[key]
	if ok {
		return s
	}
	if len(m) >= MaxSeries {
		values = append([]string(nil), values...)
		for i := range values {
			values[i] = "other"
		}
		key = strings.Join(values, "\xff")
		if s, ok := m[key]; ok {
			return s
		}
	}
	s = &series{values: append([]string(nil), values...)}
	if buckets > 0 {
		s.counts = make([]uint64, buckets)
	}
	m[key] = s
	return s
}

func sorted(m map[string]*series) []*series {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*series, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func pairs(names, values []string) []string {
	out := make([]string, 0, 2*len(names))
	for i, n := range names {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		out = append(out, n, v)
	}
	return out
}

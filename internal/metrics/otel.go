package metrics

import (
	"context"
	"sort"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

var (
	otelOnce   sync.Once
	otelReader *sdkmetric.ManualReader
)

// OTel installs, once per process, an OpenTelemetry SDK MeterProvider as
// the global provider, so that the instruments libraries create through
// otel.Meter (Tessera's appender, storage and witness metrics) record
// measurements, and returns a collector that writes them. Instruments
// created before the call are recorded from then on (the global provider
// delegates). Names become metric names with '.' turned to '_', the unit
// appended (tessera.appender.add.duration in ms becomes
// tessera_appender_add_duration_milliseconds) and _total after monotonic
// sums; attributes become labels.
func OTel() func(*Writer) {
	otelOnce.Do(func() {
		otelReader = sdkmetric.NewManualReader()
		otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(otelReader)))
	})
	return func(w *Writer) {
		var rm metricdata.ResourceMetrics
		if err := otelReader.Collect(context.Background(), &rm); err != nil {
			return
		}
		writeOTel(w, &rm)
	}
}

func writeOTel(w *Writer, rm *metricdata.ResourceMetrics) {
	var all []metricdata.Metrics
	for _, sm := range rm.ScopeMetrics {
		all = append(all, sm.Metrics...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, m := range all {
		name := otelName(m.Name, m.Unit)
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			writeSum(w, name, m.Description, d.IsMonotonic, d.DataPoints)
		case metricdata.Sum[float64]:
			writeSum(w, name, m.Description, d.IsMonotonic, d.DataPoints)
		case metricdata.Gauge[int64]:
			writeGauge(w, name, m.Description, d.DataPoints)
		case metricdata.Gauge[float64]:
			writeGauge(w, name, m.Description, d.DataPoints)
		case metricdata.Histogram[int64]:
			writeHist(w, name, m.Description, d.DataPoints)
		case metricdata.Histogram[float64]:
			writeHist(w, name, m.Description, d.DataPoints)
		}
	}
}

func writeSum[N int64 | float64](w *Writer, name, help string, monotonic bool, pts []metricdata.DataPoint[N]) {
	typ := "gauge"
	if monotonic {
		typ = "counter"
		if !strings.HasSuffix(name, "_total") {
			name += "_total"
		}
	}
	w.Family(name, typ, help)
	for _, p := range pts {
		w.Sample(name, float64(p.Value), attrs(p.Attributes)...)
	}
}

func writeGauge[N int64 | float64](w *Writer, name, help string, pts []metricdata.DataPoint[N]) {
	w.Family(name, "gauge", help)
	for _, p := range pts {
		w.Sample(name, float64(p.Value), attrs(p.Attributes)...)
	}
}

func writeHist[N int64 | float64](w *Writer, name, help string, pts []metricdata.HistogramDataPoint[N]) {
	w.Family(name, "histogram", help)
	for _, p := range pts {
		w.Histogram(name, p.Bounds, p.BucketCounts, float64(p.Sum), attrs(p.Attributes)...)
	}
}

func attrs(set attribute.Set) []string {
	var out []string
	for _, kv := range set.ToSlice() {
		out = append(out, labelName(string(kv.Key)), kv.Value.Emit())
	}
	return out
}

var units = map[string]string{"ms": "milliseconds", "s": "seconds", "us": "microseconds", "By": "bytes"}

func otelName(name, unit string) string {
	name = Name(strings.ReplaceAll(name, ".", "_"))
	if u, ok := units[unit]; ok && !strings.HasSuffix(name, "_"+u) {
		name += "_" + u
	}
	return name
}

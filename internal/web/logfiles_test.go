package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestLogFiles reads the log as a tlog-tiles client does: entry bundles
// gzip-compressed when the client accepts it (and only then), hash tiles
// as they are, and everything also under the origin's path.
func TestLogFiles(t *testing.T) {
	ts := newTestSite(t)
	_, size := ts.Srv.Log.Checkpoint()
	bundle := fmt.Sprintf("/tile/entries/000.p/%d", size)
	tile := fmt.Sprintf("/tile/0/000.p/%d", size)

	resp, plain := ts.get(t, bundle, "Accept-Encoding", "identity")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("GET %s without gzip: %d, Content-Encoding %q, Vary %q", bundle, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	if !strings.Contains(plain, "tallylog/v1 election") {
		t.Fatalf("GET %s: not the entry bundle: %q", bundle, plain[:min(len(plain), 80)])
	}
	resp, zipped := ts.get(t, bundle, "Accept-Encoding", "br, gzip;q=0.8")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s with gzip: Content-Encoding %q", bundle, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || string(got) != plain {
		t.Fatalf("the gzipped bundle does not decompress to the bundle: %v", err)
	}
	if len(zipped) >= len(plain) {
		t.Errorf("gzipped bundle is %d bytes, plain %d", len(zipped), len(plain))
	}
	if resp, _ := ts.get(t, bundle, "Accept-Encoding", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	resp, tileData := ts.get(t, tile, "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || len(tileData) != int(size)*32 {
		t.Fatalf("GET %s: %d, Content-Encoding %q, %d bytes", tile, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(tileData))
	}

	// The origin is results.example.pk/test: the log is also under /test/.
	for _, p := range []string{"/checkpoint", bundle, tile} {
		_, a := ts.get(t, p, "Accept-Encoding", "identity")
		resp, b := ts.get(t, "/test"+p, "Accept-Encoding", "identity")
		if resp.StatusCode != 200 || !bytes.Equal([]byte(a), []byte(b)) {
			t.Errorf("GET /test%s: %d, differs from GET %s", p, resp.StatusCode, p)
		}
	}
	for _, p := range []string{"/tile/entries/000.p/0", "/tile/entries/x000", "/tile/0/001", "/tile/0/000.p/255", "/test/tile/abc"} {
		if resp, _ := ts.get(t, p); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
}

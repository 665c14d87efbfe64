package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var testConfig = Config{Election: "pk-test", Origin: "results.example.pk/test",
	LogKey: "results.example.pk/test+2e78f0ca+Ac6K+EIBZfHR5JrqpdDjP6+4ZnsTPs9HzscFCAW45qxl"}

// TestOfflineFiles checks that the service worker caches every file the
// app loads, so that it starts with no network after its first load, and
// that no file loads anything from another site.
func TestOfflineFiles(t *testing.T) {
	sw, err := fs.ReadFile(Static(), "sw.js")
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)const FILES = \[(.*?)\];`).FindSubmatch(sw)
	if list == nil {
		t.Fatal("sw.js has no FILES list")
	}
	cached := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([^"]+)"`).FindAllSubmatch(list[1], -1) {
		cached[string(m[1])] = true
	}
	var files []string
	fs.WalkDir(Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path != "sw.js" {
			files = append(files, path)
		}
		return nil
	})
	for _, f := range append(files, "config.json") {
		if !cached[f] {
			t.Errorf("%s is not in the service worker's FILES: the app would not start offline", f)
		}
		if f == "config.json" || strings.HasSuffix(f, "LICENSE") || strings.HasSuffix(f, ".txt") {
			continue // not loaded by the app: licences and notes
		}
		b, _ := fs.ReadFile(Static(), f)
		if strings.HasSuffix(f, ".js") {
			b = blockComment.ReplaceAll(b, nil)
			b = trailingComment.ReplaceAll(b, []byte("$1"))
		}
		// Outside comments, the only absolute URL allowed is the SVG
		// namespace, which is a name.
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			for _, u := range regexp.MustCompile(`https?://[^\s"'<>)]+`).FindAllString(line, -1) {
				if u != "http://www.w3.org/2000/svg" {
					t.Errorf("%s names %s: the app loads nothing from other sites", f, u)
				}
			}
		}
	}
	for f := range cached {
		if f != "./" && f != "config.json" && !slices.Contains(files, f) {
			t.Errorf("sw.js caches %s, which the app does not have", f)
		}
	}
}

var (
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	// trailingComment is a // comment after a statement (not the // of a
	// URL in a string, which follows a colon).
	trailingComment = regexp.MustCompile(`([;{},)]\s+)//[^\n]*`)
)

// TestImports follows every module import from js/main.js, resolving bare
// specifiers with index.html's import map as the browser does: each must
// name a file the app has, and every vendored module must be reached (the
// vendored library is only what its ed25519 module imports).
func TestImports(t *testing.T) {
	html, _ := fs.ReadFile(Static(), "index.html")
	m := regexp.MustCompile(`<script type="importmap">([^<]*)</script>`).FindSubmatch(html)
	var imap struct{ Imports map[string]string }
	if m == nil || json.Unmarshal(m[1], &imap) != nil {
		t.Fatal("index.html has no import map")
	}
	spec := regexp.MustCompile(`(?m)(?:^(?:import|export)\b[^;\n]*?\bfrom\s*|^import\s*|\bimport\(\s*)["']([^"']+)["']`)
	reached := map[string]bool{}
	var visit func(f, from string)
	visit = func(f, from string) {
		if reached[f] {
			return
		}
		b, err := fs.ReadFile(Static(), f)
		if err != nil {
			t.Errorf("%s imports %s, which the app does not have", from, f)
			return
		}
		reached[f] = true
		for _, m := range spec.FindAllSubmatch(blockComment.ReplaceAll(b, nil), -1) {
			s := string(m[1])
			switch {
			case strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../"):
				visit(path.Join(path.Dir(f), s), f)
			case strings.HasPrefix(s, "/"):
				visit(strings.TrimPrefix(s, "/app/"), f) // tests import by absolute path
			default:
				mapped := false
				for prefix, to := range imap.Imports {
					if strings.HasPrefix(s, prefix) {
						visit(path.Join(strings.TrimPrefix(to, "./"), strings.TrimPrefix(s, prefix)), f)
						mapped = true
					}
				}
				if !mapped {
					t.Errorf("%s imports %q, which neither a path nor the import map resolves", f, s)
				}
			}
		}
	}
	visit("js/main.js", "index.html")
	if !reached["js/vendor/noble-curves/ed25519.js"] || !reached["js/vendor/noble-hashes/sha2.js"] {
		t.Errorf("the Ed25519 fallback is not reached from js/main.js: %v", reached)
	}
	fs.WalkDir(Static(), "js/vendor", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".js") && !reached[p] {
			t.Errorf("%s is vendored but nothing imports it: vendor only what the app loads", p)
		}
		return nil
	})
}

// TestContentSecurityPolicy checks that the app amends the server's policy
// to allow its import map, by the map's hash, and loosens nothing else.
func TestContentSecurityPolicy(t *testing.T) {
	html, _ := fs.ReadFile(Static(), "index.html")
	m := regexp.MustCompile(`<script type="importmap">([^<]*)</script>`).FindSubmatch(html)
	sum := sha256.Sum256(m[1])
	src := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if ImportMapSource != src {
		t.Fatalf("ImportMapSource = %s, want %s", ImportMapSource, src)
	}
	for _, c := range []struct{ in, want string }{
		{"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
			"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; script-src 'self' " + src},
		{"default-src 'self'; script-src 'self'; img-src 'self'", "default-src 'self'; script-src 'self' " + src + "; img-src 'self'"},
		{"script-src 'none'", "script-src " + src},
		{"img-src 'self'", "img-src 'self'"},
	} {
		if got := strings.TrimSpace(AllowImportMap(c.in)); got != c.want {
			t.Errorf("AllowImportMap(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	const csp = "default-src 'self'; img-src 'self' data:"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		Handler("/app/", testConfig).ServeHTTP(w, r)
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/app/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Security-Policy"); got != csp+"; script-src 'self' "+src {
		t.Errorf("the app is served with the policy %q", got)
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler("/app/", testConfig))
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/app/")
	if resp.StatusCode != 200 || !strings.Contains(body, `<script type="module" src="js/main.js">`) {
		t.Errorf("/app/: %d\n%.200s", resp.StatusCode, body)
	}
	resp, body = get("/app/config.json")
	var cfg Config
	if err := json.Unmarshal([]byte(body), &cfg); err != nil || cfg.LogKey != testConfig.LogKey || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("/app/config.json: %v %+v", err, cfg)
	}
	resp, _ = get("/app/js/record.js")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("a module is served as %q; browsers refuse modules that are not JavaScript", ct)
	}
	if resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("Cache-Control %q: the app must revalidate its files", resp.Header.Get("Cache-Control"))
	}
	if resp, _ = get("/app/nosuch.js"); resp.StatusCode != 404 {
		t.Errorf("an unknown file: %d", resp.StatusCode)
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if err := Write(dir, testConfig); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "sw.js", "js/main.js", "config.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.Election != "pk-test" || cfg.LogKey != testConfig.LogKey || cfg.Witnesses != nil {
		t.Errorf("config.json: %v %s", err, b)
	}
	bad := testConfig
	bad.LogKey = "other.example+2e78f0ca+Ac6K"
	if err := Write(t.TempDir(), bad); err == nil || !strings.Contains(err.Error(), "log_key") {
		t.Errorf("a log key of another origin: %v", err)
	}
}

// Package app holds tallylog's installable web app for presiding officers,
// polling agents, observers and returning officers (docs/app.md): static
// files (HTML, CSS, ES modules, a service worker, a web manifest) embedded
// in the binary, served at /app/ by tallylog serve or written out as files
// by tallylog app, loading nothing from other sites.
//
// The app signs records in the browser with a non-extractable Ed25519 key
// and verifies its receipts itself. It trusts only the configuration it is
// given (Config: the log's origin and key, the witnesses' keys), and pins
// the log key on first use; everything it fetches from the server is
// checked against those keys before it is shown as logged.
package app

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

//go:embed all:static
var files embed.FS

// Static returns the app's files, rooted at the app's directory.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	return sub
}

// ImportMapSource is the Content-Security-Policy source ('sha256-...') that
// allows the app's one inline script: the import map in index.html, which
// resolves the vendored @noble/curves' imports of "@noble/hashes/..." to
// the vendored copy (js/vendor/VENDORED.txt). A host that serves the app
// written by Write under a script-src or default-src policy must add it.
var ImportMapSource = importMapSource()

func importMapSource() string {
	b, err := fs.ReadFile(Static(), "index.html")
	m := regexp.MustCompile(`<script type="importmap">([^<]*)</script>`).FindSubmatch(b)
	if err != nil || m == nil {
		panic("app: index.html has no import map") // the embedded file always has one
	}
	sum := sha256.Sum256(m[1])
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// AllowImportMap returns the policy csp with ImportMapSource added to the
// sources of its scripts: to script-src if it has one, else to a script-src
// copied from default-src. A policy that restricts neither is returned as
// it is. Nothing else is loosened.
func AllowImportMap(csp string) string {
	dirs := strings.Split(csp, ";")
	def := -1
	for i, d := range dirs {
		f := strings.Fields(d)
		switch {
		case len(f) == 0:
		case strings.EqualFold(f[0], "script-src"):
			dirs[i] = addSource(f)
			return strings.Join(dirs, ";")
		case strings.EqualFold(f[0], "default-src"):
			def = i
		}
	}
	if def < 0 {
		return csp
	}
	f := append([]string{"script-src"}, strings.Fields(dirs[def])[1:]...)
	return strings.TrimRight(csp, "; ") + "; " + strings.TrimSpace(addSource(f))
}

// addSource adds ImportMapSource to a directive's fields ('none' gives way).
func addSource(f []string) string {
	if len(f) == 2 && f[1] == "'none'" {
		f = f[:1]
	}
	return " " + strings.Join(append(f, ImportMapSource), " ")
}

// Config is what the app trusts, written to config.json beside it.
type Config struct {
	// Election is the election's id, which every record names.
	Election string `json:"election"`
	// Origin is the log's origin, the log key's name.
	Origin string `json:"origin"`
	// LogKey is the log's note verifier key; receipts must be signed by it.
	LogKey string `json:"log_key"`
	// Witnesses are the witnesses' cosignature/v1 verifier keys, if the log
	// has a witness policy. Cosignatures by these keys are checked and shown.
	Witnesses []string `json:"witnesses,omitempty"`
	// Server is the base URL of the election's API when the app is hosted
	// elsewhere; empty means the app's own origin.
	Server string `json:"server,omitempty"`
}

// Check reports a configuration the app could not use, naming the field.
func (c Config) Check() error {
	switch {
	case c.Election == "":
		return fmt.Errorf("election: the election's id is required")
	case c.Origin == "":
		return fmt.Errorf("origin: the log's origin is required")
	case !strings.HasPrefix(c.LogKey, c.Origin+"+"):
		return fmt.Errorf("log_key: %q is not a verifier key named for the origin %s", c.LogKey, c.Origin)
	case c.Server != "" && !strings.HasPrefix(c.Server, "https://") && !strings.HasPrefix(c.Server, "http://"):
		return fmt.Errorf("server: %q must be an http or https URL", c.Server)
	}
	return nil
}

// Handler serves the app under prefix (for example "/app/"), with cfg as
// config.json. Every file is revalidated on each load (no-cache); the
// service worker keeps them for offline use. A Content-Security-Policy set
// by an outer handler is kept, with the app's import map allowed
// (AllowImportMap).
func Handler(prefix string, cfg Config) http.Handler {
	cfgJSON, _ := json.MarshalIndent(cfg, "", "  ")
	static := http.FileServerFS(Static())
	return http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		if csp := w.Header().Get("Content-Security-Policy"); csp != "" {
			w.Header().Set("Content-Security-Policy", AllowImportMap(csp))
		}
		switch r.URL.Path {
		case "":
			http.Redirect(w, r, prefix, http.StatusMovedPermanently)
			return
		case "/config.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write(cfgJSON)
			return
		case "/sw.js":
			// The worker controls the app's directory only.
			w.Header().Set("Service-Worker-Allowed", prefix)
		}
		static.ServeHTTP(w, r)
	}))
}

// Write writes the app's files and config.json into dir, creating it, so a
// commission can host the app anywhere or load it onto devices.
func Write(dir string, cfg Config) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.CopyFS(dir, Static()); err != nil {
		return fmt.Errorf("writing the app into %s: %v (write into an empty directory)", dir, err)
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	return os.WriteFile(filepath.Join(dir, "config.json"), append(b, '\n'), 0o644)
}

package tlogtiles

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A Source reads a log's public files by their tlog-tiles path
// ("checkpoint", "tile/0/x001/234", "tile/entries/005.p/17").
//
// Nothing a Source returns is trusted: it may be stale, truncated, altered
// or served by someone else. The functions of this package that read from a
// Source check what they read against a verified checkpoint, or say in
// their documentation that the caller must.
//
// A file that does not exist is reported with an error wrapping
// os.ErrNotExist, so readers can fall back from a partial tile to the full
// one. ReadFile must be safe for concurrent use.
type Source interface {
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// MaxFile bounds what an HTTP source reads for one file: a full entry
// bundle of 256 maximal entries is a little over 16 MiB.
const MaxFile = 1 << 24

// NewSource returns a Source for a URL (http:// or https://) or a
// directory (the log/ directory of a server, or its parent).
func NewSource(loc string) (Source, error) {
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		u, err := url.Parse(strings.TrimSuffix(loc, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("log URL %q: %v", loc, err)
		}
		return &httpSource{base: u, client: &http.Client{Timeout: 30 * time.Second}}, nil
	}
	for _, d := range []string{loc, filepath.Join(loc, "log")} {
		if _, err := os.Stat(filepath.Join(d, "checkpoint")); err == nil {
			return DirSource(d), nil
		}
	}
	return nil, fmt.Errorf("%s is neither a URL nor a directory holding a log checkpoint", loc)
}

// ErrUnavailable marks a read that failed for a reason of the reader's or
// the network's (a refused connection, a timeout, a server error, a
// failing disk), not because the log lacks the resource: a verification
// that meets it has no answer, rather than a negative one.
var ErrUnavailable = errors.New("unavailable")

// DirSource is a Source reading a log's files from a directory laid out as
// tlog-tiles (the directory holding "checkpoint" and "tile/"). A read that
// fails for another reason than a missing file wraps ErrUnavailable.
type DirSource string

// ReadFile reads path below the directory.
func (d DirSource) ReadFile(_ context.Context, path string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(string(d), filepath.FromSlash(path)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return data, err
}

type httpSource struct {
	base   *url.URL
	client *http.Client
}

func (h *httpSource) ReadFile(ctx context.Context, path string) ([]byte, error) {
	u := h.base.ResolveReference(&url.URL{Path: path})
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*attempt) * 200 * time.Millisecond)
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
		resp, err := h.client.Do(req)
		if err != nil {
			last = fmt.Errorf("%w: %w", ErrUnavailable, err)
			if ctx.Err() != nil {
				return nil, last
			}
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFile))
		resp.Body.Close()
		switch {
		case err != nil:
			last = fmt.Errorf("%w: GET %s: %w", ErrUnavailable, u, err)
		case resp.StatusCode == http.StatusOK:
			return data, nil
		case resp.StatusCode == http.StatusNotFound:
			return nil, fmt.Errorf("GET %s: %w", u, os.ErrNotExist)
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			last = fmt.Errorf("%w: GET %s: %s", ErrUnavailable, u, resp.Status)
		default:
			return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
		}
	}
	return nil, last
}

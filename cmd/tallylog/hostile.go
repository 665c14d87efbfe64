package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/night"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
	f_note "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// hostileRow is one phase of the hostile-load run: what was sent, how the
// server answered, and the server's peak resident memory during it.
type hostileRow struct {
	Phase   string         `json:"phase"`
	Sent    string         `json:"sent"`
	Answers map[string]int `json:"answers"` // "429 quota" -> count
	PeakMiB float64        `json:"peak_rss_mib"`
	Note    string         `json:"note,omitempty"`
}

// hostileScale is how much each phase sends.
type hostileScale struct {
	reads, imagePuts, claimPuts, agentCopies, packReaders, observerCopies, idleConns int
	uploadBytes                                                                      int64
	slowRead                                                                         time.Duration // how long a slow pack reader keeps reading
}

// runHostile plays issue 14's hostile mix against a real `tallylog serve`
// process on loopback and reports its peak RSS (VmHWM, reset between
// phases) after each: anonymous reads with made-up query strings, slow
// image and claim uploads from many addresses, one key filling a station
// with images and attestations, slow evidence-pack downloads, witnesses
// that answer junk or a cosignature that does not verify, and more idle
// connections than descriptors. Every phase is bounded in count and time;
// the run stops by itself and removes its files.
func runHostile(st *State, args []string) error {
	fs := newFlagSet(st, "hostile", "[--stations N] [--quick] [--phase-time D] [--json]")
	stations := fs.Int("stations", 1500, "polling stations in the simulated election")
	seed := fs.Uint64("seed", 1, "simulation seed")
	quick := fs.Bool("quick", false, "a bounded version that runs in seconds (CI): a tenth of the counts, 1 MiB uploads, tighter quotas")
	phaseTime := fs.Duration("phase-time", 60*time.Second, "longest any hostile phase may run (the honest ingest before them: 30 minutes)")
	jsonOut := fs.Bool("json", false, "print the rows as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx := st.Ctx
	logf := func(format string, a ...any) { fmt.Fprintf(st.Stderr, format+"\n", a...) }
	sc := hostileScale{reads: 300, imagePuts: 120, claimPuts: 100, agentCopies: 20, packReaders: 8, observerCopies: 1200, idleConns: 3000, uploadBytes: 10 << 20, slowRead: 20 * time.Second}
	serveFlags := []string{}
	if *quick {
		sc = hostileScale{reads: 30, imagePuts: 12, claimPuts: 10, agentCopies: 5, packReaders: 2, observerCopies: 60, idleConns: 300, uploadBytes: 1 << 20, slowRead: 2 * time.Second}
		serveFlags = []string{"--attestations-per-station", "30", "--image-bytes-per-station", "3145728", "--max-uploads", "8"}
	}

	work, err := os.MkdirTemp("", "tallylog-hostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	logf("simulating %d stations", *stations)
	el, err := sim.Generate(sim.Config{Seed: *seed, Stations: *stations})
	if err != nil {
		return err
	}
	d := datadir.Dir{Root: filepath.Join(work, "election")}
	if err := createDemo(ctx, d, el, demoConfig{Seed: *seed, Stations: *stations}); err != nil {
		return err
	}
	wits, policy, err := startHostileWitnesses(work)
	if err != nil {
		return err
	}
	defer wits.Close()

	srv, err := startServe(ctx, work, append([]string{"--dir", d.Root, "--addr", "127.0.0.1:0", "--witness-policy", policy}, serveFlags...))
	if err != nil {
		return err
	}
	defer srv.stop()
	logf("server pid %d at %s", srv.pid, srv.base)

	var rows []hostileRow
	phase := func(name, sent string, limit time.Duration, f func(ctx context.Context, a *answers) string) error {
		srv.resetPeak()
		pctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		a := &answers{m: map[string]int{}}
		logf("%s: %s", name, sent)
		note := f(pctx, a)
		if !srv.alive() {
			return fmt.Errorf("the server died during %q: %s", name, srv.tail())
		}
		r := hostileRow{Phase: name, Sent: sent, Answers: a.m, PeakMiB: srv.peakMiB(), Note: note}
		logf("  peak RSS %.0f MiB; answers %v %s", r.PeakMiB, r.Answers, note)
		rows = append(rows, r)
		return ctx.Err()
	}

	// The honest night is the election the attack meets: it gets longer.
	if err := phase("ingest", fmt.Sprintf("the simulated night, %d records, 64 submitters", len(el.Records)), max(*phaseTime, 30*time.Minute), func(ctx context.Context, a *answers) string {
		err := night.Play(ctx, srv.base, el, night.NewClock(el.PollsClose), night.Options{Workers: 64})
		if err != nil {
			return "stopped: " + err.Error()
		}
		a.add("200", len(el.Records))
		return ""
	}); err != nil {
		return err
	}
	h := &hostile{base: srv.base, el: el, sc: sc}
	if err := h.pick(); err != nil {
		return err
	}
	steps := []struct {
		name, sent string
		f          func(ctx context.Context, a *answers) string
	}{
		{"3: anonymous reads", fmt.Sprintf("%d GETs each of stations.csv?n=i, /station/ID?x=i and /flags?page=i&junk=i", sc.reads), h.reads},
		{"5: one key's images", fmt.Sprintf("%d copies of %s by %s naming new %d MiB images, each uploaded", sc.agentCopies, h.station, h.agent, sc.uploadBytes>>20), h.agentImages},
		{"4: slow uploads", fmt.Sprintf("%d slow image PUTs and %d slow claim uploads of %d MiB from %d addresses", sc.imagePuts, sc.claimPuts, sc.uploadBytes>>20, min(200, sc.imagePuts+sc.claimPuts)), h.slowUploads},
		{"5: slow pack downloads", fmt.Sprintf("%d slow downloads of %s's evidence pack", sc.packReaders, h.contest), h.packs},
		{"5: observer flood", fmt.Sprintf("%d observer copies of %s, then its API answer", sc.observerCopies, h.station), h.observerFlood},
		{"6: hostile witnesses", "witnesses answering 200 with 400 MiB of junk and with a cosignature that does not verify, all along", h.witnesses},
		{"7: idle connections", fmt.Sprintf("%d idle connections held, then 20 reads", sc.idleConns), h.idle},
	}
	for _, s := range steps {
		if err := phase(s.name, s.sent, *phaseTime, s.f); err != nil {
			return err
		}
	}
	if *jsonOut {
		return json.NewEncoder(st.Stdout).Encode(map[string]any{"stations": *stations, "records": len(el.Records), "phases": rows})
	}
	fmt.Fprintf(st.Stdout, "hostile load against tallylog serve: %d stations, %d records\n\n", *stations, len(el.Records))
	fmt.Fprintf(st.Stdout, "| phase | sent | answers | server peak RSS | × the honest ingest's peak |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		var ans []string
		for k, v := range r.Answers {
			ans = append(ans, fmt.Sprintf("%d × %s", v, k))
		}
		slices.Sort(ans)
		cell := strings.Join(ans, ", ")
		if r.Note != "" {
			cell += "; " + r.Note
		}
		fmt.Fprintf(st.Stdout, "| %s | %s | %s | %.0f MiB | %.2f |\n", r.Phase, r.Sent, cell, r.PeakMiB, r.PeakMiB/rows[0].PeakMiB)
	}
	return nil
}

// answers counts the server's answers by status and refusal field.
type answers struct {
	mu sync.Mutex
	m  map[string]int
}

func (a *answers) add(k string, n int) {
	a.mu.Lock()
	a.m[k] += n
	a.mu.Unlock()
}

// record counts resp (or err) and returns the refusal's field, if any.
func (a *answers) record(resp *http.Response, err error) string {
	if err != nil {
		a.add("transport error", 1)
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	key := strconv.Itoa(resp.StatusCode)
	var je struct{ Field string }
	if resp.StatusCode >= 400 && json.Unmarshal(body, &je) == nil && je.Field != "" {
		key += " " + je.Field
	}
	a.add(key, 1)
	return je.Field
}

// serveProc is the server under test, a child process.
type serveProc struct {
	cmd  *exec.Cmd
	pid  int
	base string
	errs *os.File
	done chan struct{}
}

// startServe starts `tallylog serve` (this binary) with args and waits for
// its address.
func startServe(ctx context.Context, work string, args []string) (*serveProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if filepath.Base(exe) != "tallylog" {
		if p, err := exec.LookPath("tallylog"); err == nil {
			exe = p // a test binary: the script's tallylog
		}
	}
	errs, err := os.Create(filepath.Join(work, "serve.stderr"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append([]string{"serve"}, args...)...)
	cmd.Stderr = errs
	// The server dies with this process, however this process ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProc{cmd: cmd, pid: cmd.Process.Pid, errs: errs, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), " at http://"); ok && strings.HasPrefix(sc.Text(), "serving ") {
				addr <- "http://" + strings.TrimSuffix(rest, "/")
			}
		}
	}()
	select {
	case a := <-addr:
		p.base = a
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("tallylog serve exited: %s", p.tail())
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, errors.New("tallylog serve did not start within a minute")
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

func (p *serveProc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *serveProc) tail() string {
	b, _ := os.ReadFile(p.errs.Name())
	return string(b[max(0, len(b)-2000):])
}

// stop ends the server with SIGTERM (a clean shutdown), then SIGKILL.
func (p *serveProc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	p.errs.Close()
}

// resetPeak resets the process's peak RSS (VmHWM) to its current RSS.
func (p *serveProc) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0)
}

// peakMiB reads the process's peak RSS since the last reset.
func (p *serveProc) peakMiB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return -1
}

// hostile holds the attacker's choices: a station, its contest, an agent
// key of that contest and the observer's key, from the simulation.
type hostile struct {
	base    string
	el      *sim.Election
	sc      hostileScale
	agent   string
	station string
	contest string
	copyOf  *record.Attestation // an agent's copy to vary
	obsCopy *record.Attestation // the observer's
	images  []hostileImage      // named by the agent's logged copies
	// stations are the first 50 stations with a sheet, for page reads.
	stations []string
}

// hostileImage is an image the attacker can make: size bytes, a 4 KiB
// pattern repeated, so it is never held whole.
type hostileImage struct {
	seed byte
	size int64
	hash string
}

func (im hostileImage) reader() io.Reader {
	pat := bytes.Repeat([]byte{im.seed, 'h', 'o', 's', 't', 'i', 'l', 'e'}, 512)
	copy(pat, "\x89PNG\r\n\x1a\n") // sniffs as an image
	pat[8] = im.seed
	return io.LimitReader(&repeater{pat: pat}, im.size)
}

type repeater struct {
	pat []byte
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.pat[r.off:])
		n += c
		r.off = (r.off + c) % len(r.pat)
	}
	return n, nil
}

func newHostileImage(seed byte, size int64) hostileImage {
	im := hostileImage{seed: seed, size: size}
	h := sha256.New()
	io.Copy(h, im.reader())
	im.hash = hex.EncodeToString(h.Sum(nil))
	return im
}

// pick chooses the station, contest and keys from the simulation's records.
func (h *hostile) pick() error {
	for i := range h.el.Records {
		env, err := record.Open(h.el.Records[i].Entry)
		if err != nil {
			continue
		}
		if sh, ok := env.Record.(*record.Sheet); ok && len(h.stations) < 50 && !slices.Contains(h.stations, sh.Station) {
			h.stations = append(h.stations, sh.Station)
		}
		a, ok := env.Record.(*record.Attestation)
		if !ok || a.Kind != "copy" {
			continue
		}
		switch {
		case h.copyOf == nil && strings.HasPrefix(env.KeyName, "agent."):
			c := *a
			h.copyOf, h.agent, h.station, h.contest = &c, env.KeyName, a.Station, a.Contest
		case h.obsCopy == nil && env.KeyName == sim.ObserverKeyName:
			c := *a
			h.obsCopy = &c
		}
	}
	if h.copyOf == nil || h.obsCopy == nil {
		return errors.New("the simulation has no agent's or observer's copy to start from: use more stations")
	}
	return nil
}

// sign signs r with the simulation's key name.
func (h *hostile) sign(name string, r record.Record) ([]byte, error) {
	s, err := h.el.Signer(name)
	if err != nil {
		return nil, err
	}
	return record.Sign(r, s)
}

func (h *hostile) post(ctx context.Context, entry []byte) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", h.base+"/api/v1/records", bytes.NewReader(entry))
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	return http.DefaultClient.Do(req)
}

// parallel runs f(i) for i in [0, n) on at most w goroutines.
func parallel(ctx context.Context, n, w int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(n, w) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (h *hostile) reads(ctx context.Context, a *answers) string {
	stations := h.stations
	parallel(ctx, 3*h.sc.reads, 32, func(i int) {
		var path string
		switch i % 3 {
		case 0:
			path = fmt.Sprintf("/export/NA/stations.csv?n=%d", i)
		case 1:
			path = fmt.Sprintf("/station/%s?x=%d", stations[i%len(stations)], i)
		case 2:
			path = fmt.Sprintf("/flags?page=%d&junk=%d", i%7+1, i)
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", h.base+path, nil)
		req.Host = fmt.Sprintf("h%d.example", i) // client-chosen hosts
		a.record(http.DefaultClient.Do(req))
	})
	return ""
}

// agentImages logs agent copies naming new images at one station and
// uploads each: the station's and the key's image quotas refuse the rest.
func (h *hostile) agentImages(ctx context.Context, a *answers) string {
	stored := 0
	for i := 0; i < h.sc.agentCopies && ctx.Err() == nil; i++ {
		im := newHostileImage(byte(i), h.sc.uploadBytes)
		c := *h.copyOf
		c.Image = im.hash
		c.Captured = shiftCaptured(c.Captured, i+1)
		entry, err := h.sign(h.agent, &c)
		if err != nil {
			return err.Error()
		}
		if a.record(h.post(ctx, entry)) != "" {
			continue
		}
		h.images = append(h.images, im)
		for try := 0; try < 20; try++ { // the tally applies the copy within a checkpoint
			req, _ := http.NewRequestWithContext(ctx, "PUT", h.base+"/api/v1/images/"+im.hash, im.reader())
			resp, err := http.DefaultClient.Do(req)
			if err == nil && resp.StatusCode == http.StatusServiceUnavailable {
				resp.Body.Close()
				time.Sleep(250 * time.Millisecond)
				continue
			}
			if err == nil && resp.StatusCode == http.StatusNoContent {
				stored++
			}
			a.record(resp, err)
			break
		}
	}
	return fmt.Sprintf("%d images stored", stored)
}

// shiftCaptured moves an RFC 3339 time by s seconds (to make copies distinct).
func shiftCaptured(t string, s int) string {
	tt, err := time.Parse(time.RFC3339, t)
	if err != nil {
		return t
	}
	return tt.Add(time.Duration(s) * time.Second).UTC().Format(time.RFC3339)
}

// slowBody yields r in 64 KiB chunks, one every 50 ms (1.3 MB/s).
type slowBody struct {
	r   io.Reader
	ctx context.Context
}

func (b *slowBody) Read(p []byte) (int, error) {
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-time.After(50 * time.Millisecond):
	}
	return b.r.Read(p[:min(len(p), 64<<10)])
}

// clientFrom returns a client whose connections come from 127.0.0.x.
func clientFrom(x int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+x%200))}, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

func (h *hostile) slowUploads(ctx context.Context, a *answers) string {
	if len(h.images) == 0 {
		return "no image named: skipped"
	}
	n := h.sc.imagePuts + h.sc.claimPuts
	parallel(ctx, n, n, func(i int) {
		im := h.images[i%len(h.images)]
		var req *http.Request
		if i < h.sc.imagePuts {
			req, _ = http.NewRequestWithContext(ctx, "PUT", h.base+"/api/v1/images/"+im.hash, &slowBody{r: im.reader(), ctx: ctx})
		} else {
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				// Errors end the upload: the server may refuse it at once.
				mw.WriteField("station", h.station)
				mw.WriteField("contest", h.contest)
				fw, err := mw.CreateFormFile("image", "photo.png")
				if err == nil {
					_, err = io.Copy(fw, &slowBody{r: im.reader(), ctx: ctx})
				}
				if err == nil {
					err = mw.Close()
				}
				pw.CloseWithError(err)
			}()
			req, _ = http.NewRequestWithContext(ctx, "POST", h.base+"/api/v1/claims", pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
		a.record(clientFrom(i).Do(req))
	})
	return ""
}

func (h *hostile) packs(ctx context.Context, a *answers) string {
	var mu sync.Mutex
	var sizes []int64
	var why string // the first refusal's rule
	parallel(ctx, h.sc.packReaders, h.sc.packReaders, func(i int) {
		rctx, cancel := context.WithTimeout(ctx, h.sc.slowRead)
		defer cancel()
		req, _ := http.NewRequestWithContext(rctx, "GET", h.base+"/api/v1/evidence/"+h.contest, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			a.add("transport error", 1)
			return
		}
		defer resp.Body.Close()
		a.add(strconv.Itoa(resp.StatusCode), 1)
		if resp.StatusCode != http.StatusOK {
			var je struct{ Rule string }
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			mu.Lock()
			if why == "" && json.Unmarshal(body, &je) == nil {
				why = je.Rule
			}
			mu.Unlock()
			return
		}
		mu.Lock()
		sizes = append(sizes, resp.ContentLength)
		mu.Unlock()
		buf := make([]byte, 64<<10)
		for rctx.Err() == nil { // a slow reader: 64 KiB every 100 ms, for at most slowRead
			if _, err := io.ReadFull(resp.Body, buf); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	var out []string
	if len(sizes) > 0 {
		out = append(out, fmt.Sprintf("pack of %.1f MiB", float64(sizes[0])/(1<<20)))
	}
	if why != "" {
		out = append(out, "refused: "+why)
	}
	return strings.Join(out, "; ")
}

func (h *hostile) observerFlood(ctx context.Context, a *answers) string {
	var mu sync.Mutex
	quota := false
	parallel(ctx, h.sc.observerCopies, 8, func(i int) {
		mu.Lock()
		stop := quota
		mu.Unlock()
		if stop {
			a.add("not sent (quota reached)", 1)
			return
		}
		c := *h.obsCopy
		c.Station, c.Contest = h.station, h.contest
		c.Votes, c.Registered, c.Cast, c.Rejected = h.copyOf.Votes, h.copyOf.Registered, h.copyOf.Cast, h.copyOf.Rejected
		c.Captured = shiftCaptured(h.copyOf.Captured, 1000+i)
		entry, err := h.sign(sim.ObserverKeyName, &c)
		if err != nil {
			a.add("unsigned", 1)
			return
		}
		for ctx.Err() == nil {
			resp, err := h.post(ctx, entry)
			if err == nil && resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" {
				var je struct{ Field string }
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				json.Unmarshal(body, &je)
				if je.Field == "rate" { // the key's rate limit: wait as told
					secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
					time.Sleep(time.Duration(max(secs, 1)) * time.Second)
					continue
				}
				a.add("429 "+je.Field, 1)
				return
			}
			if a.record(resp, err) == "quota" {
				mu.Lock()
				quota = true
				mu.Unlock()
			}
			return
		}
	})
	resp, err := http.Get(h.base + "/api/v1/stations/" + h.station)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return fmt.Sprintf("the station's API answer is %.1f KiB", float64(n)/1024)
}

func (h *hostile) witnesses(ctx context.Context, a *answers) string {
	resp, err := http.Get(h.base + "/api/v1/status")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var st struct {
		PublishedSize uint64 `json:"published_size"`
		Witnesses     []struct {
			ID   string
			Last *struct {
				OK      bool
				Problem string
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return err.Error()
	}
	var out []string
	for _, w := range st.Witnesses {
		ok := w.Last != nil && w.Last.OK
		a.add(fmt.Sprintf("witness %s ok=%v", w.ID, ok), 1)
		if !ok && w.Last != nil {
			out = append(out, w.ID+": "+w.Last.Problem)
		}
	}
	return fmt.Sprintf("published size %d; %s", st.PublishedSize, strings.Join(out, "; "))
}

func (h *hostile) idle(ctx context.Context, a *answers) string {
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var rl syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	n := min(h.sc.idleConns, int(rl.Cur)-200)
	addr := strings.TrimPrefix(h.base, "http://")
	for i := 0; i < n && ctx.Err() == nil; i++ {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(1+i%250))}, Timeout: 2 * time.Second}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			a.add("dial error", 1)
			continue
		}
		conns = append(conns, c)
	}
	a.add("idle connections", len(conns))
	start := time.Now()
	var worst time.Duration
	parallel(ctx, 20, 4, func(i int) {
		t0 := time.Now()
		c := &http.Client{Timeout: 30 * time.Second}
		a.record(c.Get(h.base + "/api/v1/summary"))
		if d := time.Since(t0); d > worst {
			worst = d
		}
	})
	return fmt.Sprintf("20 reads in %v (slowest %v) while they were held", time.Since(start).Round(time.Millisecond), worst.Round(time.Millisecond))
}

// hostileWitnesses are three local witnesses: one that cosigns every
// checkpoint, one that answers 200 with 400 MiB of junk, and one that
// answers 200 with a cosignature by another key.
type hostileWitnesses struct{ servers []*http.Server }

func (w *hostileWitnesses) Close() {
	for _, s := range w.servers {
		s.Close()
	}
}

func startHostileWitnesses(work string) (*hostileWitnesses, string, error) {
	w := &hostileWitnesses{}
	var policy strings.Builder
	for _, name := range []string{"good", "junk", "badsig"} {
		skey, vkey, err := note.GenerateKey(rand.Reader, name+".witness.test")
		if err != nil {
			return nil, "", err
		}
		signKey := skey
		if name == "badsig" {
			signKey, _, _ = note.GenerateKey(rand.Reader, name+".witness.test")
		}
		signer, err := f_note.NewSignerForCosignatureV1(signKey)
		if err != nil {
			return nil, "", err
		}
		junk := name == "junk"
		h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if junk {
				buf := bytes.Repeat([]byte("junk"), 16<<10)
				for sent := 0; sent < 400<<20; sent += len(buf) {
					if _, err := rw.Write(buf); err != nil {
						return
					}
				}
				return
			}
			_, cp, _ := bytes.Cut(body, []byte("\n\n"))
			text, _, _ := bytes.Cut(cp, []byte("\n\n"))
			signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
			if err != nil {
				http.Error(rw, err.Error(), 500)
				return
			}
			_, sig, _ := bytes.Cut(signed, []byte("\n\n"))
			rw.Write(sig)
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, "", err
		}
		s := &http.Server{Handler: h}
		go s.Serve(ln)
		w.servers = append(w.servers, s)
		fmt.Fprintf(&policy, "witness %s %s http://%s/\n", name, vkey, ln.Addr())
	}
	policy.WriteString("group witnesses any good junk badsig\nquorum witnesses\n")
	path := filepath.Join(work, "witnesses.txt")
	return w, path, os.WriteFile(path, []byte(policy.String()), 0o644)
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tallylog/tallylog/datadir"
	"github.com/tallylog/tallylog/importer"
	"github.com/tallylog/tallylog/intake"
	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// runImport reads published results (the shared data set) and reports what
// they give: for pk-2024, the declared results against the Form-45 totals PTI
// claimed, seat by seat, and the seats each implies; for pk-2018, the seats of
// the National and provincial assemblies. With --dir it also writes the 2024
// figures as a log whose records are signed by the transcribers' keys.
func runImport(st *State, args []string) error {
	fs := newFlagSet(st, "import", "--source pk-2024|pk-2018 [--data DIR] [--dir OUT | --compare-only] [--join PARTY] [--all] [--json]")
	source := fs.String("source", "", "which results: pk-2024 (National Assembly, declared vs claimed Form-45) or pk-2018 (National and provincial assemblies)")
	data := fs.String("data", "../shared/data", "the shared data `DIR`ectory (holding pakistan/)")
	dir := fs.String("dir", "", "write the transcribed results as a log in `OUT` (pk-2024 only; must not hold an election)")
	compareOnly := fs.Bool("compare-only", false, "only compare and count seats; write no log")
	join := fs.String("join", "", "pk-2024: count the independents the claim labels PTI-backed as having joined `PARTY` in time (for example sic, which filed no lists, or pti)")
	all := fs.Bool("all", false, "list every seat where the sources differ, not only the 20 largest differences")
	jsonOut := fs.Bool("json", false, "print the full report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *compareOnly && *dir != "" {
		return usageError{"--compare-only and --dir exclude each other"}
	}
	switch *source {
	case "pk-2024":
		src, err := importer.Load2024(*data)
		if err != nil {
			return dataError(*data, err)
		}
		rep, err := importer.Analyze2024(src, importer.Options2024{JoinParty: *join})
		if err != nil {
			return err
		}
		if *dir != "" {
			if err := writeLog2024(st, *dir, src); err != nil {
				return err
			}
		}
		if *jsonOut {
			return json.NewEncoder(st.Stdout).Encode(rep)
		}
		print2024(st.Stdout, rep, *all)
		return nil
	case "pk-2018":
		if *dir != "" {
			return usageError{"--dir writes a log for pk-2024 only: a 2018 log needs the 2018 delimitation as a definition, which tallylog has no built-in for (use --compare-only)"}
		}
		if *join != "" {
			return usageError{"--join is for pk-2024"}
		}
		src, err := importer.Load2018(*data)
		if err != nil {
			return dataError(*data, err)
		}
		rep, err := importer.Analyze2018(src)
		if err != nil {
			return err
		}
		if *jsonOut {
			return json.NewEncoder(st.Stdout).Encode(rep)
		}
		print2018(st.Stdout, rep)
		return nil
	case "":
		return usageError{"--source is required: pk-2024 or pk-2018"}
	default:
		return usageError{fmt.Sprintf("unknown --source %q: want pk-2024 or pk-2018", *source)}
	}
}

// dataError says where the data was looked for when it is absent.
func dataError(data string, err error) error {
	if os.IsNotExist(err) {
		return fmt.Errorf("%v: the shared data set is not at %s; pass --data DIR", err, data)
	}
	return err
}

// printProvenance states what the figures are: transcriptions, by whom, of what.
func printProvenance(w io.Writer, role string, p importer.Provenance) {
	fmt.Fprintf(w, "%s: TRANSCRIBED by %s\n  from github.com/%s at commit %s, files %s\n  (records signed by key %s; not an official record)\n",
		role, p.Publisher, p.Repository, p.Commit, strings.Join(p.Files, ", "), importer.SignerName(p))
}

func print2024(w io.Writer, rep *importer.Report2024, all bool) {
	c := rep.Comparison
	printProvenance(w, "declared", rep.Source.DeclaredFrom)
	printProvenance(w, "claimed", rep.Source.ClaimedFrom)
	fmt.Fprintf(w, "\n2024 National Assembly: %d seats compared\n", c.Compared)
	fmt.Fprintf(w, "  sources differ in %d seats; the winner flips in %d; %d seats have a claimed name matching no declared candidate\n", c.Differs, c.Flips, c.Unmatched)
	if len(c.NoClaim) > 0 || len(c.NoDeclare) > 0 {
		fmt.Fprintf(w, "  no claim for: %s; claim without declared result: %s\n", strings.Join(c.NoClaim, " "), strings.Join(c.NoDeclare, " "))
	}
	fmt.Fprintln(w, "\nseats where the winner flips (claimed minus declared votes per candidate):")
	for _, s := range c.Seats {
		if s.Flip {
			fmt.Fprintf(w, "  %-7s %s\n", s.Contest, rowsText(s))
		}
	}
	if c.Unmatched > 0 {
		fmt.Fprintln(w, "\nseats with an unmatched claimed name (kept as declared in the claimed seat count):")
		for _, s := range c.Seats {
			if s.Unmatched {
				fmt.Fprintf(w, "  %-7s %s\n", s.Contest, rowsText(s))
			}
		}
	}
	diff := append([]importer.SeatComparison(nil), c.Seats...)
	sort.SliceStable(diff, func(i, j int) bool { return diff[i].AbsDiff > diff[j].AbsDiff })
	n := 0
	for _, s := range diff {
		if s.Differs {
			n++
		}
	}
	if !all && n > 20 {
		n = 20
	}
	fmt.Fprintf(w, "\nlargest differences (%d of %d seats; --all lists every one):\n", n, c.Differs)
	for _, s := range diff[:n] {
		fmt.Fprintf(w, "  %-7s |diff| %7d  %s\n", s.Contest, s.AbsDiff, rowsText(s))
	}
	fmt.Fprintln(w)
	printOutcomes(w, rep)
}

// rowsText is "name (party) declared→claimed (+diff)" per claimed candidate.
func rowsText(s importer.SeatComparison) string {
	var parts []string
	for _, r := range s.Rows {
		if !r.Matched {
			parts = append(parts, fmt.Sprintf("%s [%s] claimed %d, no declared match", r.Name, r.Label, r.ClaimedVotes))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s [%s] %d→%d (%+d)", r.Declared, r.Label, r.DeclaredVotes, r.ClaimedVotes, r.Diff))
	}
	return strings.Join(parts, "; ")
}

func printOutcomes(w io.Writer, rep *importer.Report2024) {
	if rep.JoinParty != "" {
		fmt.Fprintf(w, "independents labelled %s counted as joining %s in time\n", importer.PTIBacked, rep.JoinParty)
	} else {
		fmt.Fprintln(w, "independents stay independent (out of the reserved-seat count); --join PARTY changes that")
	}
	for _, o := range []struct {
		name string
		out  importer.Outcome
	}{{"declared", rep.Declared}, {"claimed", rep.Claimed}} {
		fmt.Fprintf(w, "\n%s: general seats %s\n", o.name, totalsText(o.out.Totals))
		printHouse(w, o.out.Allocation)
	}
}

func totalsText(ts []importer.PartyTotal) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s %d", t.Party, t.Seats))
	}
	return strings.Join(parts, ", ")
}

func printHouse(w io.Writer, a *importer.Allocation) {
	h := a.House
	fmt.Fprintf(w, "  house (table %s): %d seats, simple majority %d; %d independents, %d vacant, %d pending, %d in lot, %d unallocated\n",
		a.Table, h.Seats, h.Simple.Seats, h.Independents, h.Vacant, h.Pending, h.InLot, h.Unallocated)
	width := len("party")
	for _, m := range h.Members {
		width = max(width, len(m.Party))
	}
	fmt.Fprintf(w, "  %-*s %7s %5s %10s %5s\n", width, "party", "general", "women", "non-muslim", "total")
	for _, m := range h.Members {
		fmt.Fprintf(w, "  %-*s %7d %5d %10d %5d\n", width, m.Party, m.General, m.Women, m.NonMuslim, m.Total)
	}
}

func print2018(w io.Writer, rep *importer.Report2018) {
	printProvenance(w, "results", rep.Source.From)
	fmt.Fprintln(w, "\nindependents stay independent: the 2018 joins are not in the data (see docs/import.md)")
	for _, a := range rep.Assemblies {
		fmt.Fprintf(w, "\n%s: %d constituencies", a.Prefix, a.Seats)
		if len(a.Count.Vacant) > 0 {
			fmt.Fprintf(w, ", vacant %s", strings.Join(a.Count.Vacant, " "))
		}
		fmt.Fprintf(w, "\n  general seats %s\n", totalsText(a.Totals))
		printHouse(w, a.Allocation)
	}
}

// writeLog2024 writes the 2024 sources as a log in dir: the transcribed
// definition, keys for the two transcribers (returning officer of every
// contest for the declared results, observer for the claim), a Form-47
// declaration per seat and an observer's copy per matched claim.
func writeLog2024(st *State, dir string, src *importer.Source2024) error {
	def, err := importer.Definition2024(src.Declared)
	if err != nil {
		return fmt.Errorf("transcribed definition: %w", err)
	}
	d := datadir.Dir{Root: dir}
	if d.Exists() {
		return fmt.Errorf("%s already holds an election; choose another --dir", dir)
	}
	logSKey, logVKey, err := note.GenerateKey(rand.Reader, def.Origin)
	if err != nil {
		return err
	}
	if err := d.Create(&datadir.Meta{Origin: def.Origin, LogKey: logVKey, Election: def.ID}, logSKey); err != nil {
		return err
	}
	keys := map[string]note.Signer{}
	vkeys := map[string]string{}
	for _, name := range []string{"commission." + def.ID, importer.SignerName(src.DeclaredFrom), importer.SignerName(src.ClaimedFrom)} {
		skey, vkey, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			return err
		}
		path := filepath.Join(d.KeysDir(), name+".key")
		if err := datadir.WriteFileAtomic(path, []byte(skey+"\n"), 0o600); err != nil {
			return err
		}
		if err := datadir.WriteFileAtomic(path+".pub", []byte(vkey+"\n"), 0o644); err != nil {
			return err
		}
		keys[name], _ = note.NewSigner(skey)
		vkeys[name] = vkey
	}
	commission := keys["commission."+def.ID]
	genesis, err := registry.Genesis(def, commission, vkeys["commission."+def.ID], time.Now())
	if err != nil {
		return err
	}
	declarer, claimer := importer.SignerName(src.DeclaredFrom), importer.SignerName(src.ClaimedFrom)
	grants := []record.Grant{{Role: "observer", Scope: "*", Key: vkeys[claimer]}}
	for _, c := range def.Contests {
		grants = append(grants, record.Grant{Role: "returning", Scope: c.ID, Key: vkeys[declarer]})
	}
	grantEntries, err := registry.GrantRecords(def.ID, grants, commission)
	if err != nil {
		return err
	}
	if _, err := openLog(st.Ctx, d, "", genesis, grantEntries); err != nil {
		os.RemoveAll(dir)
		return err
	}
	claims := map[string]importer.Claim{}
	for _, c := range src.Claims {
		claims[c.Contest] = c
	}
	var entries [][]byte
	copies := 0
	for _, s := range src.Declared {
		e, err := record.Sign(importer.Declaration(def, s), keys[declarer])
		if err != nil {
			return fmt.Errorf("%s declaration: %w", s.Contest, err)
		}
		entries = append(entries, e)
		if c, ok := claims[s.Contest]; ok {
			if a, ok := importer.Copy(def, s, c); ok {
				e, err := record.Sign(a, keys[claimer])
				if err != nil {
					return fmt.Errorf("%s claimed copy: %w", s.Contest, err)
				}
				entries = append(entries, e)
				copies++
			}
		}
	}
	size, err := appendAll(st.Ctx, d, entries)
	if err != nil {
		return err
	}
	fmt.Fprintf(st.Stderr, "wrote %s: %d entries (%d transcribed declarations signed by %s, %d transcribed claimed copies signed by %s); keys in %s\n  replay it: tallylog verify --log %s --log-key %s\n",
		dir, size, len(src.Declared), declarer, copies, claimer, d.KeysDir(), dir, logVKey)
	return nil
}

// appendAll appends independent records (none refers to another) to the log
// in d, concurrently so that they share durable writes, and waits for a
// checkpoint covering them. It returns the log's size.
func appendAll(ctx context.Context, d datadir.Dir, entries [][]byte) (uint64, error) {
	meta, err := d.ReadMeta()
	if err != nil {
		return 0, err
	}
	signer, err := d.LogSigner()
	if err != nil {
		return 0, err
	}
	lg, err := ledger.Open(ctx, d.LogDir(), signer, meta.LogKey, ledger.Options{CheckpointInterval: 100 * time.Millisecond})
	if err != nil {
		return 0, err
	}
	defer lg.Close(context.Background())
	in, err := intake.New(ctx, lg)
	if err != nil {
		return 0, err
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		max   uint64
		sem   = make(chan struct{}, 64)
	)
	for _, e := range entries {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			i, err := in.Append(ctx, e)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			if i+1 > max {
				max = i + 1
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	if _, _, err := lg.WaitCheckpoint(ctx, max); err != nil {
		return 0, err
	}
	return max, nil
}

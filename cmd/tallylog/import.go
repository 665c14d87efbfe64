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

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/importer"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/node"
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
	dir := fs.String("dir", "", "write the transcribed results as a log in `OUT` (must not hold an election): pk-2024 the DSM table's declarations and claimed copies, pk-2018 the National Assembly's results")
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
		if *dir != "" {
			if err := writeLog2018(st, *dir, src); err != nil {
				return err
			}
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
	h, t := rep.Headline, rep.Transcriptions
	printProvenance(w, "declared (election-day Form 47, top two)", rep.Source.DSMDeclaredFrom)
	printProvenance(w, "claimed (Form 45, top two)", rep.Source.ClaimedFrom)
	printProvenance(w, "declared (every candidate, later results)", rep.Source.DeclaredFrom)
	fmt.Fprintf(w, "\n2024 National Assembly: the claim against the declaration from the same source (DSM table), %d seats compared", h.Compared)
	if len(h.Postponed) > 0 {
		fmt.Fprintf(w, "; postponed (no poll): %s", strings.Join(h.Postponed, " "))
	}
	fmt.Fprintf(w, "\n  the claim differs from the declaration in %d seats; the winner flips in %d\n", h.Differs, h.Flips)
	fmt.Fprintf(w, "  over the two candidates per seat the claim moves %d votes in absolute value, net %+d\n", h.AbsDiff, h.NetDiff)
	if len(h.FlipsBy) > 0 {
		var parts []string
		for _, f := range h.FlipsBy {
			parts = append(parts, fmt.Sprintf("%s→%s %d", f.From, f.To, f.Seats))
		}
		fmt.Fprintf(w, "  flips by party label (declared→claimed): %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, "\nseats where the winner flips (declared→claimed votes per candidate):")
	for _, s := range h.Seats {
		if s.Flip {
			fmt.Fprintf(w, "  %-7s %s%s\n", s.Contest, claimRowsText(s), laterText(s.Later))
		}
	}
	diff := append([]importer.ClaimSeat(nil), h.Seats...)
	sort.SliceStable(diff, func(i, j int) bool { return diff[i].AbsDiff > diff[j].AbsDiff })
	n := h.Differs
	if !all && n > 20 {
		n = 20
	}
	fmt.Fprintf(w, "\nlargest differences (%d of %d seats; --all lists every one):\n", n, h.Differs)
	for _, s := range diff[:n] {
		fmt.Fprintf(w, "  %-7s |diff| %7d  %s%s\n", s.Contest, s.AbsDiff, claimRowsText(s), laterText(s.Later))
	}

	c := t.Candidates
	fmt.Fprintf(w, "\ntranscriptions of the declared result disagree (DSM table's Form 47 against Aiwan-e-Jamhoor's candidate results; not the claim):\n")
	fmt.Fprintf(w, "  %d seats compared: %d agree exactly, %d differ in some figure, %d name different winners (%d of them the later changes below), %d have a name matching no candidate\n",
		c.Compared, t.Agree, c.Differs, len(t.WinnerDiffers), len(t.Later), c.Unmatched)
	fmt.Fprintf(w, "  winner's votes against the Form-47 scan reading: %d seats compared, %d differ\n", t.Form47Compared, len(t.Form47Differ))
	if all {
		for _, f := range t.Form47Differ {
			fmt.Fprintf(w, "    %-7s %s: DSM %d, scan reading %d%s\n", f.Contest, f.Name, f.DSM, f.Reading, map[bool]string{true: " (later change)"}[f.Later])
		}
	}
	fmt.Fprintln(w, "  names that match no candidate, beside the nearest one:")
	for _, s := range c.Seats {
		for _, r := range s.Rows {
			if !r.Matched {
				fmt.Fprintf(w, "    %-7s %q — nearest %q (skeleton distance %d)\n", s.Contest, r.Name, r.Nearest, r.Distance)
			}
		}
	}
	if c.Unmatched == 0 {
		fmt.Fprintln(w, "    none")
	}
	fmt.Fprintln(w, "\nlater changes (recount or tribunal), marked wherever they appear:")
	for _, l := range rep.LaterChanges {
		fmt.Fprintf(w, "  %-7s election day %s; later %s\n", l.Contest, l.Before, l.After)
	}
	fmt.Fprintf(w, "  source: %s\n\n", importer.LaterChanges2024[0].Source)
	printOutcomes(w, rep)
}

// claimRowsText is "name [label] declared→claimed (+diff)" per candidate.
func claimRowsText(s importer.ClaimSeat) string {
	var parts []string
	for _, r := range s.Rows {
		parts = append(parts, fmt.Sprintf("%s [%s] %d→%d (%+d)", r.Name, r.Party, r.Declared, r.Claimed, r.Diff))
	}
	return strings.Join(parts, "; ")
}

// laterText marks a seat whose winner changed after election day.
func laterText(l *importer.LaterChange) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("  [later changed: %s]", l.After)
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
	}{{"declared (Aiwan-e-Jamhoor, later results)", rep.Declared}, {"declared (DSM table, election-day Form 47)", rep.DeclaredForm47}, {"claimed (DSM table, Form 45)", rep.Claimed}} {
		fmt.Fprintf(w, "\n%s: general seats %s", o.name, totalsText(o.out.Totals))
		if len(o.out.Count.Postponed) > 0 {
			fmt.Fprintf(w, "; postponed %s", strings.Join(o.out.Count.Postponed, " "))
		}
		if len(o.out.Count.Vacant) > 0 {
			fmt.Fprintf(w, "; vacant (tie) %s", strings.Join(o.out.Count.Vacant, " "))
		}
		fmt.Fprintln(w)
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
		if len(a.Count.Postponed) > 0 {
			fmt.Fprintf(w, ", postponed %s", strings.Join(a.Count.Postponed, " "))
		}
		if len(a.Count.Vacant) > 0 {
			fmt.Fprintf(w, ", vacant (tie) %s", strings.Join(a.Count.Vacant, " "))
		}
		fmt.Fprintf(w, "\n  general seats %s\n", totalsText(a.Totals))
		printHouse(w, a.Allocation)
	}
}

// writeLog2024 writes the DSM table as a log in dir: the transcribed
// definition (importer.Definition2024), a key for each of the table's two
// transcriptions (the declared figures as presiding and returning officer
// of every seat, the claim as every seat's polling agent), and per seat
// with a poll the declared figures as the station sheet and the Form-47
// declaration and the claim as the agent's copy (importer.Records2024). The
// tally's copy-differs flags then reproduce the comparison seat by seat.
func writeLog2024(st *State, dir string, src *importer.Source2024) error {
	def, err := importer.Definition2024(src.DSM, src.Form47)
	if err != nil {
		return fmt.Errorf("transcribed definition: %w", err)
	}
	declarer, claimer := importer.SignerName(src.DSMDeclaredFrom), importer.SignerName(src.ClaimedFrom)
	return writeTranscribedLog(st, dir, def, []string{declarer, claimer}, func(vkeys map[string]string) []record.Grant {
		var grants []record.Grant
		for _, c := range def.Contests {
			grants = append(grants, record.Grant{Role: "returning", Scope: c.ID, Key: vkeys[declarer]},
				record.Grant{Role: "presiding", Scope: importer.TranscribedStation(c.ID), Key: vkeys[declarer]},
				record.Grant{Role: "agent", Scope: c.ID, Key: vkeys[claimer]})
		}
		return grants
	}, func(keys map[string]note.Signer) ([][]byte, string, error) {
		var entries [][]byte
		seats := 0
		for _, d := range src.DSM {
			sheet, decl, cp, ok := importer.Records2024(def, d)
			if !ok {
				continue
			}
			seats++
			for _, r := range []struct {
				rec    record.Record
				signer string
			}{{sheet, declarer}, {decl, declarer}, {cp, claimer}} {
				e, err := record.Sign(r.rec, keys[r.signer])
				if err != nil {
					return nil, "", fmt.Errorf("%s %s: %w", d.Contest, r.rec.Type(), err)
				}
				entries = append(entries, e)
			}
		}
		return entries, fmt.Sprintf("%d seats: a transcribed sheet and Form-47 declaration signed by %s, a transcribed agent's copy signed by %s", seats, declarer, claimer), nil
	})
}

// writeLog2018 writes the 2018 National Assembly as a log in dir
// (importer.Definition2018): per seat with a poll, its result as the
// synthetic station's sheet and the Form-47 declaration, both signed by the
// transcriber's key as presiding and returning officer.
func writeLog2018(st *State, dir string, src *importer.Source2018) error {
	def, err := importer.Definition2018(src.Seats)
	if err != nil {
		return fmt.Errorf("transcribed 2018 definition: %w", err)
	}
	signer := importer.SignerName(src.From)
	return writeTranscribedLog(st, dir, def, []string{signer}, func(vkeys map[string]string) []record.Grant {
		var grants []record.Grant
		for _, c := range def.Contests {
			grants = append(grants, record.Grant{Role: "returning", Scope: c.ID, Key: vkeys[signer]},
				record.Grant{Role: "presiding", Scope: importer.TranscribedStation(c.ID), Key: vkeys[signer]})
		}
		return grants
	}, func(keys map[string]note.Signer) ([][]byte, string, error) {
		var entries [][]byte
		n := 0
		for _, s := range src.Seats {
			sheet, decl, ok := importer.Records2018(def, s)
			if !ok {
				continue
			}
			n++
			for _, r := range []record.Record{sheet, decl} {
				e, err := record.Sign(r, keys[signer])
				if err != nil {
					return nil, "", fmt.Errorf("%s %s: %w", s.Contest, r.Type(), err)
				}
				entries = append(entries, e)
			}
		}
		return entries, fmt.Sprintf("%d National Assembly seats: a transcribed sheet and Form-47 declaration each, signed by %s", n, signer), nil
	})
}

// writeTranscribedLog creates a log in dir for def, with a commission key
// and the named transcribers' keys (written to the keys folder), the grants
// grant returns, and the records entries returns (independent of each
// other), and says on stderr what it wrote.
func writeTranscribedLog(st *State, dir string, def *election.Definition, signers []string,
	grant func(vkeys map[string]string) []record.Grant, entries func(keys map[string]note.Signer) ([][]byte, string, error)) error {
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
	for _, name := range append([]string{"commission." + def.ID}, signers...) {
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
	grantEntries, err := registry.GrantRecords(def.ID, def.Origin, grant(vkeys), commission)
	if err != nil {
		return err
	}
	if _, err := openLog(st.Ctx, d, "", genesis, grantEntries); err != nil {
		os.RemoveAll(dir)
		return err
	}
	es, what, err := entries(keys)
	if err != nil {
		return err
	}
	size, err := appendAll(st.Ctx, d, es)
	if err != nil {
		return err
	}
	fmt.Fprintf(st.Stderr, "wrote %s: %d entries (%s); keys in %s\n  replay it: tallylog verify --log %s --log-key %s\n",
		dir, size, what, d.KeysDir(), dir, logVKey)
	return nil
}

// appendAll appends independent records (none refers to another) to the log
// in d, concurrently so that they share durable writes, and waits for a
// checkpoint covering them. It returns the log's size.
func appendAll(ctx context.Context, d datadir.Dir, entries [][]byte) (uint64, error) {
	n, err := node.Open(ctx, d, node.Options{Command: "import", Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}})
	if err != nil {
		return 0, err
	}
	defer n.Close(context.Background())
	in := n.Intake
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
	if _, _, err := n.Log.WaitCheckpoint(ctx, max); err != nil {
		return 0, err
	}
	return max, nil
}

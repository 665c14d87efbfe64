package record

// References returns the hashes (hex) of the logged records r names: the
// record a sheet or a declaration supersedes, the order a sheet carries
// out, the sheet an attestation countersigns. Each must be in the log
// before r for r to be admitted, so whoever replays r (a client ordering a
// batch, an evidence pack's selection) needs them first.
func References(r Record) []string {
	var refs []string
	switch r := r.(type) {
	case *Sheet:
		refs = append(refs, r.Supersedes, r.Order)
	case *Declaration:
		refs = append(refs, r.Supersedes)
	case *Attestation:
		refs = append(refs, r.Sheet)
	}
	out := refs[:0]
	for _, h := range refs {
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

package importer

// LaterChange is a seat whose declared winner changed after the election-day
// Form 47: by a recount ordered by the Election Commission or by an election
// tribunal. The DSM table transcribes the election-day Form 47; the
// Aiwan-e-Jamhoor candidate results transcribe the later result. A
// comparison of the two must not count such a seat as a disagreement of
// transcriptions, nor a claim's winner as a "flip" of the later result
// without saying so.
type LaterChange struct {
	Contest string `json:"contest"`
	// Before and After are the winners before and after, as the Form-47
	// reading and the candidate results name them.
	Before string `json:"before"`
	After  string `json:"after"`
	Source string `json:"source"`
}

// laterSource is where LaterChanges2024 comes from: the data set itself.
const laterSource = "aiwan-2024-na-results/UPSTREAM_SOURCES.md (2 Aug 2026): \"FIVE genuine reversals, where the election-day Form-47 winner differs from the later result: NA-79, NA-81, NA-154, NA-251, NA-261\"; the data set does not say which were recounts and which tribunal decisions"

// LaterChanges2024 lists the 2024 National Assembly seats whose winner
// changed after election day, as the data set records them (laterSource).
// TestLaterChangesFromData derives the same five from the data: the seats
// where the Form-47 reading's winner is not the candidate results' winner.
var LaterChanges2024 = []LaterChange{
	{"NA-79", "Ehsanullah Virk (independent)", "Ch. Zulfiqar Ali Bhindar (PML-N)", laterSource},
	{"NA-81", "Ch. Bilal Ejaz (independent)", "Azhar Qayyum Nahra (PML-N)", laterSource},
	{"NA-154", "Rana Muhammad Faraz Noon (independent)", "Abdul Rehman Khan Kanju (PML-N)", laterSource},
	{"NA-251", "Khushal Khan Kakar (PkNAP)", "Maulana Syed Sami Ullah (JUI-F)", laterSource},
	{"NA-261", "Muhammad Akhtar Mengal (BNP)", "Maulana Abdul Ghafoor Haidari (JUI-F)", laterSource},
}

// laterChange returns the seat's later change, if any.
func laterChange(contest string) *LaterChange {
	for i := range LaterChanges2024 {
		if LaterChanges2024[i].Contest == contest {
			return &LaterChanges2024[i]
		}
	}
	return nil
}

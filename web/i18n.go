package web

import "strings"

// provinceNames are the display names of the region codes the built-in
// Pakistan definition uses (election.Pakistan2024), in English and Urdu.
// A region without an entry is shown as its code.
var provinceNames = map[string][2]string{
	"kp":          {"Khyber Pakhtunkhwa", "خیبر پختونخوا"},
	"islamabad":   {"Islamabad Capital Territory", "اسلام آباد"},
	"punjab":      {"Punjab", "پنجاب"},
	"sindh":       {"Sindh", "سندھ"},
	"balochistan": {"Balochistan", "بلوچستان"},
}

// provinceName returns a region's display name in lang ("en" or "ur").
func provinceName(lang, code string) string {
	n, ok := provinceNames[strings.ToLower(code)]
	if !ok {
		return code
	}
	if lang == "ur" {
		return n[1]
	}
	return n[0]
}

package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/tallylog/tallylog/tally"
)

// tag wraps escaped text in an element for th: name is one of the
// elements below, id (optional) its id.
func tag(name, id string, text any) template.HTML {
	switch name {
	case "code", "strong", "em", "bdi":
	default:
		name = "span"
	}
	idAttr := ""
	if id != "" {
		idAttr = ` id="` + template.HTMLEscapeString(id) + `"`
	}
	return template.HTML("<" + name + idAttr + ">" + template.HTMLEscapeString(fmt.Sprint(text)) + "</" + name + ">")
}

// flagText is a flag's sentence in lang. The tally writes its messages in
// English; in Urdu the sentence says what the kind of flag means, and the
// numbers are in the flag's own tables on the contest page.
func flagText(lang string, f tally.Flag) string {
	if lang == "en" {
		return f.Message
	}
	if m, ok := catalogues[lang]["flag:"+f.Kind]; ok {
		return m
	}
	return f.Message
}

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

// The Urdu site. Every page is also served under /ur/ (the same address
// with the prefix), rendered from the same templates with the Urdu
// catalogue (i18n_ur.go) as <html lang="ur" dir="rtl">; links between
// pages keep the prefix. Strings without an Urdu entry stay in English,
// and names come from the definition (local_name) where it has them.

// langOf returns the language a request's address asks for.
func langOf(r *http.Request) string {
	if r.URL.Path == "/ur" || strings.HasPrefix(r.URL.Path, "/ur/") {
		return "ur"
	}
	return "en"
}

// langPrefix is the address prefix of a request's language: "" or "/ur".
func langPrefix(r *http.Request) string {
	if langOf(r) == "ur" {
		return "/ur"
	}
	return ""
}

// htmlPage registers a page at pattern and its Urdu version under /ur.
func (x *site) htmlPage(mux *http.ServeMux, pattern string, f renderFunc) {
	x.page(mux, pattern, f)
	method, path, _ := strings.Cut(pattern, " ")
	x.page(mux, method+" /ur"+path, f)
}

var pagesUr = parsePages("ur")

// pagesIn returns the template sets of lang.
func pagesIn(lang string) map[string]*template.Template {
	if lang == "ur" {
		return pagesUr
	}
	return pages
}

// langFuncs are the template functions that depend on the language.
func langFuncs(lang string) template.FuncMap {
	cat := catalogues[lang]
	return template.FuncMap{
		// t translates a message of the catalogue; with arguments the
		// message is a fmt format (its translation keeps the verbs).
		"t": func(msg string, args ...any) string { return tr(lang, msg, args...) },
		// th is t for messages whose arguments are HTML (from tag):
		// other arguments are escaped.
		"th": func(msg string, args ...any) template.HTML {
			if tr, ok := cat[msg]; ok {
				msg = tr
			}
			for i, a := range args {
				if _, ok := a.(template.HTML); !ok {
					args[i] = template.HTMLEscapeString(fmt.Sprint(a))
				}
			}
			return template.HTML(fmt.Sprintf(template.HTMLEscapeString(msg), args...))
		},
		// tjoin translates each message of a list (flag kinds, say) and
		// joins them with sep.
		"tjoin": func(msgs []string, sep string) string {
			out := make([]string, len(msgs))
			for i, m := range msgs {
				out[i] = tr(lang, m)
			}
			return strings.Join(out, sep)
		},
		"province": func(code string) string { return provinceName(lang, code) },
		"flagText": func(f tally.Flag) string { return flagText(lang, f) },
		"lang":     func() string { return lang },
		"dir": func() string {
			if lang == "ur" {
				return "rtl"
			}
			return "ltr"
		},
		// local picks the Urdu name when the page is in Urdu and there is
		// one.
		"local": func(name, local string) string {
			if lang == "ur" && local != "" {
				return local
			}
			return name
		},
		"when": func(ts string) string { return localTime(lang, ts) },
	}
}

// tr translates msg into lang; with arguments msg is a fmt format.
// Messages without an entry stay as they are.
func tr(lang, msg string, args ...any) string {
	if t, ok := catalogues[lang][msg]; ok {
		msg = t
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// catalogues maps a language to its messages (English message → text).
var catalogues = map[string]map[string]string{"en": {}, "ur": urdu}

// pageLinks are the address prefixes of the site's pages: links to them
// keep the page's language. Other links (downloads, the API, the log's
// files, images) are the same in every language.
var pageLinks = []string{"/assembly/", "/contest/", "/station/", "/entry/", "/flags", "/forensics", "/log\"", "/log?", "/search", "/claim", "/audits", "/receipt", "/snapshot/", "/\"", "/?", "/#"}

// localLinks prefixes the page links of an HTML page (href and action
// attributes) with prefix, except the language switch's
// (data-lang-switch), which leads out of the language.
func localLinks(body []byte, prefix string) []byte {
	var out bytes.Buffer
	for {
		i := bytes.Index(body, []byte(`="/`))
		if i < 0 {
			out.Write(body)
			return out.Bytes()
		}
		attrStart := bytes.LastIndexAny(body[:i], " \t\n")
		attr := string(body[attrStart+1 : i])
		out.Write(body[:i+2])
		rest := body[i+2:]
		tagStart := bytes.LastIndexByte(body[:i], '<')
		switchLink := tagStart >= 0 && bytes.Contains(body[tagStart:i], []byte("data-lang-switch"))
		if (attr == "href" || attr == "action") && !switchLink && isPageLink(rest) {
			out.WriteString(prefix)
		}
		body = rest
	}
}

// isPageLink reports whether a link (starting at its "/") is to a page.
func isPageLink(link []byte) bool {
	end := bytes.IndexByte(link, '"')
	if end < 0 {
		return false
	}
	link = link[:end+1]
	if bytes.HasSuffix(link, []byte(`.svg"`)) {
		return false
	}
	for _, p := range pageLinks {
		if bytes.HasPrefix(link, []byte(p)) {
			return true
		}
	}
	return false
}

// pakistanTime is the zone times are shown in when the definition names
// none that loads.
const pakistanTime = "Asia/Karachi"

// localTime writes an RFC 3339 time in Pakistan time (the definition's
// zone) with its offset, for instance "8 Feb 2024, 20:30 PKT"; text that
// is not a time is returned as it is.
func localTime(lang, ts string) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return ts
	}
	loc, err := time.LoadLocation(pakistanTime)
	if err != nil {
		return ts
	}
	t = t.In(loc)
	zone, _ := t.Zone()
	s := t.Format("2 Jan 2006, 15:04") + " " + zone
	if lang == "ur" {
		return "\u2066" + s + "\u2069"
	}
	return s
}

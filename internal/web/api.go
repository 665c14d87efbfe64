package web

import (
	"net/http"

	"github.com/tallylog/tallylog/tally"
)

// routeAPI serves the read API, documented in docs/api.md. Every answer is
// JSON (proofs are C2SP tlog-proof text), cached per state like the pages,
// with an ETag; errors are the one JSON error shape of errors.go.
//
//	GET /api/v1/summary                  tally.Summary: the deterministic digest
//	GET /api/v1/assemblies               every assembly's summary
//	GET /api/v1/assemblies/{id}          the assembly page's data
//	GET /api/v1/assemblies/{id}/seats    seats won and the reserved-seat allocation
//	GET /api/v1/contests[?assembly=]     every contest's line
//	GET /api/v1/contests/{id}            the constituency page's data
//	GET /api/v1/stations/{id...}         a station's sheets, versions, attestations, flags
//	GET /api/v1/flags[?kind=&assembly=&region=&contest=&severity=&resolved=1&page=]
//	GET /api/v1/forensics/{assembly|contest}/{id}
//	GET /api/v1/log                      the checkpoint and its signatures
//	GET /api/v1/proofs/{index}           an entry's receipt (c2sp.org/tlog-proof@v1)
func (x *site) routeAPI(mux *http.ServeMux) {
	x.page(mux, "GET /api/v1/summary", x.apiSummary)
	x.page(mux, "GET /api/v1/assemblies", x.apiAssemblies)
	x.page(mux, "GET /api/v1/assemblies/{id}", x.apiAssembly)
	x.page(mux, "GET /api/v1/assemblies/{id}/seats", x.apiSeats)
	x.page(mux, "GET /api/v1/contests", x.apiContests)
	x.page(mux, "GET /api/v1/contests/{id}", x.apiContest)
	x.page(mux, "GET /api/v1/stations/{id...}", x.apiStation)
	x.page(mux, "GET /api/v1/flags", x.apiFlags)
	x.page(mux, "GET /api/v1/forensics/{scope}/{id}", x.apiForensics)
	x.page(mux, "GET /api/v1/log", x.apiLog)
	x.page(mux, "GET /api/v1/proofs/{index}", x.apiProof)
}

func (x *site) apiSummary(r *http.Request) (*response, state) {
	var sum *tally.Summary
	st := x.read(func(v *tally.View) { sum = v.Summary(x.asOf()) })
	return &response{status: http.StatusOK, ctype: "application/json", body: sum.JSON(),
		header: map[string]string{"Access-Control-Allow-Origin": "*"}}, st
}

func (x *site) apiAssemblies(r *http.Request) (*response, state) {
	var out []tally.AssemblySummary
	st := x.read(func(v *tally.View) { out = v.Summary(x.asOf()).Assemblies })
	if out == nil {
		out = []tally.AssemblySummary{}
	}
	return jsonResponse(http.StatusOK, out), st
}

func (x *site) apiAssembly(r *http.Request) (*response, state) {
	var data assemblyData
	var ok bool
	st := x.read(func(v *tally.View) { data, ok = x.assemblyOf(v, r.PathValue("id")) })
	if !ok {
		return apiError(http.StatusNotFound, "no assembly "+r.PathValue("id")+": GET /api/v1/assemblies lists them"), st
	}
	return jsonResponse(http.StatusOK, data), st
}

func (x *site) apiSeats(r *http.Request) (*response, state) {
	id := r.PathValue("id")
	var out *tally.AssemblySeats
	st := x.read(func(v *tally.View) {
		for _, a := range v.Seats() {
			if a.Assembly == id {
				out = &a
			}
		}
	})
	if out == nil {
		return apiError(http.StatusNotFound, "no assembly "+id+": GET /api/v1/assemblies lists them"), st
	}
	return jsonResponse(http.StatusOK, out), st
}

func (x *site) apiContests(r *http.Request) (*response, state) {
	assembly := r.URL.Query().Get("assembly")
	out := []contestLine{}
	st := x.read(func(v *tally.View) {
		d := v.Definition()
		if d == nil {
			return
		}
		scans := x.scansOf(v)
		for _, c := range v.Contests(x.asOf()) {
			if assembly == "" || c.Assembly == assembly {
				b := briefOf(d, &c)
				b.Scans = scans[c.ID]
				out = append(out, contestLine{c.Assembly, b})
			}
		}
	})
	return jsonResponse(http.StatusOK, out), st
}

func (x *site) apiContest(r *http.Request) (*response, state) {
	var data contestData
	var ok bool
	st := x.read(func(v *tally.View) { data, ok = x.contestOf(v, r.PathValue("id")) })
	if !ok {
		return apiError(http.StatusNotFound, "no contest "+r.PathValue("id")+": GET /api/v1/contests lists them"), st
	}
	return jsonResponse(http.StatusOK, data), st
}

func (x *site) apiStation(r *http.Request) (*response, state) {
	var sr tally.StationResult
	var ok bool
	st := x.read(func(v *tally.View) {
		if v.Definition() != nil {
			sr, ok = v.Station(r.PathValue("id"))
		}
	})
	if !ok {
		return apiError(http.StatusNotFound, "no station "+r.PathValue("id")+": GET /api/v1/contests/{id} lists a contest's stations"), st
	}
	total := pageAttestations(&sr, attestationPage(r), x.s.limits.cfg.StationAttestations)
	return jsonResponse(http.StatusOK, stationAnswer{sr, total}), st
}

func (x *site) apiFlags(r *http.Request) (*response, state) {
	q, err := parseFlagQuery(r.URL.Query())
	if err != nil {
		return apiError(http.StatusBadRequest, err.Error()), x.current()
	}
	data, current, st := x.flagsOf(q, "en")
	resp := jsonResponse(http.StatusOK, data)
	resp.noStore = !current
	return resp, st
}

func (x *site) apiForensics(r *http.Request) (*response, state) {
	st := x.current()
	scope, id, ok := x.scopeOf(r)
	if !ok {
		return apiError(http.StatusNotFound, "scopes are assembly and contest: GET /api/v1/forensics/assembly/{id}"), st
	}
	rep, current, ok := x.report(scope, id)
	if !ok {
		return apiError(http.StatusNotFound, "no "+scope+" "+id), st
	}
	resp := jsonResponse(http.StatusOK, rep)
	resp.noStore = !current
	return resp, st
}

func (x *site) apiLog(r *http.Request) (*response, state) {
	st := x.current()
	data, err := x.logOf()
	if err != nil {
		return apiError(http.StatusInternalServerError, err.Error()), st
	}
	return jsonResponse(http.StatusOK, data), st
}

// apiProof serves an entry's receipt as text, to save and verify with
// tallylog verify-receipt.
func (x *site) apiProof(r *http.Request) (*response, state) {
	st := x.current()
	index, ok := parseIndex(r.PathValue("index"))
	if !ok {
		return apiError(http.StatusNotFound, "log indexes are decimal numbers from 0"), st
	}
	rc, err := x.proofFor(r.Context(), index)
	if err != nil {
		return apiError(http.StatusNotFound, err.Error()), st
	}
	return &response{status: http.StatusOK, ctype: "text/plain; charset=utf-8", body: rc.Marshal(),
		header: map[string]string{"Access-Control-Allow-Origin": "*",
			"Content-Disposition": `attachment; filename="receipt-` + r.PathValue("index") + `.tlog-proof"`}}, st
}

package main

import (
	"flag"
	"fmt"
	"net"

	"github.com/tallylog/tallylog/internal/web"
)

// limitFlags registers serve's flags for web.Limits (docs/limits.md) and
// returns a function that reads them after parsing.
func limitFlags(fs *flag.FlagSet) func() web.Limits {
	d := web.DefaultLimits
	l := d
	fs.Int64Var(&l.CacheBytes, "cache-bytes", d.CacheBytes, "bytes of rendered pages kept per log state")
	fs.IntVar(&l.MaxConns, "max-conns", d.MaxConns, "connections served at once (lowered to fit ulimit -n less --fd-margin)")
	fs.IntVar(&l.FDMargin, "fd-margin", d.FDMargin, "file descriptors kept free for the log, images and packs")
	fs.IntVar(&l.Uploads, "max-uploads", d.Uploads, "image and claim uploads read at once, in all")
	fs.IntVar(&l.UploadsPerAddr, "max-uploads-per-addr", d.UploadsPerAddr, "uploads read at once from one client address")
	fs.IntVar(&l.Batches, "max-batches", d.Batches, "batch requests (up to 4 MiB each) read and checked at once, in all")
	fs.IntVar(&l.BatchesPerAddr, "max-batches-per-addr", d.BatchesPerAddr, "batch requests read and checked at once from one client address")
	fs.IntVar(&l.ImagesPerStation, "images-per-station", d.ImagesPerStation, "images the records of one station may upload")
	fs.Int64Var(&l.ImageBytesPerStation, "image-bytes-per-station", d.ImageBytesPerStation, "bytes of images of one station")
	fs.IntVar(&l.ImagesPerKey, "images-per-key", d.ImagesPerKey, "images the records of one signing key may upload")
	fs.Int64Var(&l.ImageBytesPerKey, "image-bytes-per-key", d.ImageBytesPerKey, "bytes of images of one signing key")
	fs.IntVar(&l.AttestationsPerStation, "attestations-per-station", d.AttestationsPerStation, "attestations (countersignatures and copies) logged about one station")
	fs.Int64Var(&l.AttestationBytesPerStation, "attestation-bytes-per-station", d.AttestationBytesPerStation, "bytes of attestations about one station")
	fs.IntVar(&l.AttestationsPerKey, "attestations-per-key", d.AttestationsPerKey, "attestations logged by one signing key")
	fs.Int64Var(&l.AttestationBytesPerKey, "attestation-bytes-per-key", d.AttestationBytesPerKey, "bytes of attestations by one signing key")
	fs.IntVar(&l.StationAttestations, "station-attestations", d.StationAttestations, "attestations per contest in one page of a station's answer")
	fs.Int64Var(&l.PackBytes, "max-pack-bytes", d.PackBytes, "largest evidence pack the server builds")
	return func() web.Limits { return l }
}

// limitListen listens on addr with the server's connection limit.
func limitListen(srv *web.Server, addr string) (net.Listener, int, error) {
	n, err := srv.ConnLimit()
	if err != nil {
		return nil, 0, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, 0, fmt.Errorf("--addr %s: %v", addr, err)
	}
	return web.LimitListener(ln, n), n, nil
}

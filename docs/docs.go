// Package docs holds tallylog's documentation. The read API's reference
// (api.md) is embedded so that the server can serve it at /docs/api.md,
// beside the API it describes.
package docs

import _ "embed"

// API is api.md, the read API's reference.
//
//go:embed api.md
var API []byte

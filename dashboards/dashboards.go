// Package dashboards holds the browser pages of the desk, embedded in the
// binary: the wallboard ("/", index.html with wallboard.js) that department
// leads keep open on a wall screen, and the intake form ("/new", new.html
// with intake.js) that call-center agents fill in.
//
// The pages are plain HTML, CSS and JavaScript with no build step and no
// external resources, since desk machines are often offline. They talk to
// the API under /api/v1 with the bearer token taken from the URL fragment
// (#token=...) or the browser's localStorage (shared.js).
package dashboards

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the pages, rooted at the directory that holds index.html.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// "static" is a constant, valid path embedded above.
		panic("dashboards: " + err.Error())
	}
	return sub
}

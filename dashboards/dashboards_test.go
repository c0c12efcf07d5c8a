package dashboards

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// refRE finds the files a page loads: src="..." and href="...".
var refRE = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)

// pages and the local files each must load.
var pages = map[string][]string{
	"index.html": {"style.css", "shared.js", "wallboard.js"},
	"new.html":   {"style.css", "shared.js", "intake.js"},
}

func TestPagesAndTheirFilesAreEmbedded(t *testing.T) {
	fsys := FS()
	for page, must := range pages {
		b, err := fs.ReadFile(fsys, page)
		if err != nil {
			t.Fatalf("%s not embedded: %v", page, err)
		}
		refs := map[string]bool{}
		for _, m := range refRE.FindAllStringSubmatch(string(b), -1) {
			ref := m[1]
			switch {
			case strings.Contains(ref, "://") || strings.HasPrefix(ref, "//"):
				t.Errorf("%s loads %q: the desk may be offline, serve it locally", page, ref)
				continue
			case ref == "" || strings.HasPrefix(ref, "#") || ref == "./" || ref == "new":
				continue // links between pages, served by the API as / and /new
			}
			name := path.Clean(strings.TrimPrefix(strings.SplitN(ref, "?", 2)[0], "/"))
			refs[name] = true
			if _, err := fs.Stat(fsys, name); err != nil {
				t.Errorf("%s references %q, which is not embedded: %v", page, ref, err)
			}
		}
		for _, f := range must {
			if !refs[f] {
				t.Errorf("%s does not load %s", page, f)
			}
		}
	}
}

func TestNoExternalResourcesInScriptsAndStyles(t *testing.T) {
	urlRE := regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`)
	err := fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS(), p)
		if err != nil {
			return err
		}
		if m := urlRE.Find(b); m != nil {
			t.Errorf("%s refers to %q: no external resources allowed", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServedOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.FileServerFS(FS()))
	defer srv.Close()
	for _, p := range []string{"/", "/new.html", "/wallboard.js", "/intake.js", "/shared.js", "/style.css"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d", p, resp.StatusCode)
		}
	}
}

// TestScripts checks the scripts' syntax and runs the unit tests of their
// browser-free parts (shared.js's helpers, wallboard.js's Board) under node,
// when node is installed.
func TestScripts(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed: install Node.js (apt-get install nodejs) to run the dashboards JavaScript unit tests")
	}
	dir := t.TempDir()
	for _, name := range []string{"shared.js", "wallboard.js", "intake.js"} {
		b, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
	for _, test := range [][]string{
		{"testdata/shared_test.js", filepath.Join(dir, "shared.js")},
		{"testdata/board_test.js", filepath.Join(dir, "shared.js"), filepath.Join(dir, "wallboard.js")},
	} {
		if out, err := exec.Command(node, test...).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", test[0], err, out)
		}
	}
}

package plugins_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/switchboard-desk/switchboard"

// TestImportBoundaries keeps the plugin contract honest: sdk/ imports
// nothing else of the module (neither daemon/ nor plugins/), and plugins/
// imports only sdk/ and itself, so a third-party plugin never pulls in the
// server. Test code is checked too.
func TestImportBoundaries(t *testing.T) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))

	cmd := exec.Command("go", "list", "-e", "-test",
		"-f", `{{.ImportPath}}|{{join .Deps " "}}`, "./sdk/...", "./plugins/...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}

	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		pkg, deps, ok := strings.Cut(sc.Text(), "|")
		if !ok {
			continue
		}
		base := variantOf(pkg)
		seen[base] = true
		allowed := []string{module + "/sdk"}
		if under(base, module+"/plugins") {
			allowed = append(allowed, module+"/plugins")
		}
		for _, dep := range strings.Fields(deps) {
			dep = variantOf(dep)
			if !under(dep, module) {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || under(dep, a)
			}
			if !ok {
				t.Errorf("%s imports %s (directly or not); allowed within the module: %v", pkg, dep, allowed)
			}
		}
	}
	for _, must := range []string{module + "/sdk", module + "/sdk/sdktest", module + "/plugins", module + "/plugins/engineering"} {
		if !seen[must] {
			t.Errorf("go list did not report %s; the check saw %v", must, seen)
		}
	}
}

// variantOf maps a test variant ("x [x.test]", "x_test [x.test]",
// "x.test") to the package x it tests.
func variantOf(pkg string) string {
	pkg, _, _ = strings.Cut(pkg, " ")
	return strings.TrimSuffix(strings.TrimSuffix(pkg, ".test"), "_test")
}

func under(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

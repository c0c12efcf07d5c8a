package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestScanKeysMatchesDecoder checks, on the default config, that the
// scanner finds every key the decoder reports, in the same order.
func TestScanKeysMatchesDecoder(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	md, err := toml.Decode(string(src), &v)
	if err != nil {
		t.Fatal(err)
	}
	scanned := scanKeys(string(src))
	keys := md.Keys()
	if len(scanned) != len(keys) {
		t.Fatalf("scanned %d keys, decoder has %d", len(scanned), len(keys))
	}
	for i, k := range keys {
		if scanned[i].key != k.String() {
			t.Fatalf("key %d: scanned %q (line %d), decoder %q", i, scanned[i].key, scanned[i].line, k)
		}
	}
}

func TestScanKeys(t *testing.T) {
	src := "a = 1\n" + // 1
		"[t]\n" + // 2
		"b.'c d' = \"x\\\"y\"\n" + // 3
		"e = '''\n" + // 4
		"f = 1\n" + // 5
		"'''\n" + // 6
		"g = [ { h = 1 }, # c\n" + // 7
		"  2 ]\n" + // 8
		"[[u.v]] # c\n" + // 9
		"i = { j = { k = true } }\n" // 10
	want := []keyPos{
		{key: "a", line: 1, value: "1", kind: "int64"},
		{key: "t", line: 2},
		{key: `t.b."c d"`, line: 3, value: `x"y`, kind: "string"},
		{key: "t.e", line: 4, value: "f = 1\n", kind: "string"},
		{key: "t.g", line: 7, value: "[ { h = 1 }, # c\n  2 ]", kind: "[]any"},
		{key: "u.v", line: 9},
		{key: "u.v.i", line: 10, value: "{ j = { k = true } }", kind: "map[string]any"},
		{key: "u.v.i.j", line: 10, value: "{ k = true }", kind: "map[string]any"},
		{key: "u.v.i.j.k", line: 10, value: "true", kind: "bool"},
	}
	got := scanKeys(src)
	if len(got) != len(want) {
		t.Fatalf("got %d keys %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("key %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// FuzzScanKeys checks that the scanner never panics or loops, whatever it
// is given.
func FuzzScanKeys(f *testing.F) {
	for _, s := range []string{"", "[", "[[a", "a = {", "a = [", `a = "`, `a = """`, "a = '''\n", "a = { b = [ {", "= = =", "a.\"b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { scanKeys(s) })
}

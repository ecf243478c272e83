package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/wrap"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the output")

// epoch is when the test directories' clocks start, so that timestamps
// in golden output stay put.
var epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// clock returns a clock that starts at epoch and moves a millisecond at
// each reading: a listing ordered by time (Logto's, newest first) then
// has one order, while the times printed, to the minute, stay epoch's.
func clock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return epoch.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// cheap makes memory's password hashes fast.
var cheap = memory.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}

// harness runs the command in-process over directories that outlive each
// invocation: every URL in dirs opens the same directory each time, as a
// provider's tenant would.
type harness struct {
	t    *testing.T
	dirs map[string]*identity.Directory
	// env is added to the environment of every run.
	env map[string]string
	// stdin and terminal settings of the next run.
	stdin     string
	terminal  bool
	passwords [][]byte
	// labels maps each id met so far to a stable name, for golden output.
	labels []label
	// opened records the environment each Open saw, by URL.
	mu     sync.Mutex
	opened map[string]func(string) string
}

type label struct{ id, name string }

// result is one run: its exit status and what it printed.
type result struct {
	code           int
	stdout, stderr string
}

// newHarness returns a harness whose "memory://test" is a memory
// directory on the fixed clock.
func newHarness(t *testing.T) *harness {
	t.Helper()
	dir, err := memory.New(context.Background(), memory.Options{Hash: cheap, Now: clock()})
	require.NoError(t, err)
	t.Cleanup(func() { dir.Close() })
	return &harness{t: t, dirs: map[string]*identity.Directory{"memory://test": dir}, env: map[string]string{}, opened: map[string]func(string) string{}}
}

func (h *harness) dir() *identity.Directory { return h.dirs["memory://test"] }

// open is the harness's Env.Open: the directory of the URL, behind a
// Close that leaves it open for the next run.
func (h *harness) open(ctx context.Context, urlstr string, getenv func(string) string) (*identity.Directory, error) {
	h.mu.Lock()
	h.opened[urlstr] = getenv
	h.mu.Unlock()
	d, ok := h.dirs[urlstr]
	if !ok {
		return openURL(ctx, urlstr, getenv)
	}
	return identity.NewDirectory(d.Backend(), keepOpen{wrap.Backend{Dir: d}}), nil
}

type keepOpen struct{ wrap.Backend }

func (keepOpen) Close() error { return nil }

// run runs the command line over the harness's directories, with
// IDENTITY_URL set to memory://test unless the harness's env says
// otherwise.
func (h *harness) run(args ...string) result {
	h.t.Helper()
	return h.runCtx(context.Background(), args...)
}

func (h *harness) runCtx(ctx context.Context, args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	env := Env{
		Stdin:  strings.NewReader(h.stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string {
			if v, ok := h.env[k]; ok {
				return v
			}
			if k == EnvURL {
				return "memory://test"
			}
			return ""
		},
		StdinTerminal:  h.terminal,
		StdoutTerminal: h.terminal,
		StderrTerminal: h.terminal,
		Open:           h.open,
	}
	if h.terminal {
		env.ReadPassword = func() ([]byte, error) {
			if len(h.passwords) == 0 {
				return nil, fmt.Errorf("no more input")
			}
			p := h.passwords[0]
			h.passwords = h.passwords[1:]
			return p, nil
		}
	}
	code := run(ctx, args, env)
	h.stdin = ""
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// ok runs the command line and requires it to succeed, printing nothing
// on stderr.
func (h *harness) ok(args ...string) string {
	h.t.Helper()
	r := h.run(args...)
	require.Equal(h.t, 0, r.code, "identity %s: stderr %q", strings.Join(args, " "), r.stderr)
	assert.Empty(h.t, r.stderr, "identity %s", strings.Join(args, " "))
	return r.stdout
}

// name gives id a stable name in golden output: kind and a number, padded
// with dots to the id's length so that table columns keep their width.
func (h *harness) name(id, kind string) {
	for _, l := range h.labels {
		if l.id == id {
			return
		}
	}
	n := 1
	for _, l := range h.labels {
		if strings.HasPrefix(l.name, kind+"-") {
			n++
		}
	}
	name := fmt.Sprintf("%s-%d", kind, n)
	if len(name) < len(id) {
		name += strings.Repeat(".", len(id)-len(name))
	}
	h.labels = append(h.labels, label{id: id, name: name})
}

// normalise replaces every named id in s by its name.
func (h *harness) normalise(s string) string {
	for _, l := range h.labels {
		s = strings.ReplaceAll(s, l.id, l.name)
	}
	return s
}

// golden compares s, normalised, with testdata/name.golden, or rewrites
// that file under -update.
func (h *harness) golden(name, s string) {
	h.t.Helper()
	s = h.normalise(s)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(h.t, os.MkdirAll("testdata", 0o755))
		require.NoError(h.t, os.WriteFile(path, []byte(s), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(h.t, err, "run go test -update to write %s", path)
	assert.Equal(h.t, string(want), s, "output differs from %s (go test -update rewrites it)", path)
}

func wrapOf(d *identity.Directory) wrap.Backend { return wrap.Backend{Dir: d} }

// withCaps is d with the capabilities change makes, for a backend that
// lacks what memory has.
func withCaps(t *testing.T, d *identity.Directory, change func(*identity.Capabilities)) *identity.Directory {
	t.Helper()
	caps := d.Capabilities()
	change(&caps)
	return identity.NewDirectory(d.Backend(), capsBackend{keepOpen{wrapOf(d)}, caps})
}

type capsBackend struct {
	keepOpen
	caps identity.Capabilities
}

func (c capsBackend) Capabilities() identity.Capabilities { return c.caps }

// failing is a backend whose GetUser fails with code, as a provider's
// would.
type failing struct {
	keepOpen
	code identity.Code
}

func (f failing) GetUser(context.Context, string) (*identity.User, error) {
	return nil, &identity.Error{Code: f.code, Message: "injected"}
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

// goldenReport is golden for an import's or a copy's report, whose
// reasons are cut at their first parenthesis or colon: what follows
// quotes a provider's or a backend's own wording, which these tests are
// not of, and which changes with it.
func (h *harness) goldenReport(name, s string) {
	h.t.Helper()
	lines := strings.Split(s, "\n")
	col := -1
	for i, l := range lines {
		if j := strings.Index(l, "REASON"); j >= 0 && strings.HasSuffix(l, "REASON") {
			col = j
			continue
		}
		if l == "" {
			col = -1
		}
		if col < 0 || len(l) <= col {
			continue
		}
		reason := l[col:]
		if k := strings.IndexAny(reason, "(:"); k >= 0 {
			reason = strings.TrimSpace(reason[:k]) + " ..."
		}
		lines[i] = l[:col] + reason
	}
	h.golden(name, strings.Join(lines, "\n"))
}

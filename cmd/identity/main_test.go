package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
)

// asMain, set in a child process's environment, makes the test binary
// run main with the arguments after "--", so that the signal handling
// main sets up is tested as a user meets it.
const asMain = "IDENTITY_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"identity"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// slowSource is a Logto emulator holding users, each request answered
// after a delay, so that a copy from it lasts long enough to interrupt.
func slowSource(t *testing.T, users int) string {
	t.Helper()
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret", Latency: 20 * time.Millisecond})
	ctx := t.Context()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	defer dir.Close()
	for i := range users {
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("u%03d@example.com", i)})
		require.NoError(t, err)
	}
	return logtoURL(srv)
}

// startMain starts the command as its own process.
func startMain(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), asMain+"=1", logto.EnvAppID+"=m2m", logto.EnvAppSecret+"=s3cret")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &stdout, &stderr
}

// waitForJournal waits until the journal has lines, that is until the
// copy is under way.
func waitForJournal(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && bytes.Count(b, []byte("\n")) >= 2 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the copy never started")
}

func TestInterruptMain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	src := slowSource(t, 60)
	journal := filepath.Join(t.TempDir(), "copy.journal")

	cmd, stdout, stderr := startMain(t, "copy", src, "memory://", "--journal", journal, "--concurrency", "1")
	waitForJournal(t, journal)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v; stderr %q", err, stderr.String())
	assert.Equal(t, exitInterrupted, exit.ExitCode(), "stderr %q", stderr.String())
	assert.Contains(t, stdout.String(), "CREATED  MATCHED", "the partial report")
	assert.Contains(t, stderr.String(), "identity copy: interrupted")
	b, err := os.ReadFile(journal)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(b), "\n"), "the journal ends on a whole line")

}

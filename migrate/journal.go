package migrate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// creating is the journal's word for a user Copy is about to create, or
// has created and not yet finished: not an Outcome, since no Report
// holds it.
const creating = "creating"

// journalLine is one line of the journal.
type journalLine struct {
	SourceID      string `json:"source_id"`
	DestinationID string `json:"destination_id,omitempty"`
	// Outcome is an Outcome, or "creating".
	Outcome string `json:"outcome"`
	// Owned: Copy created the destination's user, so that a rerun
	// finishes it as its own.
	Owned  bool      `json:"owned,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
}

// prior is what the journal says of one source user: its last line.
type prior struct {
	outcome       string
	destinationID string
	owned         bool
}

func (p prior) done() bool { return Outcome(p.outcome).terminal() }

// journal appends lines to the file; it is safe for concurrent use.
type journal struct {
	mu  sync.Mutex
	f   *os.File
	err error // the first write error; later writes are not tried
}

// readJournal reads the journal at path, if there is one, into the last
// line of each source user. A last line that does not parse is what a
// crash in the middle of a write leaves: it is ignored, and keep, the
// length of the file up to it, tells openJournal where to cut it off. A
// whole last line without its line ending gets one (newline). Any other
// line that does not parse is InvalidArgument naming it: the file is not
// a journal.
func readJournal(path string) (lines map[string]prior, keep int64, newline bool, err error) {
	lines = map[string]prior{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return lines, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("migrate: reading the journal: %w", err)
	}
	defer f.Close()
	// Read as a stream: a journal of a million users is hundreds of
	// megabytes, of which only the last line of each user is kept.
	br := bufio.NewReaderSize(f, 64<<10)
	var off int64
	for n := 1; ; n++ {
		raw, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return nil, 0, false, fmt.Errorf("migrate: reading the journal: %w", rerr)
		}
		if len(raw) == 0 {
			return lines, off, false, nil
		}
		line := bytes.TrimRight(raw, "\r\n")
		if len(bytes.TrimSpace(line)) > 0 {
			var l journalLine
			if err := json.Unmarshal(line, &l); err != nil || l.SourceID == "" || l.Outcome == "" {
				if _, perr := br.Peek(1); errors.Is(perr, io.EOF) {
					return lines, off, false, nil
				}
				return nil, 0, false, lineError(n, "Journal", "the journal %s has a line that is not one Copy wrote; is it a journal?", path)
			}
			lines[l.SourceID] = prior{outcome: l.Outcome, destinationID: l.DestinationID, owned: l.Owned || l.Outcome == creating}
		}
		off += int64(len(raw))
		if errors.Is(rerr, io.EOF) {
			return lines, off, raw[len(raw)-1] != '\n', nil
		}
	}
}

// openJournal opens the journal for appending, first cutting off a torn
// last line at keep, or ending a last line without its line ending.
func openJournal(path string, keep int64, newline bool) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("migrate: opening the journal: %w", err)
	}
	fail := func(err error) (*journal, error) {
		_ = f.Close()
		return nil, fmt.Errorf("migrate: opening the journal: %w", err)
	}
	if st, err := f.Stat(); err != nil {
		return fail(err)
	} else if st.Size() > keep {
		if err := f.Truncate(keep); err != nil {
			return fail(err)
		}
	}
	if newline {
		if _, err := f.Write([]byte("\n")); err != nil {
			return fail(err)
		}
	}
	return &journal{f: f}, nil
}

// write appends l as one write, so that a crash leaves at most the last
// line torn. A nil journal writes nothing.
func (j *journal) write(l journalLine) error {
	if j == nil {
		return nil
	}
	l.Time = time.Now().UTC()
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("migrate: writing the journal: %w", err)
	}
	b = append(b, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if _, err := j.f.Write(b); err != nil {
		j.err = fmt.Errorf("migrate: writing the journal: %w", err)
	}
	return j.err
}

// close syncs the journal to disk and closes it.
func (j *journal) close() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.err
	if serr := j.f.Sync(); serr != nil && err == nil && !errors.Is(serr, io.EOF) {
		err = fmt.Errorf("migrate: syncing the journal: %w", serr)
	}
	if cerr := j.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("migrate: closing the journal: %w", cerr)
	}
	return err
}

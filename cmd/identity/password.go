package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/idport/identity"
)

// readPassword reads a password: the first line of stdin when fromStdin,
// else from the terminal, twice and without echo. A password is never a
// flag's value, where it would reach the shell's history and every
// process listing.
func (c *cli) readPassword(fromStdin bool) (identity.Secret, error) {
	var pw []byte
	if fromStdin {
		line, err := readLine(c.env.Stdin)
		if err != nil {
			return "", err
		}
		pw = line
	} else {
		if !c.env.StdinTerminal || c.env.ReadPassword == nil {
			return "", usagef("stdin is not a terminal to ask for the password on; pass --password-stdin")
		}
		fmt.Fprint(c.env.Stderr, "Password: ")
		a, err := c.env.ReadPassword()
		fmt.Fprintln(c.env.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		fmt.Fprint(c.env.Stderr, "Password again: ")
		b, err := c.env.ReadPassword()
		fmt.Fprintln(c.env.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		same := bytes.Equal(a, b)
		clear(b)
		if !same {
			clear(a)
			return "", &statusError{code: exitInvalidArgument, msg: "the two passwords differ"}
		}
		pw = a
	}
	if len(pw) == 0 {
		return "", &statusError{code: exitInvalidArgument, msg: "the password is empty"}
	}
	s := identity.Secret(pw)
	clear(pw)
	return s, nil
}

// maxLine bounds the line readLine reads: far above any password a
// backend takes (identity.MaxPasswordLen bytes), so that the directory's
// own check is what refuses a long one, yet no unbounded read.
const maxLine = 4 * identity.MaxPasswordLen

// readLine reads one line of r, without its "\n" or "\r\n". The end of
// input ends the line too.
func readLine(r io.Reader) ([]byte, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxLine+2), 64)
	var line []byte
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the password from stdin: %w", err)
		}
		if b == '\n' {
			break
		}
		line = append(line, b)
		if len(line) > maxLine {
			clear(line)
			return nil, &statusError{code: exitInvalidArgument, msg: fmt.Sprintf("the password on stdin is longer than %d bytes", maxLine)}
		}
	}
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

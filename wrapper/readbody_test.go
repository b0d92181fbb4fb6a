package wrapper

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// closeRecorder records whether Close was called on a body.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error {
	c.closed = true
	return nil
}

func TestReadBody(t *testing.T) {
	const limit = 16
	errCut := errors.New("connection reset")

	tests := []struct {
		name          string
		body          io.Reader
		contentLength int64
		want          string
		wantTruncated bool
		wantErr       error
	}{
		{name: "known length", body: strings.NewReader("0123456789"), contentLength: 10, want: "0123456789"},
		{name: "unknown length", body: strings.NewReader("0123456789"), contentLength: -1, want: "0123456789"},
		{name: "empty known", body: strings.NewReader(""), contentLength: 0, want: ""},
		{name: "empty unknown", body: strings.NewReader(""), contentLength: -1, want: ""},
		{name: "exactly the limit", body: strings.NewReader("0123456789abcdef"), contentLength: limit, want: "0123456789abcdef"},
		{name: "over the limit known", body: strings.NewReader("0123456789abcdefXYZ"), contentLength: 19, want: "0123456789abcdef", wantTruncated: true},
		{name: "over the limit unknown", body: strings.NewReader("0123456789abcdefXYZ"), contentLength: -1, want: "0123456789abcdef", wantTruncated: true},
		{name: "longer than its length", body: strings.NewReader("0123456789"), contentLength: 4, want: "0123456789"},
		{name: "longer than its length and the limit", body: strings.NewReader("0123456789abcdefXYZ"), contentLength: 4, want: "0123456789abcdef", wantTruncated: true},
		{name: "one byte per read", body: iotest.OneByteReader(strings.NewReader("0123456789")), contentLength: 10, want: "0123456789"},
		{name: "EOF with the data", body: iotest.DataErrReader(strings.NewReader("0123456789")), contentLength: 10, want: "0123456789"},
		{name: "cut known", body: io.MultiReader(strings.NewReader("01234"), iotest.ErrReader(errCut)), contentLength: 10, wantErr: errCut},
		{name: "cut unknown", body: io.MultiReader(strings.NewReader("01234"), iotest.ErrReader(errCut)), contentLength: -1, wantErr: errCut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := &closeRecorder{Reader: tc.body}
			got, truncated, err := readBody(body, tc.contentLength, limit)

			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("readBody() error = %v, want %v", err, tc.wantErr)
			}
			if !body.closed {
				t.Errorf("readBody() left the body open")
			}
			if tc.wantErr != nil {
				return
			}
			if !bytes.Equal(got, []byte(tc.want)) {
				t.Errorf("readBody() = %q, want %q", got, tc.want)
			}
			if got == nil {
				t.Errorf("readBody() = nil, want an empty, non-nil slice")
			}
			if truncated != tc.wantTruncated {
				t.Errorf("readBody() truncated = %t, want %t", truncated, tc.wantTruncated)
			}
		})
	}
}

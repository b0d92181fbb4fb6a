package clerkfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// readRequestBody reads the whole body of r and puts it back as an in-memory
// reader, so that kin-openapi and the handler can read it again. The
// Server has capped the body at maxRequestBodyBytes, and a larger body gets a
// 413.
func readRequestBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}

	data, err := io.ReadAll(r.Body)
	_ = r.Body.Close() // Closing a server request body only stops further reads.
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, errRequestBodyTooLarge(tooLarge.Limit)
	}
	if err != nil {
		return nil, errRequestBodyReadFailed(err)
	}

	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

// checkJSONBody rejects three things that kin-openapi v0.153.0 accepts in a
// JSON request body but RFC 8259 does not allow. They are a charset other than
// UTF-8, bytes that are not UTF-8, and data after the first JSON value.
// kin-openapi has already decoded the first JSON value of body.
//
// NOTE: duplicate member names, such as two "identifier" properties, are
// accepted and the last one wins, as in encoding/json.
func checkJSONBody(contentType string, body []byte) *apiError {
	if apiErr := checkCharset(contentType); apiErr != nil {
		return apiErr
	}

	if !utf8.Valid(body) {
		offset := invalidUTF8Offset(body)
		return errRequestBodyNotJSONText(fmt.Sprintf("request body is not valid UTF-8: byte 0x%02x at byte offset %d", body[offset], offset))
	}

	decoder := json.NewDecoder(bytes.NewReader(body))
	var first json.RawMessage
	if err := decoder.Decode(&first); err != nil {
		return errRequestBodyNotJSONText(fmt.Sprintf("request body is not valid JSON: %v", err))
	}

	// JSON whitespace is space, tab, line feed and carriage return.
	rest := bytes.TrimLeft(body[decoder.InputOffset():], " \t\n\r")
	if len(rest) == 0 {
		return nil
	}
	offset := len(body) - len(rest)

	var second json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(rest)).Decode(&second); err == nil {
		return errRequestBodyNotJSONText(fmt.Sprintf("request body contains a second JSON value at byte offset %d", offset))
	}
	return errRequestBodyNotJSONText(fmt.Sprintf("request body contains data after the JSON value at byte offset %d", offset))
}

// checkCharset accepts a Content-Type header without a charset parameter or
// with charset=utf-8 in any letter case. kin-openapi has already checked the
// media type and ignores parameters.
func checkCharset(contentType string) *apiError {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return errContentTypeInvalid(contentType, err)
	}

	if charset, ok := params["charset"]; ok && !strings.EqualFold(charset, "utf-8") {
		return errCharsetNotUTF8(charset)
	}
	return nil
}

// invalidUTF8Offset returns the byte offset of the first byte in data that
// does not start a valid UTF-8 encoding, or len(data) when data is valid.
func invalidUTF8Offset(data []byte) int {
	offset := 0
	for offset < len(data) {
		r, size := utf8.DecodeRune(data[offset:])
		if r == utf8.RuneError && size == 1 {
			return offset
		}
		offset += size
	}
	return offset
}

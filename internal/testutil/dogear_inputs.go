package testutil

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
)

// DogearInputs is only the builder input of both sides of a fixture, for
// benchmarks that must not hold the expected trees in memory.
type DogearInputs struct {
	Local, Remote *DogearInput
}

// LoadDogearInputs decodes only local.input and remote.input of a fixture
// file (plain or gzipped). It streams past every other field, so the large
// bench files never sit in memory whole (a plain json.Decoder.Decode would
// buffer the entire 125 MB document).
func LoadDogearInputs(path string) (*DogearInputs, error) {
	r, err := OpenMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out, err := decodeInputs(r)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	return out, nil
}

func decodeInputs(r io.Reader) (*DogearInputs, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	out := &DogearInputs{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch key {
		case "local", "remote":
			in, err := decodeSide(dec)
			if err != nil {
				return nil, err
			}
			if key == "local" {
				out.Local = in
			} else {
				out.Remote = in
			}
		default:
			if err := skipValue(dec); err != nil {
				return nil, err
			}
		}
	}
	if out.Local == nil || out.Remote == nil {
		return nil, fmt.Errorf("missing local or remote input")
	}
	return out, nil
}

func decodeSide(dec *json.Decoder) (*DogearInput, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var in *DogearInput
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key == "input" {
			in = new(DogearInput)
			if err := dec.Decode(in); err != nil {
				return nil, err
			}
			continue
		}
		if err := skipValue(dec); err != nil {
			return nil, err
		}
	}
	_, err := dec.Token() // '}'
	return in, err
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("expected %v, got %v", d, tok)
	}
	return nil
}

// skipValue consumes one JSON value token by token.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

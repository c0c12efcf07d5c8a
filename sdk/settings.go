package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// DecodeSettings decodes a department's settings strictly into v (a
// pointer to a struct with json tags): an unknown key or a value of the
// wrong type is an error naming it, as config.toml's own keys are. Empty
// settings leave v untouched and are not an error.
func DecodeSettings(settings json.RawMessage, v any) error {
	if len(bytes.TrimSpace(settings)) == 0 || string(bytes.TrimSpace(settings)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(settings))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return fmt.Errorf("settings: %s: want %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return fmt.Errorf("settings: %w", err)
	}
	if dec.More() {
		return errors.New("settings: more than one JSON value")
	}
	return nil
}

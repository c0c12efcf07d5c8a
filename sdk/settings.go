package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
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

// Settings holds a department's settings of type T (a struct with json
// tags): decoded strictly with DecodeSettings, checked by T's Validate
// method when it has one, and swapped in whole, so that bad settings leave
// the previous ones in force. Keep one as a field and implement Configurer
// with it:
//
//	type Department struct {
//		sdk.Base
//		settings sdk.Settings[settings]
//	}
//
//	func (d *Department) Configure(_ context.Context, raw json.RawMessage) error {
//		return d.settings.Configure(raw)
//	}
//
// The zero value holds T's zero value and is ready to use.
type Settings[T any] struct {
	mu sync.RWMutex
	v  T
}

// Configure decodes and validates raw and, if both succeed, makes it the
// current settings.
func (s *Settings[T]) Configure(raw json.RawMessage) error {
	var v T
	if err := DecodeSettings(raw, &v); err != nil {
		return err
	}
	if val, ok := any(&v).(interface{ Validate() error }); ok {
		if err := val.Validate(); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	s.mu.Lock()
	s.v = v
	s.mu.Unlock()
	return nil
}

// Get returns the current settings.
func (s *Settings[T]) Get() T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.v
}

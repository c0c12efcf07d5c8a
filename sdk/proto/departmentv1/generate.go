// Package departmentv1 holds the generated Go code of the department plugin
// protocol (department.proto). Plugin authors do not use it directly: the
// sdk package converts its messages to and from plain Go types.
//
// Regenerate with `go generate ./sdk/...` from the repository root; it needs
// protoc and the protoc-gen-go and protoc-gen-go-grpc plugins on PATH (see
// sdk/README.md).
package departmentv1

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative department.proto host.proto

//go:build tools

// Package engine pins the Pulumi CLI so that `go build` can produce it from the module proxy.
package engine

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)

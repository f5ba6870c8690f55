//go:build tools

// Package langhost pins the Node.js language host. From v3.69 on it lives in a nested Go module
// that the module proxy reachable here does not serve, so the last release that shipped it inside
// sdk/v3 is built instead; the engine falls back to the RPCs it implements.
package langhost

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)

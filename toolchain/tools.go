//go:build tools

// The Pulumi CLI is built from this module (build.sh); this import keeps it in go.mod.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"

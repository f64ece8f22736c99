package bfcl

// The backend classes register themselves with bfcl/backend from init.
import (
	_ "github.com/seeupo/seeupo/bfcl/backends/filesystem"
	_ "github.com/seeupo/seeupo/bfcl/backends/mathapi"
	_ "github.com/seeupo/seeupo/bfcl/backends/memory"
	_ "github.com/seeupo/seeupo/bfcl/backends/message"
	_ "github.com/seeupo/seeupo/bfcl/backends/ticket"
	_ "github.com/seeupo/seeupo/bfcl/backends/trading"
	_ "github.com/seeupo/seeupo/bfcl/backends/travel"
	_ "github.com/seeupo/seeupo/bfcl/backends/twitter"
	_ "github.com/seeupo/seeupo/bfcl/backends/vehicle"
	_ "github.com/seeupo/seeupo/bfcl/backends/websearch"
)

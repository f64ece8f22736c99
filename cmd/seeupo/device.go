package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/models"
)

// device is the configured compute backend, checked against the backends
// this build has (kernels.Names): a device the build lacks is an error
// naming where it was set and what is available, before any work.
func device(r *config.Resolved) (string, error) {
	have := kernels.Names()
	if slices.Contains(have, r.Device) {
		return r.Device, nil
	}
	return "", fmt.Errorf("%s: device %q has no compute backend in this build; available: %s (set --device, SEEUPO_DEVICE or device:)",
		r.Sources["device"], r.Device, strings.Join(have, ", "))
}

// openModels opens the configured device once, with threads CPU workers
// (≤ 0: all), as the factory every model of the command is built with.
func openModels(r *config.Resolved, threads int) (*models.Factory, error) {
	dev, err := device(r)
	if err != nil {
		return nil, err
	}
	return models.Open(dev, threads)
}

#!/usr/bin/env node
// The former path of components/local/tailscale-device.js, kept for stacks whose state records it: see scripts/README.md.
"use strict";
require("./former-path")("tailscale-device");

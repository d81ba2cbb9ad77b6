#!/usr/bin/env node
// The former path of components/local/tailnet-policy.js, kept for stacks whose state records it: see scripts/README.md.
"use strict";
require("./former-path")("tailnet-policy");

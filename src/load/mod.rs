//! Load: goose replays Okta-like provisioning bursts from load profiles and records per-operation
//! HDR latency histograms, SLO verdicts and a post-run integrity check.

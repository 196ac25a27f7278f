//! End-to-end tests: the `paperdex` binary over the bundled sample and the shared corpus,
//! compiled as one test binary (one link, one place to look).
//!
//! The binary is the release build in the same target folder (`make test` builds it first).

mod bridge;
mod browser;
mod cli;
mod corpus;
mod crash;
mod encoder;
mod filters;
mod hostile;
mod live;
mod marks;
mod mcp;
mod openapi;
mod pruning;
mod semantic;
mod support;

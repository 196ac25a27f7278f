//! [`Cancel`]: how a caller that no longer wants an answer stops the work behind it.
//!
//! An HTTP request that times out is answered at once, but the search it started runs on a
//! blocking thread that nothing can kill: the server raises the flag, and a search checks it
//! between its stages and inside its loops, so the work ends soon after the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{IndexError, Result};

/// A flag shared by the caller (who raises it) and the work (which checks it).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not raised yet.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the work to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the work was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// [`IndexError::Cancelled`] once the flag is raised.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() { Err(IndexError::Cancelled) } else { Ok(()) }
    }
}

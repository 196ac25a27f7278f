//! A model whose every query vector is that of one fixed text: a query it "understands" as
//! something else, as e5 may a title full of common words, or a name it does not know.

use paperdex_embed::{EmbedError, Embedder, HashEmbedder, Role};

/// Reads every query as `text` for the vectors, and passages as they are.
pub struct QueryReadAs {
    pub text: &'static str,
    pub inner: HashEmbedder,
}

impl Embedder for QueryReadAs {
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        match role {
            Role::Query => self.inner.embed(&vec![self.text; texts.len()], role),
            _ => self.inner.embed(texts, role),
        }
    }
}

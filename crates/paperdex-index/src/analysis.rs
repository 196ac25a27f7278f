//! Text analysis shared by indexing and querying.
//!
//! One analyzer serves both sides, so a query term is spelled exactly as the indexed term:
//! Traditional Chinese characters read as Simplified ([`paperdex_core::script`]) → jieba
//! (search mode, which also emits the short words inside long ones) → join the pieces
//! jieba cut a word into at a letter outside ASCII (`Fr` `é` `chet`, full-width `Ｌ` `Ｌ` `Ｍ`)
//! → drop tokens that hold no letter or digit (jieba emits spaces and punctuation as tokens) →
//! renumber positions → fold to ASCII (`fréchet` → `frechet`, `ＬＬＭ` → `LLM`) → lower-case →
//! English stop words removed → English (Porter/Snowball) stemming. Chinese tokens pass the
//! folding and the stemmer untouched.
//!
//! Snippets analyse with the same chain but stem only the tokens that can be a query term
//! ([`highlighting_analyzer`]).
//!
//! A second analyzer emits overlapping Han-character bigrams. Jieba may cut the same word
//! differently inside a longer phrase; matching the query word's bigrams as a phrase finds it
//! whichever way the document was cut.

use std::sync::{Arc, LazyLock};

use paperdex_core::is_han;
use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, Stemmer, StopWordFilter, TextAnalyzer, TextAnalyzerBuilder,
    Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy_jieba::JiebaTokenizer;

/// The version of the analysis below. Postings built by another version are rebuilt from the
/// stored papers by the next ingest (no re-embedding: vectors do not depend on it).
/// 5: Traditional Chinese characters are read as Simplified.
/// 6: British `-isation` is spelled `-ization` ([`american_spelling`]).
/// 7: the title field also holds another source's title that has words the shown one lacks
/// ([`crate::schema::Fields::document`]).
/// 8: British `-our` is spelled `-or` ([`american_spelling`]).
/// 9: `-our` after two letters, and before more endings (`odour`, `neighbourly`, `savoury`).
pub const ANALYSIS_VERSION: u32 = 9;

/// The name the word analyzer is registered under in every index.
pub const WORD_ANALYZER: &str = "paperdex_words";
/// The name the Han-bigram analyzer is registered under in every index.
pub const BIGRAM_ANALYZER: &str = "paperdex_han_bigrams";

/// The analyzer for every searchable text field.
pub fn word_analyzer() -> TextAnalyzer {
    unstemmed_words(JiebaTokenizer::with_ordinal_position_mode(true), as_written)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The word analyzer for a query's keywords: the same terms, but a reflexive pronoun is the
/// term `self` ([`reflexive_as_self`]), which the papers' `self-` words hold. Only the query
/// reads it so: in a paper, `itself` is mostly emphasis (`the model itself`), and reading it
/// as `self` in papers too scored the same on every set (PERFORMANCE.md, "Session 44").
pub fn query_word_analyzer() -> TextAnalyzer {
    unstemmed_words(JiebaTokenizer::with_ordinal_position_mode(true), reflexive_as_self)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The word analyzer with jieba in precise mode (each word once, no overlapping sub-words):
/// the bilingual lexicon ([`crate::lexicon`]) learns and looks up whole words with it, while
/// spelling English words exactly as the index does.
pub fn phrase_analyzer() -> TextAnalyzer {
    unstemmed_words(JiebaTokenizer::with_search_mode(false), as_written).filter(Stemmer::new(Language::English)).build()
}

/// The word analyzer for finding a query's terms in a text, when every token spelled as one
/// of the terms begins with one of `prefixes` (lower-cased): it empties the text of every
/// other token before the stemmer, which then has nothing to do for them. A token so emptied
/// matches no term, and would have matched none stemmed. Tokens and offsets are the word
/// analyzer's, so a snippet made with it is the same.
pub(crate) fn highlighting_analyzer(prefixes: Vec<String>) -> TextAnalyzer {
    unstemmed_words(JiebaTokenizer::with_ordinal_position_mode(true), as_written)
        .filter(EmptyUnlessPrefixed(Arc::new(Prefixes::new(prefixes))))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Jieba's tokens, whole words only, in ASCII where they have an ASCII spelling, lower-cased,
/// `pronouns` respelled (before the stop words, which hold them), without English stop words.
fn unstemmed_words(jieba: JiebaTokenizer, pronouns: fn(&mut String)) -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(Simplified::new(jieba))
        .filter(JoinWordPieces)
        .filter(WordsOnly)
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .filter(Respell(pronouns))
        .filter(STOP_WORDS.clone())
        .filter(Respell(american_spelling))
}

/// The English stop words as a filter.
static STOP_WORDS: LazyLock<StopWordFilter> =
    LazyLock::new(|| StopWordFilter::remove(ENGLISH_STOP_WORDS.iter().map(|w| w.to_string())));

/// The word analyzer for one word of ASCII letters (a spelling candidate, [`crate::spelling`]):
/// the same term, without jieba, which passes such a word through whole, and without the
/// filters that change nothing in it. A few hundred candidates a word are analysed.
pub(crate) fn ascii_word_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(STOP_WORDS.clone())
        .filter(Respell(american_spelling))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer that turns runs of Han characters into overlapping bigrams (and ignores
/// everything else).
pub fn bigram_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Simplified::new(HanBigramTokenizer)).build()
}

/// Registers both analyzers on `index`. Tantivy does not persist tokenizers, so this runs on
/// every open.
pub fn register(index: &Index) {
    index.tokenizers().register(WORD_ANALYZER, word_analyzer());
    index.tokenizers().register(BIGRAM_ANALYZER, bigram_analyzer());
}

/// English stop words: NLTK's list (179 words), larger than Lucene's 33. On CISI it raised
/// BM25 nDCG@10 by about 0.03 (see PERFORMANCE.md).
const ENGLISH_STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "you're",
    "you've",
    "you'll",
    "you'd",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "she's",
    "her",
    "hers",
    "herself",
    "it",
    "it's",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "that'll",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "don't",
    "should",
    "should've",
    "now",
    "d",
    "ll",
    "m",
    "o",
    "re",
    "ve",
    "y",
    "ain",
    "aren",
    "aren't",
    "couldn",
    "couldn't",
    "didn",
    "didn't",
    "doesn",
    "doesn't",
    "hadn",
    "hadn't",
    "hasn",
    "hasn't",
    "haven",
    "haven't",
    "isn",
    "isn't",
    "ma",
    "mightn",
    "mightn't",
    "mustn",
    "mustn't",
    "needn",
    "needn't",
    "shan",
    "shan't",
    "shouldn",
    "shouldn't",
    "wasn",
    "wasn't",
    "weren",
    "weren't",
    "won",
    "won't",
    "wouldn",
    "wouldn't",
];

/// Analyzes `text` into the terms the index holds for it, in order.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

/// Analyzes `text` into its terms with the positions the index gives them. A stop word leaves
/// a gap (`attention` 0, `need` 4 in "Attention Is All You Need"), so a phrase built from
/// these positions spaces its terms as the text does.
pub fn analyze_with_positions(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut terms = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        terms.push((token.position, token.text.clone()));
    }
    terms
}

/// `text` with every letter that has an ASCII spelling spelled so, as the analyzers fold a
/// token (`Fréchet` → `Frechet`, `ＬＬＭ` → `LLM`): where snippets look for a query's terms
/// in a text, the text must read as its terms do. Text with no such letter comes back as is.
pub(crate) fn fold_to_ascii(text: &str) -> std::borrow::Cow<'_, str> {
    let foldable =
        |c: char| !c.is_ascii() && !is_han(c) && (c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c));
    if !text.chars().any(foldable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut folder = TextAnalyzer::builder(RawTokenizer::default()).filter(AsciiFoldingFilter).build();
    let mut stream = folder.token_stream(text);
    match stream.next() {
        Some(token) => std::borrow::Cow::Owned(token.text.clone()),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// The longest word indexed, in bytes, as Elasticsearch's `max_token_length`. A longer run of
/// letters is a hash, a key or an encoded blob that nobody types (the corpus's longest word is
/// 64 bytes); tantivy would index it up to 65,530 bytes and drop a longer one with a log line
/// that names no file.
pub const MAX_WORD_BYTES: usize = 255;

/// Drops tokens without a single letter or digit and those over [`MAX_WORD_BYTES`], and numbers
/// the rest consecutively, so phrases do not depend on how much white space or punctuation
/// stood between words.
#[derive(Clone, Copy)]
struct WordsOnly;

/// Joins the pieces jieba cuts one word into. Jieba keeps runs of ASCII letters and digits
/// whole but cuts at any other letter, so `Fréchet` came out as `Fr`, `é`, `chet`, and a
/// full-width `ＬＬＭ` (typed on a Chinese keyboard) letter by letter. Touching tokens of
/// letters, digits and combining marks, none Han and one of them not ASCII, are one word.
#[derive(Clone)]
struct JoinWordPieces;

impl TokenFilter for JoinWordPieces {
    type Tokenizer<T: Tokenizer> = JoinWordPiecesTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> JoinWordPiecesTokenizer<T> {
        JoinWordPiecesTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct JoinWordPiecesTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for JoinWordPiecesTokenizer<T> {
    type TokenStream<'a> = JoinWordPiecesStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        JoinWordPiecesStream {
            inner: self.0.token_stream(text),
            token: Token::default(),
            next: Token::default(),
            has_next: false,
        }
    }
}

/// Tokens are swapped with the inner stream's, not cloned: their buffers are reused.
struct JoinWordPiecesStream<S> {
    inner: S,
    token: Token,
    /// The inner token read past the end of `token`, when `has_next`.
    next: Token,
    has_next: bool,
}

impl<S: TokenStream> JoinWordPiecesStream<S> {
    fn is_word_piece(text: &str) -> bool {
        !text.is_empty()
            && text.chars().all(|c| (c.is_alphanumeric() && !is_han(c)) || ('\u{300}'..='\u{36f}').contains(&c))
    }

    fn joins(word: &Token, next: &Token) -> bool {
        word.offset_to == next.offset_from
            && (!word.text.is_ascii() || !next.text.is_ascii())
            && Self::is_word_piece(&word.text)
            && Self::is_word_piece(&next.text)
    }
}

impl<S: TokenStream> TokenStream for JoinWordPiecesStream<S> {
    fn advance(&mut self) -> bool {
        if self.has_next {
            std::mem::swap(&mut self.token, &mut self.next);
            self.has_next = false;
        } else if self.inner.advance() {
            std::mem::swap(&mut self.token, self.inner.token_mut());
        } else {
            return false;
        }
        while self.inner.advance() {
            let next = self.inner.token();
            if !Self::joins(&self.token, next) {
                std::mem::swap(&mut self.next, self.inner.token_mut());
                self.has_next = true;
                break;
            }
            self.token.text.push_str(&next.text);
            self.token.offset_to = next.offset_to;
        }
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream { inner: self.0.token_stream(text), next_position: 0 }
    }
}

struct WordsOnlyStream<S> {
    inner: S,
    next_position: usize,
}

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let text = &self.inner.token().text;
            if text.len() <= MAX_WORD_BYTES && text.chars().any(char::is_alphanumeric) {
                let token = self.inner.token_mut();
                token.position = self.next_position;
                token.position_length = 1;
                self.next_position += 1;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Empties the text of each token that begins with none of its prefixes ([`highlighting_analyzer`]).
#[derive(Clone)]
struct EmptyUnlessPrefixed(Arc<Prefixes>);

/// A set of prefixes a token is tested against by its own beginnings (one lookup for each of
/// its first characters up to the longest prefix's length), not prefix by prefix: a Chinese
/// query of the lexicon's most translated words highlights 960 terms, and comparing each token
/// of a hit's windows with every one of them was a fifth of its answer's time.
struct Prefixes {
    set: rustc_hash::FxHashSet<String>,
    /// The longest prefix's length in bytes: no longer beginning can be one.
    longest: usize,
    /// An empty prefix begins every text.
    empty: bool,
}

impl Prefixes {
    fn new(prefixes: Vec<String>) -> Prefixes {
        let longest = prefixes.iter().map(String::len).max().unwrap_or(0);
        let empty = prefixes.iter().any(String::is_empty);
        Prefixes { set: prefixes.into_iter().collect(), longest, empty }
    }

    /// Whether `text` begins with one of the prefixes.
    fn begin(&self, text: &str) -> bool {
        self.empty
            || text
                .char_indices()
                .map(|(at, c)| at + c.len_utf8())
                .take_while(|&end| end <= self.longest)
                .any(|end| self.set.contains(&text[..end]))
    }
}

impl TokenFilter for EmptyUnlessPrefixed {
    type Tokenizer<T: Tokenizer> = EmptyUnlessPrefixedTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> EmptyUnlessPrefixedTokenizer<T> {
        EmptyUnlessPrefixedTokenizer { inner: tokenizer, prefixes: self.0 }
    }
}

#[derive(Clone)]
struct EmptyUnlessPrefixedTokenizer<T> {
    inner: T,
    prefixes: Arc<Prefixes>,
}

impl<T: Tokenizer> Tokenizer for EmptyUnlessPrefixedTokenizer<T> {
    type TokenStream<'a> = EmptyUnlessPrefixedStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        EmptyUnlessPrefixedStream { inner: self.inner.token_stream(text), prefixes: &self.prefixes }
    }
}

struct EmptyUnlessPrefixedStream<'a, S> {
    inner: S,
    prefixes: &'a Prefixes,
}

impl<S: TokenStream> TokenStream for EmptyUnlessPrefixedStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if !self.prefixes.begin(&token.text) {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Spells a British `-isation(s)` noun as its American `-ization(s)`, so that both stem alike
/// (`normalisation` and `normalization` to `normal`): English stemming folds `-ization` into
/// its word but not `-isation`, and a reader typing `normalisation` matched 4 papers where 308
/// say `normalization`. No English word ends in `-isation` but these nouns. The verbs (`-ise`,
/// `-ised`) are left: `-ise` also ends words of their own (`precise`, `supervise`), whose stems
/// `precision` and `supervision` share.
///
/// A British `-our` is spelled `-or` too (`behaviour`, `colour`, `neighbouring`,
/// `behavioural`): `behaviour` matched the 42 papers that spell it so, `behavior` 1,036. Only
/// where `our` follows at least two letters and ends the word or comes before an ending
/// ([`OUR_ENDINGS`]): `our`, `four`, `hour`, `your` and `tour` keep theirs, and so do
/// `source`, `journal`, `yourself` and `flourish`, where no ending follows. A word it respells
/// that American English spells with `our` (`contour`, `devour`, `scour`) becomes a word no one
/// writes, which both spellings share.
pub(crate) fn american_spelling(text: &mut String) {
    // Where the `s` of `isation` is (an ASCII letter, replaced in place), in a word longer
    // than the suffix.
    let s_at = ["isation", "isations"]
        .iter()
        .find(|suffix| text.len() > suffix.len() && text.ends_with(*suffix))
        .map(|suffix| text.len() - suffix.len() + 1);
    if let Some(at) = s_at {
        text.replace_range(at..=at, "z");
    }
    let u_at = OUR_ENDINGS.iter().find_map(|ending| {
        let stem = text.strip_suffix(ending)?.strip_suffix("our")?;
        (stem.len() >= 2 && stem.bytes().all(|b| b.is_ascii_lowercase())).then_some(stem.len() + 1)
    });
    if let Some(at) = u_at {
        text.remove(at);
    }
}

/// The endings after which a British `our` is respelled `or` ([`american_spelling`]), the
/// word's end included: `behaviours`, `favoured`, `colouring`, `favourable`, `colourful`,
/// `behavioural`, `favourite`, `favouritism`, `labourer`, `humourless`, `neighbourhood`,
/// `neighbourly`, `behaviourism`, `behaviourist`, `savoury`.
const OUR_ENDINGS: [&str; 24] = [
    "", "s", "ed", "ing", "ings", "able", "ably", "ful", "al", "ally", "ite", "ites", "itism", "er", "ers", "less",
    "hood", "hoods", "ly", "ism", "isms", "ist", "ists", "y",
];

/// Leaves a token as it is.
fn as_written(_: &mut String) {}

/// Reads a reflexive pronoun (`themselves`, `itself`...), a stop word otherwise, as the term
/// `self`: what a model does to itself, papers name with `self-` (`improve themselves` is
/// `self-improving`, `correct itself` `self-correction`, `play against themselves`
/// `self-play`). A description an agent writes (`language models that improve themselves by
/// generating their own training data`) matched every paper on language models, data and
/// training (BM25 nDCG@10 0.20 on the agent set's query) where the papers it asks for say
/// `self-improving`.
fn reflexive_as_self(text: &mut String) {
    const REFLEXIVES: [&str; 8] =
        ["itself", "themselves", "himself", "herself", "ourselves", "yourself", "yourselves", "myself"];
    if REFLEXIVES.contains(&text.as_str()) {
        text.clear();
        text.push_str("self");
    }
}

/// A filter rewriting each token's text in place, by one rule.
#[derive(Clone, Copy)]
struct Respell(fn(&mut String));

impl TokenFilter for Respell {
    type Tokenizer<T: Tokenizer> = RespellTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RespellTokenizer<T> {
        RespellTokenizer(tokenizer, self.0)
    }
}

#[derive(Clone)]
struct RespellTokenizer<T>(T, fn(&mut String));

impl<T: Tokenizer> Tokenizer for RespellTokenizer<T> {
    type TokenStream<'a> = RespellStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RespellStream(self.0.token_stream(text), self.1)
    }
}

struct RespellStream<S>(S, fn(&mut String));

impl<S: TokenStream> TokenStream for RespellStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        (self.1)(&mut self.0.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// `T` over the text with its Traditional Chinese characters read as Simplified
/// ([`paperdex_core::to_simplified`]): jieba's dictionary is Simplified, and 學習 must be the
/// term 学习 is. The two texts have the same byte offsets, so the tokens' offsets hold for the
/// text as written (highlights).
#[derive(Clone)]
struct Simplified<T> {
    inner: T,
    /// The last text that needed folding, which its tokens borrow.
    folded: String,
}

impl<T> Simplified<T> {
    fn new(inner: T) -> Simplified<T> {
        Simplified { inner, folded: String::new() }
    }
}

impl<T: Tokenizer> Tokenizer for Simplified<T> {
    type TokenStream<'a> = T::TokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> T::TokenStream<'a> {
        let Simplified { inner, folded } = self;
        match paperdex_core::to_simplified(text) {
            std::borrow::Cow::Borrowed(_) => inner.token_stream(text),
            std::borrow::Cow::Owned(simplified) => {
                *folded = simplified;
                inner.token_stream(folded)
            }
        }
    }
}

/// Emits every pair of adjacent Han characters; a lone Han character between non-Han text is
/// emitted alone so single-character words stay findable.
#[derive(Clone, Copy)]
struct HanBigramTokenizer;

impl Tokenizer for HanBigramTokenizer {
    type TokenStream<'a> = HanBigramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> HanBigramStream<'a> {
        HanBigramStream { text, cursor: 0, position: 0, token: Token::default() }
    }
}

struct HanBigramStream<'a> {
    text: &'a str,
    cursor: usize,
    position: usize,
    token: Token,
}

impl TokenStream for HanBigramStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.cursor..];
        let mut chars = rest.char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            if !is_han(c) {
                continue;
            }
            let start = self.cursor + offset;
            let first_len = c.len_utf8();
            let end = match chars.peek() {
                Some(&(_, next)) if is_han(next) => start + first_len + next.len_utf8(),
                _ => {
                    // A lone character, or the last of a run: emit it alone only when the run
                    // was one character long (otherwise the previous bigram already covers it).
                    let previous_is_han = self.text[..start].chars().next_back().is_some_and(is_han);
                    if previous_is_han {
                        continue;
                    }
                    start + first_len
                }
            };
            self.cursor = start + first_len;
            self.token.text.clear();
            self.token.text.push_str(&self.text[start..end]);
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.position;
            self.token.position_length = 1;
            self.position += 1;
            return true;
        }
        self.cursor = self.text.len();
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        analyze(&mut word_analyzer(), text)
    }

    #[test]
    fn a_token_is_kept_for_highlighting_when_it_begins_with_any_prefix() {
        let prefixes = ["quantiz", "kv", "推理", "检索增强", "cach"].map(String::from).to_vec();
        let set = Prefixes::new(prefixes.clone());
        for token in
            ["quantization", "quantiz", "quanti", "kv", "k", "推理能力", "推", "检索增强生成", "检索", "cache", "", "x"]
        {
            let linear = prefixes.iter().any(|prefix| token.starts_with(prefix.as_str()));
            assert_eq!(set.begin(token), linear, "{token:?}");
        }
        assert!(Prefixes::new(vec![String::new()]).begin("anything"));
        assert!(!Prefixes::new(Vec::new()).begin("anything"));
        // The analyzer keeps what begins with a prefix and empties the rest.
        let kept = analyze(&mut highlighting_analyzer(vec!["quantiz".into()]), "Quantized caches quantize");
        assert_eq!(kept.iter().filter(|t| !t.is_empty()).count(), 2, "{kept:?}");
    }

    /// The positions the word analyzer gives the tokens of `text`.
    fn positions(text: &str) -> Vec<usize> {
        let mut analyzer = word_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut positions = Vec::new();
        while let Some(token) = stream.next() {
            positions.push(token.position);
        }
        positions
    }

    #[test]
    fn mixed_chinese_english_text_is_cut_lowered_and_stemmed() {
        let terms = words("提出了 Quant VideoGen，一种用于 KV-Cache 量化的方法。Quantizing the caches");
        for want in ["quant", "videogen", "kv", "cach", "量化", "方法"] {
            assert!(terms.contains(&want.to_string()), "{want} missing from {terms:?}");
        }
        for unwanted in ["，", " ", "-", "。", "the", "KV"] {
            assert!(!terms.contains(&unwanted.to_string()), "{unwanted:?} kept in {terms:?}");
        }
        assert_eq!(words("quantization"), words("Quantized"), "English words share a stem");
    }

    #[test]
    fn a_british_isation_is_the_term_of_its_american_ization() {
        for (british, american) in [
            ("normalisation", "normalization"),
            ("Tokenisations", "tokenizations"),
            ("optimisation", "optimization"),
            ("generalisation", "generalization"),
            ("realisation", "realization"),
        ] {
            assert_eq!(words(british), words(american), "{british}");
        }
        // The stems a word shares with its other forms are not pulled apart.
        assert_eq!(words("precise"), words("precision"));
        assert_eq!(words("supervised"), words("supervision"));
    }

    #[test]
    fn a_british_our_is_the_term_of_its_american_or() {
        for (british, american) in [
            ("behaviour", "behavior"),
            ("Behaviours", "behaviors"),
            ("behavioural", "behavioral"),
            ("colour", "color"),
            ("neighbouring", "neighboring"),
            ("favourable", "favorable"),
            ("labour", "labor"),
            ("tumours", "tumors"),
            ("neighbourhood", "neighborhood"),
            ("odours", "odors"),
            ("neighbourly", "neighborly"),
            ("behaviourist", "behaviorist"),
            ("favouritism", "favoritism"),
            ("savoury", "savory"),
        ] {
            assert_eq!(words(british), words(american), "{british}");
        }
        // Words whose `our` is their own keep it.
        for word in ["four", "hour", "tour", "dour", "source", "journal", "flourish", "fourier", "tourist"] {
            let analysed = words(word).concat();
            assert!(analysed.contains("our"), "{word} became {analysed}");
        }
        assert_ne!(words("four"), words("for"), "four is no stop word");
    }

    #[test]
    fn what_a_model_does_to_itself_is_what_papers_call_self() {
        let query_words = |text: &str| analyze(&mut query_word_analyzer(), text);
        for (described, named) in [
            ("models that improve themselves", "self-improving models"),
            ("an agent correcting itself", "a self-correcting agent"),
        ] {
            let named = words(named);
            let described = query_words(described);
            assert!(described.contains(&"self".to_string()), "{described:?}");
            assert!(described.iter().all(|term| named.contains(term)), "{described:?} in {named:?}");
        }
        // The other pronouns stay stop words; a paper's `itself` is emphasis, no term.
        assert_eq!(query_words("they improve them"), words("improve"));
        assert_eq!(words("the model itself"), words("the model"));
    }

    #[test]
    fn a_word_of_ascii_letters_gets_the_same_term_from_the_spelling_analyzer() {
        let mut ascii = ascii_word_analyzer();
        for word in
            ["retrieval", "Quantization", "experts", "the", "decoding", "caches", "Gaussian", "being", "optimisation"]
        {
            assert_eq!(analyze(&mut ascii, word), words(word), "{word}");
        }
    }

    #[test]
    fn search_mode_emits_the_short_words_inside_long_ones() {
        let terms = words("强化学习");
        assert!(terms.contains(&"强化".to_string()) && terms.contains(&"学习".to_string()), "{terms:?}");
    }

    #[test]
    fn positions_are_consecutive_after_dropping_punctuation() {
        assert_eq!(positions("KV -- , cache"), vec![0, 1]);
    }

    #[test]
    fn a_stop_word_leaves_a_gap_in_the_positions() {
        let terms = analyze_with_positions(&mut word_analyzer(), "Attention Is All You Need");
        assert_eq!(terms, vec![(0, "attent".to_string()), (4, "need".to_string())]);
    }

    #[test]
    fn a_run_of_letters_too_long_to_be_a_word_is_not_indexed() {
        let at_limit = "k".repeat(MAX_WORD_BYTES);
        for blob in ["q".repeat(MAX_WORD_BYTES + 1), "x".repeat(70_000)] {
            let terms = words(&format!("cache {blob} {at_limit} quantization"));
            assert_eq!(terms, ["cach", &at_limit, "quantiz"], "{} bytes", blob.len());
        }
        let text = format!("KV {} cache", "y".repeat(1_000));
        assert_eq!(positions(&text), vec![0, 1], "the words around it stay adjacent");
    }

    #[test]
    fn accented_and_full_width_letters_make_one_word_spelled_in_ascii() {
        // Jieba cuts a word at every letter outside ASCII (`Fr`, `é`, `chet`), and a Chinese
        // keyboard types full-width letters: either way the word must be the word typed
        // plainly, or `Frechet` misses `Fréchet` and `ＬＬＭ` misses every LLM paper.
        assert_eq!(words("Fréchet distance"), words("Frechet distance"));
        assert_eq!(words("naïve Rényi Poincaré"), ["naiv", "renyi", "poincar"]);
        assert_eq!(words("ＬＬＭ Ｑｗｅｎ２"), words("LLM Qwen2"));
        assert_eq!(words("ＧＰＴ－４"), ["gpt", "4"], "a full-width hyphen is no hyphen to jieba");
        assert_eq!(words("２０２４年的模型"), words("2024年的模型"));
        assert_eq!(positions("Fréchet café 距离"), vec![0, 1, 2], "one position a word");
    }

    #[test]
    fn traditional_characters_give_the_simplified_terms_at_the_offsets_written() {
        assert_eq!(words("強化學習的獎勵模型"), words("强化学习的奖励模型"));
        let bigrams = |text: &str| analyze(&mut bigram_analyzer(), text);
        assert_eq!(bigrams("多模態幻覺"), bigrams("多模态幻觉"));
        let text = "用強化學習訓練";
        let mut analyzer = word_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut spans = Vec::new();
        while let Some(token) = stream.next() {
            spans.push((token.text.clone(), &text[token.offset_from..token.offset_to]));
        }
        assert!(spans.contains(&("强化".to_string(), "強化")), "{spans:?}");
        assert!(spans.contains(&("学习".to_string(), "學習")), "{spans:?}");
    }

    #[test]
    fn han_bigrams_cover_every_adjacent_pair() {
        let bigrams = analyze(&mut bigram_analyzer(), "奖励模型 and 学 KV缓存");
        assert_eq!(bigrams, vec!["奖励", "励模", "模型", "学", "缓存"]);
        assert!(analyze(&mut bigram_analyzer(), "no chinese here").is_empty());
    }
}

//! Tokenizing Chinese and English for retrieval.
//!
//! Chinese has no spaces: jieba segments it into words (search mode, which
//! also emits the shorter words inside long compounds, so 退货政策 matches
//! 退货). Latin text is split on non-alphanumerics, lowercased and lightly
//! stemmed (plural and common verb endings), so "returns" matches "return".
//! Stop words of both languages are dropped. Chinese text also yields its
//! character pairs and single characters ([`Kind`]): paraphrases and
//! homophone typos that miss every word still share some of them.

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// The shared segmenter (its dictionary takes a moment to load: once).
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Loads the segmenter now (call off the request path, e.g. at start).
pub fn warm_up() {
    let _ = jieba();
}

const STOP_EN: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "if", "then", "of", "to", "in", "on", "at", "for",
    "with", "by", "from", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "i",
    "me", "my", "we", "our", "you", "your", "it", "its", "this", "that", "these", "those", "can",
    "could", "will", "would", "should", "how", "what", "when", "where", "which", "who", "why",
    "there", "here", "as", "so", "not", "no", "yes", "please", "hi", "hello", "hey", "thanks",
    "thank", "any", "some", "get", "got", "have", "has", "had", "just", "about", "up", "out",
    "into", "than", "too", "very", "also", "all", "let", "im", "dont", "cant", "us",
    // Contractions split at the apostrophe, and more function words.
    "don", "doesn", "didn", "isn", "wasn", "won", "ll", "ve", "re", "mine", "myself", "he", "she",
    "him", "her", "they", "them", "their", "whose", "whom", "being", "because", "while", "until",
    "again", "still", "yet", "ever", "only", "own", "same", "such", "each", "both", "more", "most",
    "other", "nor", "now", "ok", "okay", "pls", "plz", "guys", "hmm", "oh", "well", "really",
    "may", "might", "must", "shall", "whats", "thats", "ive", "id", "youre", "anyone", "anything",
];

const STOP_ZH: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "我",
    "你",
    "您",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "是",
    "在",
    "有",
    "和",
    "与",
    "或",
    "就",
    "都",
    "也",
    "还",
    "要",
    "会",
    "能",
    "可以",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "哪",
    "哪里",
    "为什么",
    "请问",
    "请",
    "一下",
    "这个",
    "那个",
    "这",
    "那",
    "个",
    "么",
    "嗯",
    "哦",
    "吗?",
    "想",
    "问",
    "谢谢",
    "你好",
    "您好",
    "麻烦",
    "一个",
    "没有",
    "不",
    "被",
    "把",
    "给",
    "让",
    "到",
    "对",
    "从",
    "上",
    "下",
    "里",
    // Colloquial question words and connectives.
    "咋",
    "啥",
    "咋办",
    "怎么办",
    "怎么回事",
    "一直",
    "现在",
    "已经",
    "还是",
    "就是",
    "然后",
    "但是",
    "因为",
    "所以",
    "如果",
    "可能",
    "应该",
    "知道",
    "是不是",
    "能不能",
    "可不可以",
    "有没有",
    "多少",
    "的话",
    "一般",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

/// English stemming: Snowball's (Porter2), so every inflection of a word
/// meets its other forms (sharing / share, changing / change, cancelled /
/// cancel), then one fix of ours: a final double consonant is undoubled, as
/// Porter2 does after a suffix only (adding → "ad", but add → "add").
pub fn stem(word: &str) -> String {
    use rust_stemmers::{Algorithm, Stemmer};
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    let stemmed = STEMMER
        .get_or_init(|| Stemmer::create(Algorithm::English))
        .stem(word);
    let b = stemmed.as_bytes();
    if b.len() >= 3
        && b[b.len() - 1] == b[b.len() - 2]
        && b[b.len() - 1].is_ascii_lowercase()
        && !matches!(
            b[b.len() - 1],
            b'a' | b'e' | b'i' | b'o' | b'u' | b'l' | b's' | b'z'
        )
    {
        stemmed[..stemmed.len() - 1].to_owned()
    } else {
        stemmed.into_owned()
    }
}

/// What a retrieval token stands for; each kind has its own weight in a
/// query (a whole word says more than one character of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A word: jieba's (Chinese) or a stemmed Latin word.
    Word,
    /// Two adjacent Chinese characters: paraphrases that share morphemes but
    /// not words (退款 / 钱退回来) and typos that keep one word intact.
    Pair,
    /// One Chinese character: the last resort for homophone typos
    /// (推款 still shares 款 with 退款).
    Char,
}

/// A retrieval token: its text (kinds never collide: pairs and characters
/// carry a prefix) and its kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token {
    /// The indexed text.
    pub text: String,
    /// What it is.
    pub kind: Kind,
}

/// Single characters that carry no topic (particles, pronouns).
const STOP_CHARS: &[char] = &[
    '的', '了', '吗', '呢', '吧', '啊', '呀', '我', '你', '您', '他', '她', '它', '是', '在', '有',
    '和', '就', '都', '也', '还', '要', '会', '能', '么', '嗯', '哦', '个', '这', '那', '啥', '咋',
    '嘛', '呗', '哈', '不', '没', '把', '被', '给', '让', '到', '对', '从', '里', '们', '很', '吧',
    '又', '再', '才', '哪', '谁', '怎', '什', '为', '得', '地', '着', '过', '说', '请', '问', '想',
    '下', '上', '一', '可', '以', '多', '少', '几', '时', '候',
];

/// The retrieval tokens of a text: words (jieba for Chinese, stemmed words
/// for Latin script) plus, for Chinese, overlapping character pairs and
/// single characters. Stop words are dropped.
pub fn analyze(text: &str) -> Vec<Token> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    for c in lower.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
            continue;
        }
        for pair in run.windows(2) {
            let pair: String = pair.iter().collect();
            if !STOP_ZH.contains(&pair.as_str()) && !pair.chars().all(|c| STOP_CHARS.contains(&c)) {
                out.push(Token {
                    text: format!("~{pair}"),
                    kind: Kind::Pair,
                });
            }
        }
        for ch in run.iter().filter(|c| !STOP_CHARS.contains(c)) {
            out.push(Token {
                text: format!("^{ch}"),
                kind: Kind::Char,
            });
        }
        run.clear();
    }
    for piece in jieba().cut_for_search(&lower, true) {
        let piece = piece.word.trim();
        if piece.is_empty() {
            continue;
        }
        if piece.chars().any(is_cjk) {
            // Single characters are already there as `Char` tokens.
            if piece.chars().count() > 1 && !STOP_ZH.contains(&piece) {
                out.push(Token {
                    text: piece.to_owned(),
                    kind: Kind::Word,
                });
            }
            continue;
        }
        for word in piece
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if word.len() < 2 && !word.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if STOP_EN.contains(&word) {
                continue;
            }
            out.push(Token {
                text: stem(word),
                kind: Kind::Word,
            });
        }
    }
    out
}

/// The word tokens of a text, as strings (words and character pairs).
pub fn tokens_plain(text: &str) -> Vec<String> {
    analyze(text)
        .into_iter()
        .filter(|t| t.kind != Kind::Char)
        .map(|t| t.text)
        .collect()
}

/// Tokens of a document text (words and character pairs).
pub fn tokens(text: &str) -> Vec<String> {
    tokens_plain(text)
}

/// True when the text is mostly Chinese (to answer in the customer's language).
pub fn is_chinese(text: &str) -> bool {
    let cjk = text.chars().filter(|c| is_cjk(*c)).count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    cjk > 0 && cjk * 3 >= latin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_segmented_and_english_stemmed() {
        let t = tokens("请问退货政策是什么？");
        assert!(t.contains(&"退货".to_owned()), "{t:?}");
        assert!(!t.contains(&"什么".to_owned()));
        let e = tokens("How do I return my orders? Shipping fees!");
        assert_eq!(e, vec!["return", "order", "ship", "fee"]);
        assert_eq!(tokens("shipped refunds"), vec!["ship", "refund"]);
        assert!(is_chinese("我的订单 order 在哪"));
        assert!(!is_chinese("Where is my order?"));
    }

    #[test]
    fn a_homophone_typo_keeps_a_character() {
        // 推款 for 退款: no word and no pair in common, one character.
        let typo = analyze("推款");
        let right = analyze("退款");
        assert!(
            typo.iter()
                .any(|t| t.kind == Kind::Char && right.contains(t)),
            "{typo:?} / {right:?}"
        );
    }
}

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
    // Contractions typed without the apostrophe.
    "didnt", "doesnt", "isnt", "wasnt", "arent", "werent", "havent", "hasnt", "hadnt", "couldnt",
    "wouldnt", "shouldnt", "wont",
    // A particle ("call off", "drop off"; Snowball leaves it, the
    // undoubling would make it "of").
    "off",
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

/// Irregular forms (past tenses, participles, plurals) and their base:
/// what Snowball's suffix rules cannot reach. Ambiguous forms are left out
/// ("left" the direction, "read", "wound", "lay", "saw" the tool are kept
/// only where the verb is by far the commoner reading in a support
/// question).
const IRREGULAR: &[(&str, &str)] = &[
    ("ate", "eat"),
    ("eaten", "eat"),
    ("began", "begin"),
    ("begun", "begin"),
    ("bent", "bend"),
    ("bitten", "bite"),
    ("blew", "blow"),
    ("blown", "blow"),
    ("bought", "buy"),
    ("broke", "break"),
    ("broken", "break"),
    ("brought", "bring"),
    ("built", "build"),
    ("burnt", "burn"),
    ("came", "come"),
    ("caught", "catch"),
    ("chose", "choose"),
    ("chosen", "choose"),
    ("dealt", "deal"),
    ("drew", "draw"),
    ("drawn", "draw"),
    ("drank", "drink"),
    ("drove", "drive"),
    ("driven", "drive"),
    ("fell", "fall"),
    ("fallen", "fall"),
    ("felt", "feel"),
    ("fought", "fight"),
    ("found", "find"),
    ("flew", "fly"),
    ("flown", "fly"),
    ("forgot", "forget"),
    ("forgotten", "forget"),
    ("froze", "freeze"),
    ("frozen", "freeze"),
    ("gave", "give"),
    ("given", "give"),
    ("went", "go"),
    ("gone", "go"),
    ("grew", "grow"),
    ("grown", "grow"),
    ("hung", "hang"),
    ("heard", "hear"),
    ("hid", "hide"),
    ("hidden", "hide"),
    ("held", "hold"),
    ("kept", "keep"),
    ("knew", "know"),
    ("known", "know"),
    ("lent", "lend"),
    ("lost", "lose"),
    ("made", "make"),
    ("meant", "mean"),
    ("met", "meet"),
    ("mislaid", "mislay"),
    ("mistook", "mistake"),
    ("mistaken", "mistake"),
    ("paid", "pay"),
    ("overpaid", "overpay"),
    ("prepaid", "prepay"),
    ("rang", "ring"),
    ("rung", "ring"),
    ("rode", "ride"),
    ("ridden", "ride"),
    ("ran", "run"),
    ("said", "say"),
    ("sold", "sell"),
    ("sent", "send"),
    ("shook", "shake"),
    ("shaken", "shake"),
    ("slept", "sleep"),
    ("slid", "slide"),
    ("spent", "spend"),
    ("spoke", "speak"),
    ("spoken", "speak"),
    ("stole", "steal"),
    ("stolen", "steal"),
    ("stood", "stand"),
    ("stuck", "stick"),
    ("struck", "strike"),
    ("swore", "swear"),
    ("sworn", "swear"),
    ("took", "take"),
    ("taken", "take"),
    ("taught", "teach"),
    ("tore", "tear"),
    ("torn", "tear"),
    ("told", "tell"),
    ("thought", "think"),
    ("threw", "throw"),
    ("thrown", "throw"),
    ("understood", "understand"),
    ("undid", "undo"),
    ("undone", "undo"),
    ("woke", "wake"),
    ("woken", "wake"),
    ("wore", "wear"),
    ("worn", "wear"),
    ("withdrew", "withdraw"),
    ("withdrawn", "withdraw"),
    ("wrote", "write"),
    ("written", "write"),
    ("rewrote", "rewrite"),
    ("redid", "redo"),
    ("redone", "redo"),
    ("children", "child"),
    ("men", "man"),
    ("women", "woman"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("mice", "mouse"),
    ("knives", "knife"),
    ("wives", "wife"),
    ("shelves", "shelf"),
    ("halves", "half"),
    ("thieves", "thief"),
];

/// British spellings and their American form (the suffix families, -our
/// and -ise, are rules in [`base_form`]).
const BRITISH: &[(&str, &str)] = &[
    ("centre", "center"),
    ("centres", "centers"),
    ("metre", "meter"),
    ("metres", "meters"),
    ("litre", "liter"),
    ("litres", "liters"),
    ("theatre", "theater"),
    ("fibre", "fiber"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("cheque", "check"),
    ("cheques", "checks"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("practise", "practice"),
    ("enrol", "enroll"),
    ("enrols", "enrolls"),
    ("enrolment", "enrollment"),
    ("enrolments", "enrollments"),
    ("instalment", "installment"),
    ("instalments", "installments"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("jewellery", "jewelry"),
    ("aluminium", "aluminum"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("grey", "gray"),
    ("cosy", "cozy"),
    ("pyjamas", "pajamas"),
    ("mould", "mold"),
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("paralysed", "paralyzed"),
    ("sceptical", "skeptical"),
    ("plough", "plow"),
    ("manoeuvre", "maneuver"),
    ("storey", "story"),
    ("kerb", "curb"),
    ("cancelation", "cancellation"),
    ("e-mail", "email"),
    ("e-mails", "emails"),
    ("wi-fi", "wifi"),
    ("log-in", "login"),
];

/// The base form of a word that suffix rules would not bring to it
/// (irregular inflections, British spelling), if it has one.
fn base_form(word: &str) -> Option<String> {
    let find = |table: &[(&str, &str)]| {
        table
            .iter()
            .find(|(from, _)| *from == word)
            .map(|(_, to)| (*to).to_owned())
    };
    if let Some(b) = find(IRREGULAR).or_else(|| find(BRITISH)) {
        return Some(b);
    }
    if word.len() < 6 || !word.is_ascii() {
        return None;
    }
    // colour, favourite, behaviours, honoured → color, favorite, …: a
    // consonant before -our (hour, your, four, tour and course keep theirs).
    for suffix in [
        "our", "ours", "oured", "ouring", "ourite", "ourites", "ourable",
    ] {
        if let Some(head) = word.strip_suffix(suffix)
            && head.len() >= 2
            && head.ends_with(|c: char| "lvbnmdpi".contains(c))
        {
            return Some(format!("{head}or{}", &suffix[3..]));
        }
    }
    // organise, realised, apologising, authorisation → -ize.
    for (suffix, us) in [
        ("isation", "ization"),
        ("isations", "izations"),
        ("ise", "ize"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ising", "izing"),
    ] {
        if let Some(head) = word.strip_suffix(suffix)
            && head.len() >= 3
            && head.ends_with(|c: char| !"aeiou".contains(c))
        {
            return Some(format!("{head}{us}"));
        }
    }
    None
}

/// A word as retrieval indexes it: [`stem`] of its base form. Irregular
/// verbs and plurals (bought → buy, sent → send, stolen → steal, children →
/// child) and British spellings (colour, organise, centre, cheque, enrol)
/// are first read as their American base, which suffix rules cannot reach,
/// so a question and an article that inflect or spell a word differently
/// meet. (The handoff grammar compares verbs with [`stem`] alone: "I spoke
/// to an agent" is a report there, not "speak".)
pub fn root(word: &str) -> String {
    match base_form(word) {
        Some(base) => stem(&base),
        None => stem(word),
    }
}

/// Light words: verbs and nouns of any request, stemmed as [`root`]
/// leaves them (take, go, come, need, thing, way), which say what the
/// customer does, not what the question is about.
const LIGHT: &[&str] = &[
    "take",
    "go",
    "come",
    "make",
    "give",
    "put",
    "want",
    "need",
    "know",
    "tell",
    "say",
    "see",
    "look",
    "tri",
    "thing",
    "stuff",
    "way",
    "lot",
    "seem",
    "feel",
    "mean",
    "happen",
    "ask",
    "like",
    "think",
    "guess",
    "wonder",
    "sure",
    "mayb",
    "actual",
    "alreadi",
    "abl",
    "one",
    "someon",
    "someth",
    "everyth",
    "anyth",
    "everyon",
    "whatev",
    "bit",
    "kind",
    "sort",
    "realli",
    "week",
    "day",
    "today",
    "tomorrow",
    "yesterday",
    "ago",
    "time",
    "work",
    "befor",
    "after",
];

/// Whether a [`Kind::Word`] token is a light word (see [`LIGHT`]).
pub fn is_light(token: &str) -> bool {
    LIGHT.contains(&token)
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
    /// Two adjacent syllables in toneless pinyin: a homophone typo (推款,
    /// 发飘) sounds like the word it stands for (退款, 发票), and pinyin typed
    /// for a character (发huo, 连wang) is that sound.
    Sound,
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

/// The toneless pinyin of a Chinese character (its commonest reading; ü
/// written `v`, as it is typed), if it has one.
fn syllable(c: char) -> Option<String> {
    use pinyin::ToPinyin;
    let plain = c.to_pinyin()?.plain();
    Some(if plain.contains('ü') {
        plain.replace('ü', "v")
    } else {
        plain.to_owned()
    })
}

/// Every toneless pinyin syllable (read once from the characters' table).
fn syllables() -> &'static std::collections::HashSet<String> {
    static ALL: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    ALL.get_or_init(|| {
        (0x4E00..=0x9FFF)
            .filter_map(char::from_u32)
            .filter_map(syllable)
            .collect()
    })
}

/// A Latin word read as pinyin syllables (`gujian` → gu, jian), when the
/// whole word is pinyin: the fewest syllables of at least two letters
/// each (a one-letter syllable such as `a` or `e` would let most English
/// words through).
fn pinyin_syllables(word: &str) -> Option<Vec<String>> {
    let all = syllables();
    let n = word.len();
    if n < 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // best[i]: the fewest syllables spelling word[..i], and where the last begins.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 2..=n {
        for start in end.saturating_sub(6)..end.saturating_sub(1) {
            if let Some((count, _)) = best[start]
                && all.contains(&word[start..end])
                && best[end].is_none_or(|(c, _)| count + 1 < c)
            {
                best[end] = Some((count + 1, start));
            }
        }
    }
    best[n]?;
    let mut out = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        out.push(word[start..end].to_owned());
        end = start;
    }
    out.reverse();
    Some(out)
}

/// The [`Kind::Sound`] token of two syllables.
fn sound_token(a: &str, b: &str) -> Token {
    Token {
        text: format!("@{a}_{b}"),
        kind: Kind::Sound,
    }
}

/// The [`Kind::Sound`] token of a pair of Chinese characters (`~` prefix
/// of a [`Kind::Pair`] token or not), if both have a reading.
pub(crate) fn pair_sound(pair: &str) -> Option<String> {
    let mut chars = pair.trim_start_matches('~').chars();
    let (a, b) = (chars.next()?, chars.next()?);
    Some(sound_token(&syllable(a)?, &syllable(b)?).text)
}

/// Whether a pair of Chinese characters carries no topic.
fn stop_pair(pair: &[char]) -> bool {
    let s: String = pair.iter().collect();
    STOP_ZH.contains(&s.as_str()) || pair.iter().all(|c| STOP_CHARS.contains(c))
}

/// Whether `text` (lower case) is typed wholly in pinyin: no Chinese
/// character, and every Latin word of it, at least two, is pinyin ("tui
/// kuan yao duo jiu", "tuikuan duojiu"). Such a question is read as one
/// run of sounds ([`analyze`]).
pub fn is_all_pinyin(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    words.len() >= 2
        && !lower.chars().any(is_cjk)
        && words.iter().all(|w| pinyin_syllables(w).is_some())
}

/// The [`Kind::Sound`] tokens of a text: adjacent syllables of Chinese
/// characters, and of pinyin typed against them with no space between
/// (发huo, yin私, 升级gujian): such a Latin word is read as pinyin when
/// the whole of it is.
///
/// A question typed wholly in pinyin (every Latin word of it, at least
/// two, is pinyin: "tui kuan yao duo jiu") is read as one run too.
fn sounds(lower: &str, out: &mut Vec<Token>) {
    let chars: Vec<char> = lower.chars().collect();
    let all_pinyin = is_all_pinyin(lower);
    // The current run: each syllable and its character (None: typed).
    let mut run: Vec<(String, Option<char>)> = Vec::new();
    let flush = |run: &mut Vec<(String, Option<char>)>, out: &mut Vec<Token>| {
        for w in run.windows(2) {
            let stop = match (w[0].1, w[1].1) {
                (Some(a), Some(b)) => stop_pair(&[a, b]),
                _ => false,
            };
            if !stop {
                out.push(sound_token(&w[0].0, &w[1].0));
            }
        }
        run.clear();
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            match syllable(c) {
                Some(s) => run.push((s, Some(c))),
                None => flush(&mut run, out),
            }
            i += 1;
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            let touching = all_pinyin
                || (start > 0 && is_cjk(chars[start - 1]))
                || chars.get(i).is_some_and(|c| is_cjk(*c));
            let word: String = chars[start..i].iter().collect();
            match touching.then(|| pinyin_syllables(&word)).flatten() {
                Some(typed) => {
                    // A word before the characters starts a run of its own
                    // (in a question all in pinyin, spaces do not break it).
                    if !all_pinyin && (start == 0 || !is_cjk(chars[start - 1])) {
                        flush(&mut run, out);
                    }
                    run.extend(typed.into_iter().map(|s| (s, None)));
                }
                None => flush(&mut run, out),
            }
        } else {
            if !(all_pinyin && c == ' ') {
                flush(&mut run, out);
            }
            i += 1;
        }
    }
    flush(&mut run, out);
}

/// The retrieval tokens of a text: words (jieba for Chinese, stemmed words
/// for Latin script) plus, for Chinese, overlapping character pairs, single
/// characters and the pairs' sounds. Stop words are dropped.
pub fn analyze(text: &str) -> Vec<Token> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    sounds(&lower, &mut out);
    let mut run: Vec<char> = Vec::new();
    for c in lower.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
            continue;
        }
        for pair in run.windows(2) {
            if !stop_pair(pair) {
                out.push(Token {
                    text: format!("~{}", pair.iter().collect::<String>()),
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
                text: root(word),
                kind: Kind::Word,
            });
        }
    }
    hyphen_compounds(&lower, &mut out);
    out
}

/// Latin words joined by hyphens ("check-out", "top-up", "e-mail") also
/// stand as one word, as customers type them ("checkout", "topup",
/// "email"); the parts stay words of their own.
fn hyphen_compounds(lower: &str, out: &mut Vec<Token>) {
    for chunk in lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let parts: Vec<&str> = chunk.split('-').collect();
        if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
            continue;
        }
        if !parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_alphabetic()))
        {
            continue;
        }
        let joined: String = parts.concat();
        if joined.len() >= 4 && !STOP_EN.contains(&joined.as_str()) {
            out.push(Token {
                text: root(&joined),
                kind: Kind::Word,
            });
        }
    }
}

/// The word tokens of a text, as strings (words and character pairs).
pub fn tokens_plain(text: &str) -> Vec<String> {
    analyze(text)
        .into_iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::Pair))
        .map(|t| t.text)
        .collect()
}

/// Chinese characters, Chinese character pairs and lower-cased Latin
/// words, with no segmenter, stemming, stop words or synonyms: the tokens
/// of a plain BM25 (the eval's baseline, and the plain ranking the Chinese
/// re-ranker weighs, [`crate::knowledge::RERANK_ZH`]).
pub fn tokens_unfiltered(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    for c in text.to_lowercase().chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
        } else if !run.is_empty() {
            out.extend(run.iter().map(|c| c.to_string()));
            out.extend(run.windows(2).map(|w| w.iter().collect::<String>()));
            run.clear();
        }
        if c.is_alphanumeric() && !is_cjk(c) {
            word.push(c);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    out
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

/// Where `name` (lower-case) occurs in `lower` (lower-cased text) as a
/// name: a Latin name (one with an ASCII letter or digit at either end)
/// only where no ASCII letter, digit or hyphen touches it ("ups" is not in
/// "groups" or "check-ups", "lg" not in "lgbt"); a Chinese one anywhere (Chinese has no
/// spaces to bound it). Byte offsets of each occurrence.
pub fn name_positions(lower: &str, name: &str) -> Vec<usize> {
    if name.is_empty() {
        return Vec::new();
    }
    // A hyphen joins a compound: "check-ups" holds no "ups".
    let latin_edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
    let bounded_start = latin_edge(name.chars().next());
    let bounded_end = latin_edge(name.chars().next_back());
    lower
        .match_indices(name)
        .filter(|(at, _)| {
            let before = lower[..*at].chars().next_back();
            let after = lower[at + name.len()..].chars().next();
            !(bounded_start && latin_edge(before) || bounded_end && latin_edge(after))
        })
        .map(|(at, _)| at)
        .collect()
}

/// True when `lower` names `name` ([`name_positions`]).
pub fn holds_name(lower: &str, name: &str) -> bool {
    !name.is_empty() && !name_positions(lower, name).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of `text`'s tokens of one kind.
    fn of_kind(text: &str, kind: Kind) -> Vec<String> {
        analyze(text)
            .into_iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn hyphenated_words_also_stand_as_one() {
        let words = |t: &str| of_kind(t, Kind::Word);
        let doc = words("Early check-in and late check-out; top-up by e-mail.");
        for typed in ["checkin", "checkout", "topup", "email"] {
            assert!(doc.contains(&root(typed)), "{typed}: {doc:?}");
        }
        // The parts stay words; a part with digits is not joined.
        assert!(doc.contains(&root("check")));
        assert!(words("usb-c cable").contains(&root("usbc")));
        assert!(!words("a 3-day trial").contains(&root("3day")));
    }

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
    fn irregular_and_british_forms_meet_their_base() {
        for (a, b) in [
            ("bought", "buy"),
            ("stolen", "steal"),
            ("sent", "sending"),
            ("children", "child"),
            ("colour", "color"),
            ("colours", "colored"),
            ("organised", "organize"),
            ("behaviour", "behavior"),
            ("cancelled", "canceled"),
            ("centre", "center"),
            ("enrol", "enroll"),
            ("instalments", "installment"),
        ] {
            assert_eq!(root(a), root(b), "{a} / {b}");
        }
        // Words that only look like one keep their own stem.
        for w in ["hours", "course", "detour", "raise", "noise", "wise"] {
            assert_eq!(root(w), stem(w), "{w}");
        }
        // Light words are known by their root.
        for w in [
            "take",
            "going",
            "came",
            "tries",
            "maybe",
            "actually",
            "already",
            "able",
            "someone",
            "something",
            "everything",
            "whatever",
            "things",
            "ways",
            "before",
        ] {
            assert!(is_light(&root(w)), "{w} ({})", root(w));
        }
        // The handoff grammar's stem is left as it was.
        assert_ne!(stem("spoke"), stem("speak"));
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

    #[test]
    fn homophones_and_typed_pinyin_share_a_sound() {
        let sounds = |t: &str| of_kind(t, Kind::Sound);
        for (typo, right) in [
            ("推款", "退款"),
            ("发飘", "发票"),
            ("几天发huo", "发货"),
            ("yin私", "隐私"),
            ("升级gujian", "固件"),
            ("tui kuan yao duo jiu", "退款"),
        ] {
            let right = sounds(right);
            assert!(
                sounds(typo).iter().any(|s| right.contains(s)),
                "{typo}: {:?} / {right:?}",
                sounds(typo)
            );
        }
        // English words stay English, even beside Chinese.
        assert!(
            sounds("我的order怎么还没到")
                .iter()
                .all(|s| !s.contains("or"))
        );
        assert_eq!(
            pinyin_syllables("gujian"),
            Some(vec!["gu".into(), "jian".into()])
        );
        assert_eq!(pinyin_syllables("order"), None);
        assert!(sounds("return policy").is_empty());
        // Not every word is pinyin: an English sentence.
        assert!(sounds("can he ban my account").is_empty());
    }
}

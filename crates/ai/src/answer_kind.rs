//! The kind of fact a question asks for, and the kinds a sentence states.
//!
//! "How long does a refund take", "摄像头质保多久" ask for a time; "how much
//! for a PT", "加急得加多少钱" ask for an amount of money. Near-neighbour
//! documents of a help centre share the question's topic words (a refund
//! article and a payment article both talk about the card), but the one
//! that answers states the time or the price next to those words. The
//! ranking ([`crate::knowledge`]) uses this as a small lift for a document
//! whose sentence that holds the question's words also states what the
//! question asks for. No business's vocabulary is involved: only question
//! words, numbers, units and currency marks, in both languages.

/// A bit set of [`TIME`] and [`MONEY`].
pub type Kinds = u8;

/// A duration, a date or a time of day ("3 to 5 working days", "9:00",
/// "每月1日", "两年").
pub const TIME: Kinds = 1;

/// An amount of money or "free" ("¥99", "$6.99", "30元", "free of charge").
pub const MONEY: Kinds = 2;

/// Chinese phrases asking for a time.
const ASK_TIME_ZH: &[&str] = &[
    "多久",
    "多长时间",
    "多少天",
    "几天",
    "几个工作日",
    "几个月",
    "几周",
    "几年",
    "几小时",
    "几个小时",
    "几点",
    "什么时候",
    "啥时候",
    "何时",
    "多会儿",
    "几号",
];

/// English phrases asking for a time (lower case, matched as whole words).
const ASK_TIME_EN: &[&str] = &[
    "how long",
    "how soon",
    "how many days",
    "how many hours",
    "how many weeks",
    "how many months",
    "how many years",
    "what time",
    "which day",
    "what day",
    "by when",
    "until when",
    "when will",
    "when do",
    "when does",
    "when can",
    "when is",
    "when should",
    "when would",
];

/// Chinese phrases asking for an amount of money.
const ASK_MONEY_ZH: &[&str] = &[
    "多少钱",
    "几块",
    "几元",
    "费用",
    "收费",
    "价格",
    "价钱",
    "花多少",
    "加多少",
    "扣多少",
    "贵不贵",
    "贵吗",
    "要钱",
    "收钱",
];

/// English phrases asking for an amount of money (lower case, matched as
/// whole words: "feed" and "charger" ask for nothing).
const ASK_MONEY_EN: &[&str] = &[
    "how much", "cost", "costs", "price", "prices", "pricing", "fee", "fees", "charge", "charges",
    "charged",
];

/// True when `phrase` occurs in `lower` as whole words.
fn has_words(lower: &str, phrase: &str) -> bool {
    lower.match_indices(phrase).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + phrase.len()..].chars().next();
        before.is_none_or(|c| !c.is_ascii_alphanumeric())
            && after.is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// What `question` asks for: [`TIME`], [`MONEY`], both or neither (0).
pub fn asked(question: &str) -> Kinds {
    let lower = question.to_lowercase();
    let mut kinds = 0;
    if ASK_TIME_ZH.iter().any(|p| lower.contains(p))
        || ASK_TIME_EN.iter().any(|p| has_words(&lower, p))
    {
        kinds |= TIME;
    }
    if ASK_MONEY_ZH.iter().any(|p| lower.contains(p))
        || ASK_MONEY_EN.iter().any(|p| has_words(&lower, p))
    {
        kinds |= MONEY;
    }
    kinds
}

/// Units after a number that make it a time.
const TIME_UNITS: &[&str] = &[
    "个工作日",
    "工作日",
    "个小时",
    "小时",
    "钟头",
    "分钟",
    "个月",
    "天",
    "日",
    "周",
    "星期",
    "月",
    "年",
    "号",
    "business day",
    "working day",
    "calendar day",
    "day",
    "hour",
    "hr",
    "minute",
    "min",
    "week",
    "month",
    "year",
    "am",
    "pm",
    "a.m",
    "p.m",
];

/// Units after a number that make it money (a share is money in a help
/// centre: "20% of the daily rate", "打8折").
const MONEY_UNITS: &[&str] = &[
    "元", "块", "折", "%", "％", "rmb", "yuan", "cny", "usd", "eur", "gbp", "dollar", "euro",
    "pound", "percent",
];

/// Chinese numerals that count (not 几, which asks).
fn is_zh_numeral(c: char) -> bool {
    "零一二两三四五六七八九十百千半".contains(c)
}

/// True when a Latin unit ends at a word boundary (a plural `s` allowed):
/// "days" and "day," are days, "dayton" is not.
fn latin_unit_ends(rest: &str, unit: &str) -> bool {
    let mut after = rest[unit.len()..].chars();
    match after.next() {
        Some('s') => after.next().is_none_or(|c| !c.is_ascii_alphabetic()),
        Some(c) => !c.is_ascii_alphabetic(),
        None => true,
    }
}

/// What `sentence` states: [`TIME`], [`MONEY`], both or neither.
pub fn stated(sentence: &str) -> Kinds {
    let lower = sentence.to_lowercase();
    let mut kinds = 0;
    if lower.contains("免费") || has_words(&lower, "free") {
        kinds |= MONEY;
    }
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (_, c) = chars[k];
        if matches!(c, '¥' | '￥' | '$' | '€' | '£')
            && chars.get(k + 1).is_some_and(|(_, d)| d.is_ascii_digit())
        {
            kinds |= MONEY;
        }
        let digits = c.is_ascii_digit();
        if !digits && !is_zh_numeral(c) {
            k += 1;
            continue;
        }
        // The whole number: digits with separators, or Chinese numerals.
        let mut end = k;
        while end < chars.len() {
            let d = chars[end].1;
            let more = if digits {
                d.is_ascii_digit()
                    || (matches!(d, '.' | ',' | ':' | '：')
                        && chars.get(end + 1).is_some_and(|(_, n)| n.is_ascii_digit()))
            } else {
                is_zh_numeral(d)
            };
            if !more {
                break;
            }
            if digits && matches!(d, ':' | '：') {
                // 9:30 is a time of day.
                kinds |= TIME;
            }
            end += 1;
        }
        // A unit after it, past spaces, a hyphen or a measure word.
        let mut u = end;
        while u < chars.len() && matches!(chars[u].1, ' ' | '-' | '个') {
            u += 1;
        }
        if let Some(&(at, _)) = chars.get(u) {
            let rest = &lower[at..];
            let unit_ok = |unit: &&str| {
                rest.starts_with(unit) && (!unit.is_ascii() || latin_unit_ends(rest, unit))
            };
            if TIME_UNITS.iter().any(unit_ok) || (digits && rest.starts_with('点')) {
                kinds |= TIME;
            }
            if MONEY_UNITS.iter().any(unit_ok) {
                kinds |= MONEY;
            }
        }
        k = end.max(k + 1);
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_say_what_they_ask_for() {
        assert_eq!(asked("摄像头质保多久"), TIME);
        assert_eq!(asked("下单后几天能到啊"), TIME);
        assert_eq!(asked("how long til i get my depost back"), TIME);
        assert_eq!(asked("When will the money come back?"), TIME);
        assert_eq!(asked("想明天就到，加急得加多少钱"), MONEY);
        assert_eq!(asked("how much for a PT"), MONEY);
        assert_eq!(asked("is there a pet fee"), MONEY);
        assert_eq!(
            asked("what time does it open and how much is it"),
            TIME | MONEY
        );
        // A condition is no question about time; words that merely begin
        // like the cue are not the cue.
        assert_eq!(asked("when I cancel, do I lose my points"), 0);
        assert_eq!(asked("I got a discharge letter"), 0);
        assert_eq!(asked("my charger is broken, what do I feed it"), 0);
        assert_eq!(asked("怎么退货"), 0);
    }

    #[test]
    fn sentences_say_what_they_state() {
        assert_eq!(stated("退款将在3-5个工作日内原路退回。"), TIME);
        assert_eq!(
            stated("Refunds reach your card within 5 business days."),
            TIME
        );
        assert_eq!(stated("客服时间为每天9:00-21:00。"), TIME);
        assert_eq!(stated("Open from 6am to 11pm."), TIME);
        assert_eq!(stated("整机保修两年，电机保修五年。"), TIME);
        assert_eq!(stated("加急配送每单加收15元。"), MONEY);
        assert_eq!(
            stated("A single session is $45; a pack of 10 costs $400."),
            MONEY
        );
        assert_eq!(stated("Orders over ¥99 ship free."), MONEY);
        assert_eq!(stated("满99元包邮，7天内送达。"), TIME | MONEY);
        assert_eq!(stated("each extra hour costs 20% of the daily rate"), MONEY);
        // Numbers that are neither.
        assert_eq!(stated("Press the button 3 times; it has 2 lights."), 0);
        assert_eq!(stated("请在App中点击“我的”。"), 0);
        assert_eq!(
            stated("The S8 model has 3 modes, see the 2nd daytime menu."),
            0
        );
    }
}

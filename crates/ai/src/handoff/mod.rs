//! Recognizing a request for a person, in Chinese and English.
//!
//! Handoff is a state change decided here (or by a provider's tool call),
//! never text parsed out of a model's reply.
//!
//! A keyword is not a request: 人工智能, 人工费, "human resources" or
//! "travel agent" contain the words without asking for anyone, "I don't need
//! a human any more" declines, and "客服几点上班" asks about the service.
//! The recognizer is a small intent grammar applied clause by clause, after
//! pinyin ("zhuan rengong", `zrg`) and homophones are written in Chinese:
//!
//! - a *request verb* (转/找/接/叫/要/让/联系…, talk/speak/connect/transfer…)
//!   followed, with only filler words between, by a *person object*
//!   (人工/客服/真人/经理…, human/agent/representative/someone…);
//! - or a clause that is nothing but a person object and politeness
//!   ("人工", "human please");
//! - or asking where the person is or whether one is there ("经理呢",
//!   "客服怎么还不来", "is a manager available?"), summoning someone
//!   ("来人啊"), or a modal question with a person acting for the customer
//!   ("could an agent look at this", "哪位客服能帮我看看");
//! - or refusing the bot ("不要机器人", "stop the bot"; also its answers by
//!   their form: "不要再用程序回我", "stop sending me canned replies") or
//!   asking to be called back ("回个电话", "call me back");
//! - or demanding that someone of the business come forward or be sent
//!   ("你们得派个人出面", "someone needs to step up and own this",
//!   "能让人来看看"), or naming the person and the act ("人工处理吧");
//! - unless a negation governs the verb or follows the object ("不用转人工了",
//!   "no need for an agent"), or the object is part of a compound (a
//!   following character or word makes it something else), or the clause
//!   is a condition about the customer's own future need ("如果以后我需要人工,
//!   怎么联系", "if I ever needed a person…": a question about the service);
//! - nor in a clause that reports someone else's words or a past intention
//!   ("他们说要转人工才能退", "my husband said I should ask for a manager",
//!   "本来想转人工的"), asks whether a procedure needs the service
//!   ("退货要联系客服吗"), or asks how to reach it when some future event
//!   happens ("how do I contact support if the app crashes"); text a device
//!   shows in quotation marks is not the customer's ('the screen says
//!   "contact service"').
//!
//! Whether people exist, asked for its own sake, is no request either: a
//! bot set as the alternative ("你们有人工客服吗，还是只有机器人", "do you
//! have human staff or is it all bots"), or the customer saying they only
//! ask ("有真人客服吗？先问问", "just curious"). Other businesses' people
//! count as persons after a request verb (门店, 前台, 顾问, "front desk",
//! "consultant", "account manager"), and so do English person words inside
//! Chinese and Chinese ones inside English ("让 installer 联系我", "is 人工
//! available now?"). So does anyone named by a job, with a short
//! description (员工, 护士, 会籍顾问, 宠物美容师, any X师 or X员 but 会员 and
//! the couriers; "speak to a pharmacist", "one of your vets", "找个 nurse"),
//! after a verb only: "员工餐厅", "你们有营养师吗" ask nothing. A person
//! may be described by a place or a department (找营业厅的人, 客户关系部,
//! 教务处, "a claims handler", "one of your mattress specialists") or by
//! what they did for the customer (给我装宽带的师傅), and asked to act
//! ("have a caseworker look at it", "can your staff take care of this").
//! Booking a conversation with someone ("arrange a phone appointment
//! with an advisor") asks for them too.
//!
//! Before the clauses are read, emoji become stops and a space between two
//! Chinese statements becomes a comma ("说了半天没用 给我换个活人来"), unless
//! it sits inside a phrase ("不用 转人工") or before a question about the
//! service ("人工客服 几点上班").
//!
//! [`request`] says how sure the match is: an [`Strength::Explicit`] request
//! (a request verb or a bare object, the forms nobody uses for anything
//! else) is acted on even in front of a language model; the rest
//! ([`Strength::Implied`]: refusing the bot, a call back, "can someone
//! help me") is acted on by the offline assistant, and left to the model
//! when there is one.

/// How clearly a message asks for a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Implied: refusing the bot, asking to be called back.
    Implied,
    /// Explicit: "转人工", "let me talk to a human", "agent".
    Explicit,
}

/// True when the customer asks for a person (the offline assistant's rule).
pub fn wants_human(text: &str) -> bool {
    request(text).is_some()
}

/// True when the request is explicit enough to act on before a model sees it.
pub fn explicit_request(text: &str) -> bool {
    request(text) == Some(Strength::Explicit)
}

/// Whether, and how clearly, `text` asks for a person.
pub fn request(text: &str) -> Option<Strength> {
    grammar(&normalize(text))
}

/// Lower case, pinyin and homophones in Chinese, robot products renamed.
fn normalize(text: &str) -> String {
    // Emoji end a clause like "！" ("人工人工😡", "转人工🙏谢谢").
    let lower: String = text
        .to_lowercase()
        .chars()
        .filter(|&c| c != '\u{fe0f}' && c != '\u{200d}')
        .map(|c| {
            if matches!(c, '\u{1f000}'..='\u{1faff}' | '\u{2600}'..='\u{27bf}') {
                '！'
            } else {
                c
            }
        })
        .collect();
    let mut lower = zh_pinyin(&split_spaced(&drop_displayed(&lower)));
    // "给个能做主的人过来": 给个 before a described person is 给我个.
    for able in ["给个能", "给个懂", "给个会"] {
        if lower.contains(able) {
            lower = lower.replace(able, &able.replace("给个", "给我个"));
        }
    }
    // "can i speak too someone": "too" for "to" after a talk verb.
    if lower.contains(" too ") {
        for (typo, word) in [
            ("speak too ", "speak to "),
            ("talk too ", "talk to "),
            ("chat too ", "chat to "),
        ] {
            if lower.contains(typo) {
                lower = lower.replace(typo, word);
            }
        }
    }
    // "could you get hold of the engineer": reaching someone.
    if lower.contains("get hold of") {
        lower = lower.replace("get hold of", "reach");
    }
    // "would someone be able to pop round and look at the meter": the
    // visit said as a phrasal verb; the act after it is what is asked.
    for visit in [
        "pop round and ",
        "pop over and ",
        "pop by and ",
        "swing by and ",
        "drop by and ",
        "come round and ",
        "come over and ",
    ] {
        if lower.contains(visit) {
            lower = lower.replace(visit, "");
        }
    }
    // "give me a buzz": a call, said colloquially.
    if lower.contains("a buzz") {
        lower = lower.replace("a buzz", "a call");
    }
    // "get me whoever's in charge": the contraction written out.
    if lower.contains("whoever's") {
        lower = lower.replace("whoever's", "whoever is");
    }
    // "this bot is not bad": praise, whose "not" refuses nothing.
    for praise in ["not bad at all", "not too bad", "not bad"] {
        if lower.contains(praise) {
            lower = lower.replace(praise, "fine");
        }
    }
    // "a live chat agent", "your chat rep": the agent of the chat is a
    // person (chat before a person word would make it a compound).
    if lower.contains("chat ") {
        for (chat, person) in [
            ("chat agent", "agent"),
            ("chat rep", "rep"),
            ("chat representative", "representative"),
            ("chat operator", "operator"),
        ] {
            if lower.contains(chat) {
                lower = lower.replace(chat, person);
            }
        }
    }
    // Homophone typos of the one word that matters most (转人攻, 人宫客服).
    for (typo, word) in ZH_HOMOPHONES {
        if lower.contains(typo) {
            lower = lower.replace(typo, word);
        }
    }
    // Cantonese, read as Mandarin (one look for its characters first).
    if lower.contains(ZH_CANTONESE_CHARS) {
        for (word, mandarin) in ZH_CANTONESE {
            if lower.contains(word) {
                lower = lower.replace(word, mandarin);
            }
        }
    }
    // 专人工 for 转人工, but not 专人工作 (someone working on it).
    if lower.contains("专人工") && !lower.contains("专人工作") {
        lower = lower.replace("专人工", "转人工");
    }
    // 可服 for 客服, but not 可服务 (can serve).
    if lower.contains("可服") {
        lower = lower
            .replace("可服务", "\u{1}")
            .replace("可服", "客服")
            .replace('\u{1}', "可服务");
    }
    // A robot vacuum is a product, not the bot: "扫地机器人听不懂语音指令"
    // and "the robot vacuum is not charging" refuse nothing.
    for (device, short) in ROBOT_DEVICES {
        if lower.contains(device) {
            lower = lower.replace(device, short);
        }
    }
    lower
}

/// Words before a quotation that make it something shown or said by a
/// device, a page or someone else ("the screen says \"contact service\"",
/// 屏幕提示“请联系客服”): the quoted words are no request of the customer's.
const DISPLAY_WORDS: &[&str] = &[
    "says",
    "said",
    "shows",
    "showed",
    "displays",
    "displayed",
    "reads",
    "message",
    "error",
    "prompt",
    "popup",
    "pop-up",
    "written",
    "labelled",
    "labeled",
    "button",
    "显示",
    "提示",
    "写着",
    "弹出",
    "报错",
    "弹窗",
    "按钮",
    "说明书上",
    "页面上",
];

/// `text` without quotations that [`DISPLAY_WORDS`] introduce ("I said
/// \"agent\"" keeps its quotation: the customer's own words).
fn drop_displayed(text: &str) -> std::borrow::Cow<'_, str> {
    const PAIRS: &[(char, char)] = &[
        ('"', '"'),
        ('“', '”'),
        ('「', '」'),
        ('『', '』'),
        ('‘', '’'),
    ];
    if !text.contains(['"', '“', '「', '『', '‘']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, open, close)) = PAIRS
        .iter()
        .filter_map(|&(o, c)| rest.find(o).map(|at| (at, o, c)))
        .min_by_key(|&(at, ..)| at)
    {
        let inner_start = at + open.len_utf8();
        let Some(len) = rest[inner_start..].find(close) else {
            break;
        };
        let lead = rest[..at].trim_end_matches([' ', ':', '：', ',', '，']);
        let shown = DISPLAY_WORDS.iter().any(|w| lead.ends_with(w))
            && !["i said", "i say", "我说", "我都说"]
                .iter()
                .any(|me| lead.ends_with(me));
        out.push_str(&rest[..at]);
        if !shown {
            out.push_str(&rest[at..inner_start + len + close.len_utf8()]);
        }
        rest = &rest[inner_start + len + close.len_utf8()..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Chinese written with spaces for commas ("说了半天没用 给我换个活人来"):
/// a space between two Chinese characters ends a clause, unless it sits
/// inside a verb phrase ("不用 转人工", "找 客服").
fn split_spaced(text: &str) -> std::borrow::Cow<'_, str> {
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    if !text.contains(' ') || !text.chars().any(cjk) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == ' ' {
            let left = out.trim_end();
            // "hi 客服小姐姐在吗", "hello 人工": an English greeting opening
            // a Chinese message is a clause of its own.
            if matches!(left, "hi" | "hello" | "hey" | "hiya" | "yo")
                && text[at..].trim_start().starts_with(cjk)
            {
                out.push('，');
                continue;
            }
            let right = text[at..].trim_start();
            // The chunk before, since the last break: a short one is the
            // topic of what follows ("人工客服 几点上班").
            let chunk = left
                .rsplit(|c: char| c == ' ' || c == '，' || c.is_ascii_punctuation())
                .next()
                .unwrap_or(left);
            let next = right
                .split(|c: char| c == ' ' || c.is_ascii_punctuation() || "，。！？".contains(c))
                .next()
                .unwrap_or(right);
            // 没有 ends a statement ("一点用没有"); the other negations and
            // the verbs govern what follows ("不用 转人工", "找 客服").
            let governs = ZH_NEG_BEFORE
                .iter()
                .filter(|n| !matches!(**n, "没有" | "没"))
                .chain(ZH_VERBS)
                .any(|w| left.ends_with(w));
            let joins = left.chars().next_back().is_some_and(cjk)
                && right.chars().next().is_some_and(cjk)
                && chunk.chars().filter(|&c| cjk(c)).count() >= 4
                && !governs
                && !ZH_INFO
                    .iter()
                    .chain(ZH_REGULAR_TIMES)
                    .any(|w| next.contains(w))
                && !right.starts_with(['了', '吗', '吧', '呢', '啊', '的']);
            // "提币卡住了 pls 人工", "订单一直不发货 agent": a short call for a
            // person led by an English word, after a Chinese statement, is
            // a clause of its own (the statement before is no description).
            let short_call = || {
                let seg = right
                    .split(|c: char| "，。！？,.!?".contains(c))
                    .next()
                    .unwrap_or(right);
                let mut words = seg.split_whitespace();
                // Only when the statement before is whole: not "我 friend
                // 是你们的 agent", "帮我找一个 agent", "讲话像 human 吗".
                let whole = left
                    .chars()
                    .next_back()
                    .is_some_and(|c| !"的个位是像和跟与给找要叫让帮请把被在对向当做".contains(c));
                whole
                    && words.next().is_some_and(|w| {
                        matches!(
                            w,
                            "pls" | "plz" | "please" | "human" | "agent" | "operator" | "humans"
                        )
                    })
                    && seg.split_whitespace().count() <= 3
                    && seg.split_whitespace().all(|w| {
                        // "…失败 agent 有吗": whether one is there, asked.
                        w.is_ascii()
                            || [
                                "人工",
                                "真人",
                                "客服",
                                "人工客服",
                                "有吗",
                                "在吗",
                                "在不在",
                                "呢",
                            ]
                            .contains(&w)
                    })
            };
            // "人工人工人工 hello?": a greeting after the call is a clause
            // of its own, whatever the length before it.
            let greeting = || {
                let seg = right
                    .split(|c: char| "，。！？,.!?".contains(c))
                    .next()
                    .unwrap_or(right);
                seg.split_whitespace()
                    .all(|w| matches!(w, "hello" | "hi" | "hey" | "anyone" | "anybody" | "there"))
                    && !seg.trim().is_empty()
            };
            let joins = joins
                || (left.chars().next_back().is_some_and(cjk)
                    && !governs
                    && ((chunk.chars().filter(|&c| cjk(c)).count() >= 4 && short_call())
                        || greeting()));
            if joins {
                out.truncate(left.len());
                out.push('，');
                while chars.peek().is_some_and(|&(_, n)| n == ' ') {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// The grammar's reading of normalized text.
fn grammar(lower: &str) -> Option<Strength> {
    // "…but I figured it out", "问题已经解决了": the customer is done.
    if DECLINED.iter().any(|d| lower.contains(d))
        || SELF_DESCRIBED.iter().any(|d| lower.contains(d))
    {
        return None;
    }
    // "你们有人工客服吗，还是只有机器人", "有真人客服吗？先问问", "do you
    // even have human staff or is it all bots": whether people exist,
    // asked for its own sake (a wish said outright still asks).
    let only_asking = ASKING_ONLY.iter().any(|m| lower.contains(m))
        || bot_alternative(lower)
        || clauses(lower).any(|c| {
            // "先问问" as a clause of its own ("我先问问客服" asks them).
            let c = zh::strip_prefixes(c, &["我", "就", "只是", "先"])
                .trim_end_matches(['吧', '啊', '呀', '哈', '而', '已', ' ']);
            ["问问", "问一下", "随便问问", "了解一下", "好奇"].contains(&c)
        });
    if only_asking
        && !["我要", "转人工", "i want", "i need", "give me", "let me"]
            .iter()
            .any(|w| lower.contains(w))
    {
        return None;
    }
    // "没有人工客服吗？那算了", "现在不需要": a closing clause that lets it go.
    if clauses(lower).last().is_some_and(|last| {
        let last = zh::strip_prefixes(last, &["那", "就", "现在", "暂时", "目前", "先"])
            .trim_end_matches(['吧', '啊', '呀', '哈', ' ']);
        ["算了", "不用", "不用了", "不需要", "没事"].contains(&last)
    }) {
        return None;
    }
    // "Someone from your staff, please": a closing "please" split off by
    // its comma belongs to the clause before it.
    let parts: Vec<&str> = clauses(lower).collect();
    let polite_only = |c: &str| {
        let w = en::words(c);
        !w.is_empty()
            && w.iter()
                .all(|x| matches!(x.as_str(), "please" | "pls" | "plz" | "now" | "asap"))
    };
    let bot_only = |c: &str| {
        // Split into words only where a bot is named (cheap first look).
        if !c.contains("bot") {
            return false;
        }
        let w = en::words(c);
        !w.is_empty()
            && w.iter()
                .any(|x| matches!(x.as_str(), "bot" | "robot" | "chatbot"))
            && w.iter().all(|x| {
                matches!(
                    x.as_str(),
                    "bot" | "robot" | "chatbot" | "hey" | "dear" | "you" | "the"
                )
            })
    };
    let condition = conditional_event(lower);
    // "想投诉一下，去哪里投诉": how to complain, asked; the wish to complain
    // is then no call for a person.
    let how_to_complain = parts.iter().any(|c| c.contains("投诉") && asks_how(c));
    // "我想投诉，但是不知道投诉有没有用", "I want to complain but I'm not
    // sure it'll do anything": the wish doubted, no call for a person.
    let doubts_complaint = (lower.contains("投诉")
        && ["有没有用", "有用吗", "管不管用", "管用吗", "有没有效果"]
            .iter()
            .any(|d| lower.contains(d)))
        || (lower.contains("complain")
            && [
                "not sure it",
                "do anything",
                "any difference",
                "any point",
                "worth it",
            ]
            .iter()
            .any(|d| lower.contains(d)));
    // "my tutor is a real person right, not some AI voice?": a message
    // about what someone is refuses no bot (an explicit request still
    // counts: "are you a bot? I want a human").
    let identity = parts
        .iter()
        .any(|c| has_latin(c) && en::identity_question(&en::words(c)));
    let found = parts
        .iter()
        .enumerate()
        .filter(|(_, c)| !hypothetical(c) && !reported(c) && !zh_reported_speech(c))
        .filter(|(_, c)| !(condition && asks_how(c)))
        .filter(|(_, c)| !group_how(c))
        // "how do I escalate a ticket myself", "我自己怎么升级工单": how the
        // customer does it alone, a question about the service.
        .filter(|(_, c)| {
            !([" myself", "by myself", "on my own", "我自己"]
                .iter()
                .any(|m| c.contains(m))
                && asks_how(c))
        })
        .filter(|(_, c)| !((how_to_complain || doubts_complaint) && zh_complains(c)))
        .filter(|(_, c)| {
            // The English wish to complain, said alone ("i want to complain").
            !(doubts_complaint && c.contains("complain") && c.split_whitespace().count() <= 6)
        })
        .filter_map(|(i, c)| {
            // "Step aside, bot." / "bot, step aside": the bot addressed in a
            // clause of its own belongs to the clause next to it.
            let bot_beside = [i.checked_sub(1), Some(i + 1)]
                .iter()
                .flatten()
                .filter_map(|k| parts.get(*k))
                .any(|n| bot_only(n));
            if bot_beside && !bot_only(c) {
                let joined = format!("{c} bot");
                zh_clause(c).max(en_clause(c)).max(en_clause(&joined))
            } else if parts.get(i + 1).is_some_and(|n| polite_only(n)) {
                let joined = format!("{c} please");
                zh_clause(&joined).max(en_clause(&joined))
            } else {
                zh_clause(c).max(en_clause(c))
            }
        })
        .filter(|s| !identity || *s == Strength::Explicit)
        .max();
    // "刚才那个客服掉线了，再帮我接一个": one more of the person an earlier
    // clause named, the object left out.
    let found = found.or_else(|| {
        parts.iter().enumerate().skip(1).find_map(|(i, c)| {
            let c =
                zh::strip_prefixes(c, &["那", "麻烦", "请", "你", "再", "重新", "帮我", "给我"])
                    .trim_end_matches(['吧', '啊', '呀', '了', ' ']);
            let again = ["接一个", "转一个", "接个", "转个", "再来一个", "来一个"].contains(&c);
            let named = parts[..i].iter().any(|p| {
                ["客服", "人工", "经理", "专员", "agent"]
                    .iter()
                    .any(|o| p.contains(o))
            });
            (again && named).then_some(Strength::Explicit)
        })
    });
    // "should I request a callback or just email you?": a choice between
    // ways of reaching the service, asked (a wish said outright still asks).
    let found = found.filter(|s| *s == Strength::Explicit || !choice_of_ways(lower));
    // The pronoun's request is explicit, whatever weaker reading a
    // clause had ("有会修的人吗？让他来处理").
    found
        .filter(|s| *s == Strength::Explicit)
        .or_else(|| {
            (zh_pronoun_request(lower) || en_pronoun_request(lower)).then_some(Strength::Explicit)
        })
        .or(found)
}

/// A condition about the customer's own future need ("如果以后我需要人工服务，
/// 应该怎么联系", "if I ever needed a person, how would I reach one"):
/// a question about the service, not a request. Conditions about the bot
/// ("如果你解决不了就转人工") are left to the grammar.
fn hypothetical(clause: &str) -> bool {
    const IF_ZH: &[&str] = &["如果", "假如", "要是", "万一", "假设", "若是", "倘若"];
    const WHO_WHEN: &[&str] = &[
        "以后",
        "将来",
        "哪天",
        "我们",
        "我",
        "真的",
        "有一天",
        "之后",
        "还",
    ];
    let zh = zh::strip_prefixes(clause, IF_ZH);
    if zh.len() < clause.len() {
        let rest = zh::strip_prefixes(zh, WHO_WHEN);
        return ["需要", "想", "要", "得"]
            .iter()
            .any(|w| rest.starts_with(w))
            && !rest.ends_with("就好了");
    }
    if !has_latin(clause) {
        return false;
    }
    let w = en::words(clause);
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    if !matches!(at(0), "if" | "should") {
        return false;
    }
    let mut i = 1;
    if matches!(at(i), "i" | "we") {
        i += 1;
    }
    if matches!(at(i), "ever" | "later" | "one" | "really") {
        i += 1;
    }
    matches!(
        at(i),
        "need" | "needed" | "want" | "wanted" | "have" | "had" | "require"
    )
}

/// A condition about some future event that is not the bot ("if the app
/// crashes", "万一门锁坏了", "门锁坏了的话"): with a how-question it asks how
/// the service is reached then, not for a person now. A condition about the
/// bot ("if you can't help", "你解决不了的话") is left to the grammar.
fn conditional_event(text: &str) -> bool {
    let zh = ["如果", "万一", "要是", "假如", "的话", "以后", "下次"]
        .iter()
        .any(|m| text.contains(m));
    let w = if has_latin(text) {
        en::words(text)
    } else {
        Vec::new()
    };
    let en = w
        .iter()
        .any(|x| matches!(x.as_str(), "if" | "whenever" | "incase"))
        || text.contains(" in case ");
    let about_bot = ["you", "u", "bot", "chatbot", "ai", "robot", "机器人", "你"]
        .iter()
        .any(|b| w.iter().any(|x| x == b) || (!b.is_ascii() && text.contains(b)));
    (zh || en) && !about_bot
}

/// "how do members abroad contact support", "how can patients reach a
/// nurse": how a group of customers reaches the service, a question about
/// it (the customer's own "how do I…" is left to the grammar).
fn group_how(clause: &str) -> bool {
    // Read as words only when the clause starts with "how" (most do not).
    if !clause.trim_start().starts_with("how ") {
        return false;
    }
    let w = en::words(clause);
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    at(0) == "how"
        && matches!(at(1), "do" | "does" | "can" | "should" | "would" | "could")
        && w.iter().skip(2).take(3).any(|x| {
            matches!(
                x.as_str(),
                "members"
                    | "guests"
                    | "customers"
                    | "users"
                    | "patients"
                    | "people"
                    | "travellers"
                    | "travelers"
                    | "clients"
                    | "parents"
                    | "students"
                    | "foreigners"
                    | "others"
                    | "passengers"
                    | "owners"
            )
        })
}

/// "should I request a callback or just email you?", "can I request a
/// callback or is there a number": a question choosing between ways.
fn choice_of_ways(text: &str) -> bool {
    if !text.contains(" or ") {
        return false;
    }
    let w = en::words(text);
    let asks = matches!(
        (w.first().map(String::as_str), w.get(1).map(String::as_str)),
        (Some("should" | "can" | "do" | "could"), Some("i" | "we"))
    );
    asks && w.iter().position(|x| x == "or").is_some_and(|k| {
        w[k + 1..].iter().any(|x| {
            matches!(
                x.as_str(),
                "call" | "email" | "phone" | "number" | "hotline" | "ring" | "text" | "visit"
            )
        })
    })
}

/// A how-question ("how do I contact support", "怎么联系客服", "找谁").
fn asks_how(clause: &str) -> bool {
    ["怎么", "如何", "哪里", "去哪", "找谁", "怎样"]
        .iter()
        .any(|m| clause.contains(m))
        || (has_latin(clause) && {
            let w = en::words(clause);
            matches!(
                w.first().map(String::as_str),
                Some("how" | "where" | "who" | "whom")
            ) || {
                let joined = format!(" {} ", w.join(" "));
                [" best way ", " what's the way ", " which way "]
                    .iter()
                    .any(|m| joined.contains(m))
            }
        })
}

/// Whether `text` has Latin letters: without them the English reader's
/// words are none, and splitting them is skipped.
fn has_latin(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Robot products, renamed so that the bot words do not see them.
const ROBOT_DEVICES: &[(&str, &str)] = &[
    ("扫地机器人", "扫地机"),
    ("拖地机器人", "拖地机"),
    ("机器人吸尘器", "吸尘器"),
    ("robot vacuum", "vacuum"),
    ("robot cleaner", "cleaner"),
    ("robot mop", "mop"),
    ("robotic vacuum", "vacuum"),
    ("vacuum robot", "vacuum"),
];

/// The customer describing themselves ("I'm human, not a robot": a
/// captcha complaint, not a request).
const SELF_DESCRIBED: &[&str] = &[
    "i'm human",
    "i am human",
    "im human",
    "i'm not a robot",
    "i am not a robot",
    // With an article or "real": the same self-description.
    "i'm a human",
    "i am a human",
    "im a human",
    "i'm a real person",
    "i am a real person",
    "i'm not a bot",
    "i am not a bot",
    "我是人",
    "我不是机器人",
];

/// "is there a live agent or only chat bots?": a bot set as the
/// alternative to the people asked about.
fn bot_alternative(text: &str) -> bool {
    const BOTS: &[&str] = &[
        "bot",
        "bots",
        "chatbot",
        "chatbots",
        "ai",
        "automated",
        "automatic",
        "machine",
        "machines",
        "robot",
        "robots",
    ];
    [
        " or only ",
        " or just ",
        " or is it ",
        " or all ",
        " or purely ",
    ]
    .iter()
    .any(|m| {
        text.match_indices(m).any(|(at, _)| {
            en::words(&text[at + m.len()..])
                .iter()
                .take(4)
                .any(|w| BOTS.contains(&w.as_str()))
        })
    })
}

/// Markers of a question asked only to know: the people's existence set
/// against a bot as the alternative, or the customer saying they are only
/// asking.
const ASKING_ONLY: &[&str] = &[
    "还是只有机器人",
    // "你们有没有人工客服的，还是都靠机器".
    "还是都靠机器",
    "还是全靠机器",
    "还是靠机器",
    "还是只靠机器",
    "还是只有ai",
    "还是全是机器人",
    "还是都是机器人",
    "还是全自动",
    "还是自动的",
    "只是想知道",
    "只想知道",
    "只是想问问",
    "or is it all bots",
    "or is it all bot",
    "or is it just bots",
    "or is it just a bot",
    "or just bots",
    "or only bots",
    "or is it automatic",
    "or is it automated",
    "or is it all automated",
    "or is it all ai",
    "just asking",
    "just curious",
    "out of curiosity",
];

/// A message that says the matter is settled declines whatever it asked.
const DECLINED: &[&str] = &[
    "figured it out",
    "that solved it",
    "that fixed it",
    "solved it, thanks",
    "never mind",
    "nevermind",
    "all good now",
    "problem solved",
    "it's sorted",
    "已经解决",
    "解决了",
    "搞定了",
    "没事了",
    "算了不用",
    // Indifferent to a person: 客服在不在都无所谓.
    "都无所谓",
    // Made to work by the customer: 后来自己弄好了, "got it working".
    "弄好了",
    "搞好了",
    "自己好了",
    "已经好了",
    "修好了",
    "能用了",
    "可以用了",
    "sorted it",
    "got it working",
    "it works now",
    "working now",
];

/// A request the customer meant to make once and no longer does
/// ("本来想转人工的", "I was going to ask for a human"): the clause reports
/// an intention that passed.
fn reported(clause: &str) -> bool {
    const PASSED_ZH: &[&str] = &[
        "本来想",
        "本来要",
        "原本想",
        "原本要",
        "本想",
        "本打算",
        "原本打算",
        "本来打算",
        "差点",
    ];
    if PASSED_ZH.iter().any(|p| clause.contains(p)) {
        return true;
    }
    if !has_latin(clause) {
        return false;
    }
    let w = en::words(clause);
    let joined = format!(" {} ", w.join(" "));
    if [
        " was going to ",
        " was gonna ",
        " was about to ",
        " almost asked ",
        " nearly asked ",
    ]
    .iter()
    .any(|p| joined.contains(p))
    {
        return true;
    }
    en::en_reported_speech(&w)
}

/// Clauses: split at sentence and clause punctuation of both scripts, and
/// at English "but" (a turn: "no bot, but a human").
fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        matches!(
            c,
            '，' | '。'
                | '！'
                | '？'
                | '；'
                | '、'
                | ','
                | '.'
                | '!'
                | '?'
                | ';'
                | '\n'
                | '~'
                | '～'
                | ':'
                | '：'
        )
    })
    .flat_map(|c| c.split(" but "))
    .map(str::trim)
    .filter(|c| !c.is_empty())
}

// ---------------------------------------------------------------- Chinese

mod en;
#[cfg(test)]
mod tests;
mod zh;

use en::*;
use zh::*;
